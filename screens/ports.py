"""What the screens need from the engine, passed in by the composition root (kiosk/app.py).

The screens never import the workflow or the services directly: those reach
the database models, and the import-linter contract keeps ``screens`` away from
them. Tests build the same ports on a test database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from kiosk.accountability import TicketCard
from kiosk.dto import Actor
from kiosk.errors import KioskError
from kiosk.outcome import Outcome, Tally


class Session(Protocol):
    """One operator's scan session (kiosk.workflow.Workflow behind an adapter)."""

    mode: str
    """The current mode's name (``ISSUE``, ``RETURN``, ...)."""
    tally: Tally

    def handle(self, raw: str, idem_key: str, on_wait: Callable[[str], None] | None = None) -> Outcome:
        """Apply one scan; always returns its one outcome. While the database is away the scan is
        retried with the same key and ``on_wait(message)`` is called before each wait."""
        ...

    def switch(self, mode: str) -> Outcome:
        """Change mode as scanning ``$<MODE>`` would (the workflow refuses what the role may not do)."""
        ...


class ScannerHandle(Protocol):
    """A barcode scanner read in the background (kiosk.scanner.source.ScannerSource behind it)."""

    def start(self) -> None:
        """Start looking for the scanner and reading it; returns at once."""
        ...

    def stop(self) -> None:
        """Stop reading, release the scanner and end the reader thread."""
        ...


class ScannerFactory(Protocol):
    """Builds the station's scanner reader around three callbacks.

    The callbacks are called from the reader's own thread, never the UI's:
    ``on_code(code)`` for each decoded scan, ``on_status(connected, message)``
    when the scanner appears or goes away, ``on_notice(message)`` for a scan cut
    off by an unplug.
    """

    def __call__(
        self,
        *,
        on_code: Callable[[str], None],
        on_status: Callable[[bool, str], None],
        on_notice: Callable[[str], None],
    ) -> ScannerHandle: ...


@dataclass(frozen=True)
class AdminAction:
    """One entry of the station's admin actions (F10, admins only)."""

    label: str
    """What the menu shows, e.g. "Student lists for this site"."""
    run: Callable[[Actor, Callable[[float, str], None]], str]
    """Does the work in a worker thread for the signed-in ``actor`` (whose role the service re-checks),
    calling ``progress(fraction 0..1, step)`` as it goes; returns the sentence
    to show (usually the path written). Raises a KioskError whose message is shown in red."""


def _no_tickets():
    raise KioskError("Repair tickets are not available at this station.")


@dataclass(frozen=True)
class Services:
    """The use cases the station calls. Each may touch the database, so screens call them from thread workers."""

    sign_in: Callable[[str, str], Actor]
    """badge, PIN -> Actor; raises a KioskError (SignInFailed, OperatorLocked, ...) with an operator-readable message."""
    verify_admin: Callable[[str, str], Actor]
    """badge, PIN -> Actor only for an admin (leaving the kiosk); raises a KioskError otherwise."""
    open_session: Callable[[Actor], Session]
    """A fresh scan session for a signed-in operator (no database work)."""
    release_thread: Callable[[], None] = field(default=lambda: None)
    """Close the calling thread's database connection; worker threads call it before they end."""
    list_tickets: Callable[[Actor], tuple[TicketCard, ...]] = field(default=lambda actor: ())
    """Unresolved repair tickets (technicians); raises a KioskError for a role that may not see them."""
    update_ticket: Callable[[Actor, int, str], TicketCard] = field(default=lambda actor, ticket, status: _no_tickets())
    """Move ticket number ``ticket`` to ``status``; raises a KioskError with the reason when it may not move."""
    admin_actions: tuple[AdminAction, ...] = ()
    """The admin actions this station offers, in menu order."""
    scanner: ScannerFactory | None = None
    """The scanner read through evdev (the ``[scanner]`` config table); None: the keyboard wedge only."""


@dataclass(frozen=True)
class TallyView:
    """A copy of the shift tally taken in the worker thread, so the UI never reads live workflow state."""

    issued: int = 0
    returned: int = 0
    transferred: int = 0
    refused: int = 0
    scans: int = 0
    per_hour: float = 0.0

    @classmethod
    def of(cls, tally: Tally) -> TallyView:
        """Snapshot ``tally`` now."""
        return cls(tally.issued, tally.returned, tally.transferred, tally.refused, tally.scans, tally.per_hour())
