"""The scan state machine. UI-free: the Textual station and ``kiosk scan`` both drive it.

Every scan gets exactly one :class:`Outcome`. Refusals are written to the
ledger with their reason before the outcome is returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.config import Config
from kiosk.db import unavailable_as_error
from kiosk.dto import Actor, CaseCard, LocationCard, StudentCard
from kiosk.errors import DatabaseUnavailable, DomainError, KioskError, NeedsConfirmation, TransientConflict
from kiosk.modes import CONDITION_CODES, EXPECTED, HINTS, MODE_ACTION, STATUS_CODES, Mode
from kiosk.outcome import Outcome, Tally
from kiosk.policy import money
from kiosk.services import circulation, permissions
from kiosk.services.codes import Classified, classify, clean
from kiosk.services.common import device_card, location_card, require_site, student_card
from kiosk.services.lookup import case_card, lookup
from kiosk.services.refusals import record_refusal
from kiosk.workflow_audit import HINT as AUDIT_HINT
from kiosk.workflow_audit import AuditMode


def _devices(n: int) -> str:
    return f"{n} device" if n == 1 else f"{n} devices"


@dataclass
class _Pending:
    retry: Callable[[tuple[str, ...]], Outcome]
    codes: tuple[str, ...]
    message: str
    accept: str | None = None
    """A scan that goes ahead like $CONFIRM (the loaner's own tag when collecting it)."""


class Workflow:
    """One operator's session at one station."""

    def __init__(self, actor: Actor, config: Config, mode: Mode = Mode.ISSUE):
        self.actor = actor
        self.config = config
        self.mode = mode
        self.student: StudentCard | None = None
        self.condition = "good"
        self.status: str | None = None
        self.destination: LocationCard | None = None
        self.moved: list[str] = []
        self.pending: _Pending | None = None
        self.tally = Tally()
        self.auditor = AuditMode(self)
        """AUDIT mode's state: the open audit and the armed storage case."""

    # -- the one entry point -------------------------------------------------

    def handle(self, raw: str, idem_key: str | None = None) -> Outcome:
        """Process one scan and return its one outcome."""
        idem_key = idem_key or str(uuid.uuid4())
        self.tally.scans += 1
        scan = raw.strip()
        try:
            with unavailable_as_error():  # lookups outside a use case, too: a lost database is one clear answer
                code = clean(raw, self.config)
                if self.pending is not None:
                    return self._while_pending(code, idem_key)
                if self.mode is Mode.LOOKUP and not code.startswith("$"):
                    return self._lookup(code)
                if self.mode is Mode.AUDIT and not code.startswith("$"):
                    return self.auditor.scan(code, idem_key)
                found = classify(code, self.config)
                if found.kind == "command":
                    return self._command(found.code)
                return self._dispatch(found, idem_key)
        except NeedsConfirmation as exc:
            raise AssertionError("a warning escaped its use case") from exc
        except DatabaseUnavailable as exc:
            # Nothing was recorded and the workflow kept its state: the caller may retry the same scan
            # with the same idempotency key (event "conflict": at once; "unavailable": once the database answers).
            event = "conflict" if isinstance(exc, TransientConflict) else "unavailable"
            return self._out(scan, False, "error", event, exc.message)
        except DomainError as exc:
            return self._refuse(scan, exc.message, idem_key)

    def switch(self, mode: Mode) -> Outcome:
        """Change mode as a function key does (same rules as scanning the mode's code)."""
        return self.handle(f"${mode.value}")

    # -- helpers ---------------------------------------------------------------

    def _out(self, scan: str, ok: bool, level: str, event: str, message: str, **cards) -> Outcome:
        armed = self.condition if self.mode is Mode.RETURN else self.status if self.mode is Mode.STATUS else None
        cards.setdefault("student", self.student)
        cards.setdefault("audit", self.auditor.audit if self.mode is Mode.AUDIT else None)
        return Outcome(
            scan=scan,
            ok=ok,
            level=level,
            event=event,
            message=message,
            mode=self.mode.value,
            armed=armed,
            destination=self.destination,
            moved=tuple(self.moved),
            pending=self.pending is not None,
            **cards,
        )

    def _refuse(self, scan: str, reason: str, idem_key: str) -> Outcome:
        self.tally.refused += 1
        try:
            record_refusal(self.actor, scan, reason, mode=self.mode.value, idem_key=idem_key)
        except KioskError as exc:
            reason = f"{reason} ({exc.message})"
        return self._out(scan, False, "error", "error", reason)

    def _while_pending(self, code: str, idem_key: str) -> Outcome:
        pending = self.pending
        if code.upper() == "$CONFIRM" or (pending.accept is not None and code == pending.accept):
            self.pending = None
            try:
                return pending.retry(pending.codes)
            except DatabaseUnavailable:
                self.pending = pending  # nothing was recorded: $CONFIRM again once the database answers
                raise
            except DomainError as exc:
                return self._refuse(code, exc.message, idem_key)
        if code.upper() == "$CANCEL":
            self.pending = None
            return self._out(code, True, "info", "cancelled", "Cancelled; nothing was recorded. Scan the next item.")
        if code.upper() == "$LOCK":
            self.pending = None  # locking always works; the warning is dropped and nothing was recorded
            return self._command("$LOCK")
        return self._refuse(code, f"A warning is waiting: {pending.message} Scan $CONFIRM or $CANCEL first.", idem_key)

    # -- commands --------------------------------------------------------------

    def _command(self, code: str) -> Outcome:
        name = code[1:]
        if name in Mode.__members__:
            return self._enter(Mode[name], code)
        if code == "$LOCK":
            self.student, self.condition = None, "good"
            return self._out(code, True, "info", "lock", "Station locked. Sign in to continue.", student=None)
        if code == "$CONFIRM":
            return self._out(code, True, "info", "confirm", "Nothing is waiting for confirmation.")
        if code == "$CANCEL":
            if self.mode is Mode.AUDIT:
                return self.auditor.cancel(code)
            self.student, self.condition = None, "good"
            if self.mode is Mode.STATUS:
                self.status = None
            if self.mode is Mode.TRANSFER and self.destination:
                self.destination, moved = None, len(self.moved)
                self.moved = []
                closed = f"Transfer closed after {_devices(moved)}; what was moved stays moved."
                return self._out(code, True, "info", "cancelled", closed)
            nxt = {Mode.RETURN: "Scan the next device.", Mode.STATUS: "Scan a status code."}.get(
                self.mode, "Scan the next student."
            )
            return self._out(code, True, "info", "cancelled", f"Cleared. {nxt}", student=None)
        if code == "$DONE":
            return self._done(code)
        if self.mode is Mode.RETURN and code in CONDITION_CODES:
            self.condition = CONDITION_CODES[code]
            return self._out(code, True, "info", "armed", f"Next device returns as {self.condition.upper()}.")
        if self.mode is Mode.STATUS and code in STATUS_CODES:
            self.status = STATUS_CODES[code]
            return self._out(code, True, "info", "armed", f"Devices scanned now become {self.status.upper()}.")
        raise DomainError(f"{code} does nothing in {self.mode.value} mode.")

    def _enter(self, mode: Mode, code: str) -> Outcome:
        if not permissions.allowed(self.actor.role, MODE_ACTION[mode]):
            raise DomainError(f"{mode.value} needs a technician; call one over.")
        left = self.auditor.left()
        self.mode = mode
        self.student, self.destination, self.moved = None, None, []
        self.condition, self.status = "good", None
        hint = HINTS.get(mode, AUDIT_HINT)
        return self._out(code, True, "info", "mode", f"{mode.value} mode. {hint}{left}", student=None)

    def _done(self, code: str) -> Outcome:
        if self.mode is Mode.AUDIT:
            return self.auditor.done(code)
        if self.mode is Mode.TRANSFER and self.destination is not None:
            dest, moved = self.destination, list(self.moved)
            self.destination, self.moved = None, []
            return self._out(
                code, True, "done", "done", f"Transfer to {dest.name} finished: {_devices(len(moved))}.", location=dest
            )
        self.student = None
        return self._out(code, True, "info", "done", "Done. Scan the next student.", student=None)

    # -- codes by mode ---------------------------------------------------------

    def _lookup(self, code: str) -> Outcome:
        result = lookup(code, config=self.config, actor=self.actor)
        what = {"student": "Student", "device": "Device", "case": "Case", "location": "Location"}[result.kind]
        return self._out(
            code, True, "info", "lookup", f"{what} found.",
            student=result.student, device=result.device, case=result.case, location=result.location,
        )  # fmt: skip

    def _dispatch(self, found: Classified, idem_key: str) -> Outcome:
        handler = getattr(self, f"_{self.mode.value.lower()}_{found.kind}", None)
        if handler is None:
            raise DomainError(self._wrong_kind(found.kind))
        return handler(found, idem_key)

    def _wrong_kind(self, kind: str) -> str:
        what = {"student": "a student ID", "device": "a device", "location": "a LOC- card", "case": "a CASE- tag"}
        return f"That was {what[kind]}; {self.mode.value} mode expects {EXPECTED[self.mode]}."

    def _issue_student(self, found: Classified, idem_key: str) -> Outcome:
        card = student_card(found.person, self.config)
        if not card.active:
            raise DomainError(f"{card.name} is not active; send them to the office.")
        self.student = card
        owes = f" {card.name} owes {money(card.fees_owed_cents)}." if card.fees_owed_cents else ""
        return self._out(found.code, True, "info", "student", f"{card.name}: scan the device to issue.{owes}")

    def _issue_case(self, found: Classified, idem_key: str) -> Outcome:
        case = case_card(found.case_number, self.config)
        if case.student is None:
            raise DomainError(f"CASE-{case.number} is empty; scan the student's ID instead.")
        self.student = case.student
        return self._out(found.code, True, "info", "student", f"{case.student.name}: scan the device to issue.")

    def _issue_device(self, found: Classified, idem_key: str) -> Outcome:
        if self.student is None:
            raise DomainError("Scan the student's ID first, then the device.")
        student, tag = self.student.id, found.device.asset_tag

        def attempt(confirmed: tuple[str, ...]) -> Outcome:
            try:
                result = circulation.issue(
                    self.actor, student, tag, config=self.config, confirmed=confirmed, idem_key=idem_key
                )
            except NeedsConfirmation as exc:
                self.pending = _Pending(attempt, exc.codes, exc.message)
                return self._out(tag, True, "warn", "confirm", " ".join(exc.warnings), device=device_card(found.device))
            self.tally.issued += 1
            self.student = None
            moved = f" (moved here from {result.moved_from})" if result.moved_from else ""
            loaner = f" as a LOANER while {result.loaner_for} is in repair" if result.loaner_for else ""
            if result.collect:
                return self._offer_collect(tag, result, moved)
            return Outcome(
                scan=tag, ok=True, level="done", event="issued", mode=self.mode.value,
                message=f"Issued {tag} to {result.student.name}{loaner}{moved}. Next student.",
                student=result.student, device=result.device, event_id=result.event_id,
            )  # fmt: skip

        return attempt(())

    def _offer_collect(self, tag: str, result, moved: str) -> Outcome:
        """The student's own device is back: offer to check in the loaner they hold for it."""
        loaner, name = result.collect, result.student.name

        def collect(_confirmed: tuple[str, ...]) -> Outcome:
            back = circulation.return_device(self.actor, loaner, config=self.config)
            self.tally.returned += 1
            return self._out(
                loaner, True, "done", "returned", f"Loaner {loaner} collected from {name}. Next student.",
                student=back.student, device=back.device,
            )  # fmt: skip

        message = f"Issued {tag} back to {name}{moved}. Collect loaner {loaner}: scan it (or $CONFIRM), or $CANCEL."
        self.pending = _Pending(collect, (), message, accept=loaner)
        return self._out(
            tag, True, "warn", "issued", message, student=result.student, device=result.device,
            event_id=result.event_id,
        )  # fmt: skip

    def _return_device(self, found: Classified, idem_key: str) -> Outcome:
        # The armed condition belongs to this one device scan, accepted or refused: a refused scan must not
        # leave DAMAGED (and its fee) armed for the next, unrelated device.
        condition, self.condition = self.condition, "good"
        try:
            result = circulation.return_device(
                self.actor, found.device.asset_tag, config=self.config, condition=condition, idem_key=idem_key
            )
        except DatabaseUnavailable:
            self.condition = condition  # nothing happened: the same scan again keeps its condition
            raise
        except DomainError as exc:
            if condition == "good":
                raise
            raise DomainError(
                f"{exc.message} The {condition.upper()} mark was cleared; scan it again before the next device."
            ) from exc
        self.tally.returned += 1
        who = result.student.name if result.student else "?"
        note = "" if condition == "good" else f" as {condition.upper()}"
        level = "done" if condition == "good" else "warn"
        extra = f" Ticket {result.ticket} opened; it goes to repair." if result.ticket else ""
        extra += f" {result.charge}" if result.charge else ""
        return self._out(
            found.code, True, level, "returned", f"Returned {result.device.asset_tag} from {who}{note}.{extra}",
            student=result.student, device=result.device, event_id=result.event_id,
        )  # fmt: skip

    def _return_student(self, found: Classified, idem_key: str) -> Outcome:
        card = student_card(found.person, self.config)
        held = ", ".join(card.devices) or "no devices"
        return self._out(
            found.code, True, "info", "student", f"{card.name} holds {held}. Scan the device.", student=card
        )

    def _transfer_location(self, found: Classified, idem_key: str) -> Outcome:
        self.destination = location_card(require_site(found.code))
        self.moved = []
        return self._out(
            found.code, True, "info", "location", f"Moving devices to {self.destination.name}. Scan them, then $DONE."
        )

    def _transfer_device(self, found: Classified, idem_key: str) -> Outcome:
        if self.destination is None:
            raise DomainError("Scan the LOC- card of the destination first.")
        result = circulation.transfer(self.actor, [found.device.asset_tag], self.destination.code, idem_key=idem_key)
        self.destination = result.destination
        tag = found.device.asset_tag
        if not result.event_ids:  # it was there already: nothing moved, nothing counted
            return self._out(
                found.code, True, "info", "transferred", f"{tag} is already at {self.destination.name}; nothing to move.",
                device=result.devices[0],
            )  # fmt: skip
        if tag not in self.moved:
            self.moved.append(tag)
        self.tally.transferred += 1
        return self._out(
            found.code, True, "done", "transferred", f"{tag} moved to {self.destination.name} ({len(self.moved)} so far).",
            device=result.devices[0],
        )  # fmt: skip

    def _case_student(self, found: Classified, idem_key: str) -> Outcome:
        card = student_card(found.person, self.config)
        if card.case_number is None:
            return self._out(found.code, True, "info", "case", f"{card.name} has no storage case.", student=card)
        case = CaseCard(card.case_number, card)
        return self._out(
            found.code, True, "info", "case", f"{card.name}: CASE {card.case_number}.", student=card, case=case
        )

    def _case_case(self, found: Classified, idem_key: str) -> Outcome:
        case = case_card(found.case_number, self.config)
        if case.student is None:
            return self._out(found.code, True, "info", "case", f"CASE-{case.number} is empty.", case=case, student=None)
        return self._out(
            found.code, True, "info", "case", f"CASE-{case.number} belongs to {case.student.name}.",
            case=case, student=case.student,
        )  # fmt: skip

    def _status_device(self, found: Classified, idem_key: str) -> Outcome:
        if self.status is None:
            raise DomainError("Scan a status code ($LOST, $STOLEN, $INREPAIR, $AVAILABLE, ...) first.")
        result = circulation.set_status(
            self.actor, found.device.asset_tag, self.status, config=self.config, idem_key=idem_key
        )
        charge = f" {result.charge}" if result.charge else ""
        return self._out(
            found.code, True, "done", "status",
            f"{result.device.asset_tag}: {result.previous.replace('_', ' ')} -> {self.status.replace('_', ' ')}.{charge}",
            device=result.device,
        )  # fmt: skip
