"""The station screen: one scan field, the outcome banner, the cards, the tally.

Scans and keys go into one :class:`ScanQueue`; one long-running thread worker
applies them through the session in order and posts each outcome back as an
:class:`StationScreen.Applied` message, which renders it. The screen decides
only what to show, never what a scan means.

Codes read from the evdev scanner arrive through the App (which owns the
reader, see :mod:`screens.app`) as the same ``ScanField.Scanned`` message a
keyboard-wedge scan makes, so they share the queue, the order and the
one-outcome rule. The screen only shows the scanner's state: the hidden
``#scanner`` line turns red while the scanner is away and yellow for a scan cut
off by an unplug.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from kiosk.config import Config
from kiosk.dto import Actor
from kiosk.outcome import Outcome
from screens.admin import ADMIN_ROLE, REFUSAL, AdminScreen
from screens.audit import AuditCardView
from screens.banner import OutcomeBanner, armed_for
from screens.cards import Card, CaseView, StudentCardView, TransferCardView, device_text, location_text
from screens.parts import part
from screens.ports import Services, Session, TallyView
from screens.scanfield import ScanField
from screens.scanqueue import Job, ScanQueue
from screens.tickets import TICKET_ROLES, TicketListScreen
from screens.widgets import BusyIndicator, KeyBar, ScannerStatus, StationHeader, TallyBar

log = logging.getLogger("kiosk.station")

UNEXPECTED = (
    "Something went wrong at this station ({error}); that scan was not applied. Scan it again or call a technician."
)


class StationScreen(Screen, inherit_bindings=False):
    """The working screen of a signed-in operator."""

    AUTO_FOCUS = "#scan"

    KEYS: ClassVar[dict[str, tuple[str, str, str]]] = {
        "f2": ("switch", "ISSUE", "Issue"),
        "f3": ("switch", "RETURN", "Return"),
        "f4": ("switch", "TRANSFER", "Transfer"),
        "f5": ("switch", "LOOKUP", "Lookup"),
        "f6": ("switch", "CASE", "Case"),
        "f8": ("scan", "$DONE", "Done"),
        "f9": ("scan", "$CONFIRM", "Confirm"),
        "escape": ("scan", "$CANCEL", "Cancel"),
        "f12": ("scan", "$LOCK", "Lock"),
        "f7": ("switch", "STATUS", "Status"),
    }
    """Function keys: what each queues (a mode switch or the command code it stands for), in footer order."""

    BINDINGS: ClassVar = [
        *(Binding(key, f"key('{key}')", label, key_display="Esc" if key == "escape" else None)
          for key, (_, _, label) in KEYS.items()),
        Binding("ctrl+q", "app.leave", "Leave", key_display="^Q"),
        Binding("f11", "tickets", "Tickets", show=False),
        Binding("f10", "admin", "Admin", show=False),
    ]  # fmt: skip

    class Applied(Message):
        """A queued job was applied (posted from the worker thread)."""

        def __init__(self, job: Job, outcome: Outcome, tally: TallyView) -> None:
            super().__init__()
            self.job = job
            self.outcome = outcome
            self.tally = tally

    class Reconnecting(Message):
        """The database went away; the scan being applied is kept and retried (posted from the worker)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Locked(Message):
        """The session ended on $LOCK; ``dropped`` scans queued after it were not applied."""

        def __init__(self, dropped: int) -> None:
            super().__init__()
            self.dropped = dropped

    def __init__(self, services: Services, config: Config, actor: Actor, session: Session) -> None:
        super().__init__()
        self.services = services
        self.config = config
        self.actor = actor
        self.session = session
        self.queue = ScanQueue()
        """Every scan and key, in the order read; one worker drains it."""
        self.last_outcome: Outcome | None = None
        """The most recent outcome shown (tests and screenshots read it)."""
        self.reconnects = 0
        """How many times this session waited for the database to come back."""
        self.applied: deque[Job] = deque(maxlen=500)
        """The latest jobs in the order their outcomes arrived (tests check it equals the order queued)."""

    def compose(self) -> ComposeResult:
        operator = f"{self.actor.name} ({self.actor.role})"
        yield StationHeader(self.config.station, self.config.station_site, operator, id="header")
        with Horizontal(id="scan-row"):
            yield Static("SCAN", id="scan-label")
            yield ScanField(
                prefix=self.config.scan_prefix, suffix=self.config.scan_suffix, shortcuts=frozenset(self.KEYS),
                id="scan", placeholder="scan here",
            )  # fmt: skip
            yield BusyIndicator("", id="busy")
        yield ScannerStatus(id="scanner")
        yield OutcomeBanner(id="banner")  # with the armed condition of RETURN and STATUS
        with Horizontal(id="cards"):
            yield StudentCardView("Student", "No student scanned yet.", id="student")
            yield TransferCardView("Transfer", "Scan the LOC- card of the destination.", id="transfer")
            yield Card("Device", "No device scanned yet.", id="device")
            yield Card("Location", "", id="location")
            yield CaseView(id="case")
            yield AuditCardView("Audit", "Scan the LOC- card of the site to audit.", id="audit")
        yield TallyBar(id="tally")
        admin = [Binding("f10", "admin", "Admin")] if self.actor.role == ADMIN_ROLE else []
        tickets = [Binding("f11", "tickets", "Tickets")] if self.actor.role in TICKET_ROLES else []
        yield KeyBar([*self.BINDINGS, *tickets, *admin], id="keys")

    def on_mount(self) -> None:
        mode = str(self.session.mode)
        self.query_one(OutcomeBanner).armed = armed_for(mode, None)
        self.query_one(OutcomeBanner).show("info", f"Signed in as {self.actor.name}. {mode} mode: scan to begin.")
        self._show_state(mode, None)
        self.query_one(TallyBar).show_tally(TallyView.of(self.session.tally))
        state = getattr(self.app, "scanner_state", None)
        if state is not None:  # the scanner went away (or came back) before this operator signed in
            self.show_scanner(*state)
        self._drain()

    def on_unmount(self) -> None:
        self.queue.close()

    # -- input -----------------------------------------------------------------

    def on_scan_field_scanned(self, message: ScanField.Scanned) -> None:
        message.stop()
        self._enqueue("scan", message.code)

    def on_scan_field_shortcut(self, message: ScanField.Shortcut) -> None:
        message.stop()
        self.action_key(message.key)

    def action_key(self, key: str) -> None:
        """A function key: queued behind earlier scans like the code it stands for."""
        kind, value, _ = self.KEYS[key]
        self._enqueue(kind, value)

    def action_admin(self) -> None:
        """F10: the admin actions; anyone else reads the refusal on the banner."""
        if self.actor.role != ADMIN_ROLE:
            self.query_one(OutcomeBanner).show("error", REFUSAL)
            if self.config.bell:
                self.app.bell()
            return
        self.app.push_screen(AdminScreen(self.services, self.actor))

    def action_tickets(self) -> None:
        """F11: the repair ticket list (the service refuses roles that may not see it)."""
        self.app.push_screen(TicketListScreen(self.services, self.actor))

    def _enqueue(self, kind: str, value: str) -> None:
        self.queue.put(kind, value)
        part(self, BusyIndicator).show_busy(self.queue.waiting)
        scanner = part(self, ScannerStatus)
        if scanner.notice:  # the operator scanned again (or pressed a key): the cut-off notice has done its job
            scanner.show_notice(None)

    def on_descendant_blur(self) -> None:
        # The scan field must always have focus: a scanner types blind.
        self.call_after_refresh(self._refocus)

    def _refocus(self) -> None:
        if self.is_current:
            self.query_one(ScanField).focus()

    # -- the one worker ----------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="scan-queue", name="scan-queue")
    def _drain(self) -> None:
        """Apply queued jobs one at a time, in order, until the session ends or the screen goes."""
        worker = get_current_worker()
        try:
            while not worker.is_cancelled:
                try:
                    job = self.queue.get(timeout=0.2)
                except EOFError:
                    return
                if job is None:
                    continue
                outcome = self._apply(job)
                self.post_message(self.Applied(job, outcome, TallyView.of(self.session.tally)))
                if outcome.event == "lock":
                    # Scans already queued behind $LOCK must not be applied as this operator.
                    self.post_message(self.Locked(len(self.queue.discard())))
                    return
        finally:
            self.services.release_thread()

    def _apply(self, job: Job) -> Outcome:
        """Run one job through the session (worker thread); an unexpected failure becomes a red outcome."""
        started = time.monotonic()
        try:
            if job.kind == "switch":
                return self.session.switch(job.value)
            return self.session.handle(job.value, job.idem_key, on_wait=self._reconnecting)
        except Exception as exc:  # the station must keep working whatever one scan does
            log.exception("scan %s (job %s) failed unexpectedly", job.value[:64], job.seq)
            return Outcome(
                scan=job.value,
                ok=False,
                level="error",
                event="error",
                message=UNEXPECTED.format(error=type(exc).__name__),
                mode=str(self.session.mode),
            )
        finally:
            log.debug("job %s applied in %.3fs", job.seq, time.monotonic() - started)

    def _log_outcome(self, job: Job, outcome: Outcome) -> None:
        """One line in kiosk.log per scan: what it was and what came of it. Students appear by district ID;
        their names (and the banner's sentence, which names them) only with ``log_names = true``."""
        student = outcome.student
        who = f" student {student.id}" if student is not None else ""
        if student is not None and self.config.log_names:
            who += f" ({student.name})"
        device = f" device {outcome.device.asset_tag}" if outcome.device is not None else ""
        said = f": {outcome.message}" if self.config.log_names else ""
        log.info("job %s %s %r -> %s%s%s%s", job.seq, job.kind, job.value[:64], outcome.event, who, device, said)

    def _reconnecting(self, message: str) -> None:
        """Worker thread: the database is away and the scan waits for it (later scans wait behind it)."""
        self.post_message(self.Reconnecting(message))

    # -- output ------------------------------------------------------------------

    def on_station_screen_reconnecting(self, message: Reconnecting) -> None:
        self.reconnects += 1
        log.warning("database unavailable; waiting to reconnect (%s)", self.reconnects)
        self.query_one(OutcomeBanner).show("warn", message.text)
        self.query_one(BusyIndicator).show_busy(self.queue.waiting)

    def on_station_screen_applied(self, message: Applied) -> None:
        self.queue.answered()
        self.applied.append(message.job)
        self.last_outcome = message.outcome
        self._log_outcome(message.job, message.outcome)
        try:
            self.render_outcome(message.outcome, message.tally)
        except Exception as exc:  # a rendering bug must not take the station down
            log.exception("rendering the outcome of job %s failed", message.job.seq)
            part(self, OutcomeBanner).show("error", UNEXPECTED.format(error=type(exc).__name__))
        part(self, BusyIndicator).show_busy(self.queue.waiting)

    def show_scanner(self, connected: bool, message: str) -> None:
        """The evdev scanner appeared or went away (the App calls this); typed codes work either way."""
        self.query_one(ScannerStatus).show_connection(connected, message)

    def show_scanner_notice(self, message: str) -> None:
        """A scan cut off by an unplug was discarded: say so until the next scan; it is not a scan outcome."""
        self.query_one(ScannerStatus).show_notice(message)
        if self.config.bell:
            self.app.bell()

    def on_station_screen_locked(self, message: Locked) -> None:
        note = ""
        if message.dropped:
            note = f"{message.dropped} scan(s) made after the lock were not applied; scan them again after signing in."
        self.app.lock(note)

    def render_outcome(self, outcome: Outcome, tally: TallyView) -> None:
        """Show one outcome: banner, mode, armed condition, cards, tally; ring the bell on a refusal."""
        part(self, OutcomeBanner).show_outcome(outcome)
        self._show_state(outcome.mode, outcome)
        part(self, TallyBar).show_tally(tally)
        if outcome.level == "error" and self.config.bell:
            self.app.bell()

    def _show_state(self, mode: str, outcome: Outcome | None) -> None:
        part(self, StationHeader).show_mode(mode)
        student = outcome.student if outcome else None
        device = outcome.device if outcome else None
        case = outcome.case if outcome else None
        location = outcome.location if outcome else None
        # Which cards a mode shows is layout, not a rule: every fact comes from the outcome.
        if mode == "CASE" or (mode == "LOOKUP" and case is not None):
            visible = {"case"}
        elif mode == "TRANSFER":
            visible = {"transfer", "device"}
        elif mode == "AUDIT":
            visible = {"audit"}
        elif location is not None and mode == "LOOKUP":
            visible = {"location"}
        else:
            visible = {"student", "device"}
        for card_id in ("student", "transfer", "device", "location", "case", "audit"):
            part(self, f"#{card_id}").display = card_id in visible
        part(self, StudentCardView).show_student(student)
        part(self, "#device", Card).show(device_text(device) if device else None)
        if outcome is not None:
            part(self, TransferCardView).show_transfer(outcome.destination, outcome.moved)
            if location is not None:
                part(self, "#location", Card).show(location_text(location))
        part(self, CaseView).show_case(case, student if mode == "CASE" else None)
        part(self, AuditCardView).show_audit(outcome.audit if outcome else None)
