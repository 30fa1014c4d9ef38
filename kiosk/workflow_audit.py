"""AUDIT mode of the scan workflow: a ``LOC-`` card opens (or joins) an audit of that site, every device
scanned is counted, ``$DONE`` finishes the audit and ``$CANCEL`` (confirmed) abandons it.

Storage sites also check cases: a ``CASE-n`` tag arms that case for the next device scanned, which must be
the device the records give to the case's student. UI-free, like :mod:`kiosk.workflow`, which delegates here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.dto import AUDIT_LABELS, AuditCard
from kiosk.errors import DomainError, KioskError
from kiosk.outcome import Outcome
from kiosk.services import audits
from kiosk.services.codes import Classified, classify
from kiosk.services.lookup import case_card

if TYPE_CHECKING:
    from kiosk.workflow import Workflow

HINT = "Scan the LOC- card of the site to audit, then every device there, then $DONE."
EXPECTED = "a LOC- card, then devices"


def summary(card: AuditCard) -> str:
    """``12 verified, 3 missing, ...`` (categories with a count only)."""
    parts = [f"{n} {AUDIT_LABELS[name].lower()}" for name, n in card.counts if n]
    return ", ".join(parts) or "nothing counted yet"


class AuditMode:
    """The audit this session is scanning into, and the storage case armed for the next device."""

    def __init__(self, workflow: Workflow) -> None:
        self.wf = workflow
        self._card: AuditCard | None = None
        self.case: int | None = None

    @property
    def audit(self) -> AuditCard | None:
        """The open audit of this session, with the storage case armed for the next device."""
        return None if self._card is None else replace(self._card, case=self.case)

    def _out(self, scan: str, ok: bool, level: str, event: str, message: str, **cards) -> Outcome:
        cards.setdefault("audit", self.audit)
        return self.wf._out(scan, ok, level, event, message, student=None, **cards)

    def left(self) -> str:
        """Leaving the mode: the open audit stays open (scan its LOC- card again to go on)."""
        card, self._card, self.case = self._card, None, None
        if card is None:
            return ""
        return f" The audit of {card.site_name} stays open: scan LOC-{card.site} in AUDIT mode to go on."

    def scan(self, code: str, idem_key: str) -> Outcome:
        """Any code that is not a command, scanned in AUDIT mode."""
        if code.upper().startswith("LOC-"):
            return self._location(code)
        if code.upper().startswith("CASE-"):
            return self._case(classify(code, self.wf.config))
        if self._card is None:
            raise DomainError("Scan the LOC- card of the site to audit first.")
        case, self.case = self.case, None
        try:
            result = audits.record_scan(self.wf.actor, self._card.id, code, config=self.wf.config, case=case,
                                        idem_key=idem_key)  # fmt: skip
        except audits.AuditClosed:
            self._card = None
            raise
        except KioskError:
            self.case = case  # a refused (or not yet applied) scan leaves the case armed for the right device
            raise
        self._card = result.card
        line = result.line
        if result.duplicate:
            return self._out(code, True, "info", "audit", f"{line.code} was already counted ({line.note}).")
        label = AUDIT_LABELS[line.result]
        level = "done" if line.result == "verified" and not line.case_note else "warn"
        message = f"{label}: {line.code} ({line.note}). {self._card.count('verified')} verified so far."
        if line.result == "unknown":
            message = f"Unknown: {line.code} is not in the inventory; set it aside for review."
        return self._out(code, True, level, "audit", message)

    def _location(self, code: str) -> Outcome:
        site = code[4:]
        if self._card is not None and self._card.site.upper() != site.upper():
            raise DomainError(
                f"The audit of {self._card.site_name} is open: scan $DONE to finish it (or $CANCEL to abandon "
                "it) before starting another."
            )
        card, joined = audits.start_audit(self.wf.actor, site)
        self._card, self.case = card, None
        if joined:
            message = f"Audit of {card.site_name} goes on ({summary(card)}). Scan the devices, then $DONE."
        else:
            message = f"Audit of {card.site_name} started: {card.expected} devices expected. Scan them, then $DONE."
        if card.site_kind == "storage":
            message += " Scan a CASE- tag before the device in it."
        return self._out(code, True, "info", "audit", message)

    def _case(self, found: Classified) -> Outcome:
        if self._card is None:
            raise DomainError("Scan the LOC- card of the site to audit first.")
        if self._card.site_kind != "storage":
            raise DomainError(
                f"{self._card.site_name} is not a storage site; cases are checked only in storage audits."
            )
        case = case_card(found.case_number, self.wf.config)
        self.case = case.number
        owner = f"{case.student.name}'s" if case.student else "empty in the records"
        return self._out(found.code, True, "info", "audit", f"CASE-{case.number} ({owner}): scan the device in it.",
                         case=case)  # fmt: skip

    def done(self, code: str) -> Outcome:
        if self._card is None:
            return self._out(code, True, "info", "done", "No audit is open. " + HINT)
        card = audits.finish_audit(self.wf.actor, self._card.id)
        self._card, self.case = None, None
        return self._out(
            code, True, "done", "done", f"Audit of {card.site_name} finished: {summary(card)}.", audit=card
        )

    def cancel(self, code: str) -> Outcome:
        """$CANCEL drops an armed case; with none, it asks before abandoning the open audit."""
        from kiosk.workflow import _Pending

        if self.case is not None:
            self.case = None
            return self._out(code, True, "info", "cancelled", "Case cleared. Scan the next device or CASE- tag.")
        if self._card is None:
            return self._out(code, True, "info", "cancelled", "Cleared. " + HINT)
        card = self._card

        def abandon(_confirmed: tuple[str, ...]) -> Outcome:
            done = audits.abandon_audit(self.wf.actor, card.id)
            self._card, self.case = None, None
            return self._out(code, True, "done", "cancelled",
                             f"Audit of {done.site_name} abandoned; nothing was changed.", audit=done)  # fmt: skip

        message = f"Abandon the audit of {card.site_name} ({summary(card)})?"
        self.wf.pending = _Pending(abandon, (), message)
        return self._out(code, True, "warn", "confirm", f"{message} $CONFIRM abandons it; $CANCEL goes on scanning.")
