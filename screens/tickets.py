"""The technician's ticket list: every unresolved repair ticket, oldest first (F11 on the station).

The list is read in a thread worker through the ``list_tickets`` port; the
service checks the role, so an operator who presses F11 reads why not. On the
highlighted ticket, S / I / P move it to sent out, in repair or awaiting parts,
R resolves it as repaired (the device is available at this station's site) and
U, pressed twice, as unrepairable (the device is disposed). Costs and notes
are for ``kiosk tickets update``. Esc or F11 goes back to the scan field.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from kiosk.accountability import TicketCard
from kiosk.dto import Actor
from kiosk.errors import KioskError
from screens.cards import money
from screens.ports import Services

TICKET_ROLES = ("technician", "admin")
"""Who sees F11 in the key bar (the service decides who may read the list)."""
COLUMNS = ("#", "Device", "Status", "Student", "Loaner", "Opened", "Cost", "Problem")


def ticket_row(ticket: TicketCard) -> tuple[str, ...]:
    """One table row for a ticket."""
    student = ticket.student_name or "-"
    return (
        str(ticket.id),
        ticket.asset_tag,
        ticket.status.replace("_", " ").upper(),
        student,
        ticket.loaner or "-",
        ticket.opened,
        money(ticket.cost_cents),
        ticket.problem or "-",
    )


class TicketListScreen(ModalScreen[None]):
    """Unresolved repair tickets for the technician at the station."""

    DEFAULT_CSS = """
    TicketListScreen { align: center middle; }
    TicketListScreen > Vertical {
        width: 100%; height: 100%; border: heavy #55FFFF; background: #000000; padding: 0 1;
    }
    TicketListScreen #tickets-message { height: auto; margin-bottom: 1; }
    TicketListScreen #tickets-message.-error { color: #FF5555; text-style: bold; }
    TicketListScreen DataTable { height: 1fr; }
    """
    BINDINGS: ClassVar = [
        Binding("escape", "close", "Back"),
        Binding("f11", "close", "Back", show=False),
        Binding("s", "move('sent_out')", "Sent out"),
        Binding("i", "move('in_repair')", "In repair"),
        Binding("p", "move('awaiting_parts')", "Awaiting parts"),
        Binding("r", "move('repaired')", "Repaired"),
        Binding("u", "move('unrepairable')", "Unrepairable"),
    ]
    KEYS_HINT = "S sent out · I in repair · P awaiting parts · R repaired · U unrepairable (twice) · Esc back"

    class Loaded(Message):
        """The list came back from the worker (``error`` set when it was refused)."""

        def __init__(self, tickets: tuple[TicketCard, ...], error: str | None, keep: str = "") -> None:
            super().__init__()
            self.tickets = tickets
            self.error = error
            self.keep = keep
            """A sentence to keep showing above the refreshed list (what was just done)."""

    class Moved(Message):
        """A ticket move came back from the worker: the sentence to show, and whether it was refused."""

        def __init__(self, text: str, error: bool) -> None:
            super().__init__()
            self.text = text
            self.error = error

    def __init__(self, services: Services, actor: Actor) -> None:
        super().__init__()
        self.services = services
        self.actor = actor
        self.tickets: tuple[TicketCard, ...] = ()
        """What the list shows (tests read it)."""
        self.loaded = False
        """True once the worker answered."""
        self.armed: tuple[int, str] | None = None
        """(ticket, status) waiting for its second key press (unrepairable disposes of the device)."""
        self.last_message = ""
        """The latest sentence shown above the list (tests read it)."""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Repair tickets"
            box.border_subtitle = self.KEYS_HINT
            yield Static(Text("Reading the tickets...", "bold"), id="tickets-message")
            yield DataTable(id="tickets-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self._load()

    @work(thread=True, exit_on_error=False, group="tickets")
    def _load(self, keep: str = "") -> None:
        try:
            found = self.services.list_tickets(self.actor)
            self.post_message(self.Loaded(tuple(found), None, keep))
        except KioskError as exc:
            self.post_message(self.Loaded((), exc.message))
        finally:
            self.services.release_thread()

    def _say(self, text: str, error: bool = False) -> None:
        self.last_message = text
        note = self.query_one("#tickets-message", Static)
        note.set_class(error, "-error")
        note.update(Text(text, "bold"))

    def action_move(self, status: str) -> None:
        """Move the highlighted ticket to ``status`` (unrepairable asks for a second press)."""
        table = self.query_one(DataTable)
        if not self.tickets or table.cursor_row is None or table.cursor_row >= len(self.tickets):
            return
        ticket = self.tickets[table.cursor_row]
        if status == "unrepairable" and self.armed != (ticket.id, status):
            self.armed = (ticket.id, status)
            self._say(f"Press U again to mark ticket {ticket.id} unrepairable: {ticket.asset_tag} will be disposed.")
            return
        self.armed = None
        self._move(ticket.id, status)

    @work(thread=True, exit_on_error=False, group="tickets")
    def _move(self, ticket_id: int, status: str) -> None:
        try:
            card = self.services.update_ticket(self.actor, ticket_id, status)
            where = {
                "repaired": f" {card.asset_tag} is available at {card.device_site}.",
                "unrepairable": f" {card.asset_tag} is disposed.",
            }.get(card.status, "")
            self.post_message(self.Moved(f"Ticket {card.id} is {card.status.replace('_', ' ')}.{where}", False))
        except KioskError as exc:
            self.post_message(self.Moved(exc.message, True))
        finally:
            self.services.release_thread()

    def on_ticket_list_screen_moved(self, message: Moved) -> None:
        self._say(message.text, message.error)
        if not message.error:
            self._load(message.text)

    def on_ticket_list_screen_loaded(self, message: Loaded) -> None:
        self.tickets = message.tickets
        self.loaded = True
        if message.error is not None:
            self._say(message.error, error=True)
            return
        table = self.query_one(DataTable)
        table.clear()
        for ticket in message.tickets:
            table.add_row(*ticket_row(ticket), key=str(ticket.id))
        waiting = sum(1 for t in message.tickets if t.status == "awaiting_parts")
        count = len(message.tickets)
        summary = f"{count} open ticket{'s' if count != 1 else ''}" if count else "No open tickets"
        if waiting:
            summary += f", {waiting} awaiting parts"
        self._say(f"{message.keep} {summary}." if message.keep else f"{summary}.")

    def action_close(self) -> None:
        self.dismiss(None)
