"""The admin actions (F10 on the station, admins only): a list of jobs such as printing a site's student lists.

The actions come from the composition root as :class:`screens.ports.AdminAction`
values; this screen knows none of them by name. The chosen action runs in a
thread worker, reports its progress as messages (shown in a progress bar) and
ends with one sentence, usually the path of the file it wrote. Esc goes back
to the scan field, except while an action is running.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from kiosk.dto import Actor
from kiosk.errors import KioskError
from screens.ports import AdminAction, Services

log = logging.getLogger("kiosk.station")

ADMIN_ROLE = "admin"
REFUSAL = "Admin actions need an admin; call one over."
"""What a non-admin reads on the station banner after pressing F10."""


class AdminScreen(ModalScreen[None], inherit_bindings=False):
    """The admin actions of this station, one at a time."""

    DEFAULT_CSS = """
    AdminScreen { align: center middle; background: #000000; }
    AdminScreen > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: solid #FFFFFF; border-title-style: bold; background: #000000; padding: 0 1;
    }
    AdminScreen OptionList { height: auto; max-height: 12; border: none; margin: 1 0; }
    AdminScreen OptionList:focus { border: none; }
    AdminScreen ProgressBar { margin-bottom: 1; }
    AdminScreen #admin-step { color: #AAAAAA; height: 1; }
    AdminScreen #admin-result { height: auto; }
    AdminScreen #admin-result.-done { background: #00AA00; color: #000000; text-style: bold; }
    AdminScreen #admin-result.-error { background: #AA0000; color: #FFFFFF; text-style: bold; }
    AdminScreen #admin-hint { color: #AAAAAA; margin-top: 1; }
    """
    BINDINGS: ClassVar = [Binding("escape", "back", "Back"), Binding("f10", "back", "Back", show=False)]

    class Progressed(Message):
        """The running action reported how far it is (posted from the worker thread)."""

        def __init__(self, fraction: float, text: str) -> None:
            super().__init__()
            self.fraction = fraction
            self.text = text

    class Finished(Message):
        """The running action ended: its sentence, and whether it succeeded."""

        def __init__(self, label: str, sentence: str, ok: bool) -> None:
            super().__init__()
            self.label = label
            self.sentence = sentence
            self.ok = ok

    def __init__(self, services: Services, actor: Actor) -> None:
        super().__init__()
        self.actor = actor
        """Who runs the actions: each one re-checks this operator's role in the database."""
        self.services = services
        self.actions: tuple[AdminAction, ...] = services.admin_actions
        self.running: AdminAction | None = None
        """The action whose worker is running, if any."""
        self.result: tuple[bool, str] | None = None
        """(succeeded, sentence) of the last action that ended (tests read it)."""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Admin actions"
            if self.actions:
                yield OptionList(
                    *(Option(f"{n}. {a.label}", id=f"action-{n}") for n, a in enumerate(self.actions, 1)),
                    id="admin-actions",
                )
            else:
                yield Static("This station offers no admin actions.", id="admin-none")
            yield ProgressBar(total=100, show_eta=False, id="admin-progress")
            yield Static("", id="admin-step")
            yield Static("", id="admin-result")
            yield Static("Arrows and Enter choose an action. Esc goes back to the station.", id="admin-hint")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        if self.actions:
            self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        message.stop()
        if self.running is not None:
            self.app.bell()
            return
        action = self.actions[message.option_index]
        self.running = action
        self.query_one(OptionList).disabled = True
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(progress=0)
        result = self.query_one("#admin-result", Static)
        result.update("")
        result.remove_class("-done", "-error")
        self.query_one("#admin-step", Static).update(f"{action.label}: starting...")
        self._run(action)

    @work(thread=True, exclusive=True, exit_on_error=False, group="admin-action")
    def _run(self, action: AdminAction) -> None:
        def progress(fraction: float, text: str) -> None:
            self.post_message(self.Progressed(fraction, text))

        try:
            sentence, ok = action.run(self.actor, progress), True
        except KioskError as exc:
            sentence, ok = exc.message, False
        except Exception as exc:  # the station stays up whatever an action does
            log.exception("admin action %r failed unexpectedly", action.label)
            sentence, ok = (
                f"{action.label} failed ({type(exc).__name__}); nothing more was done. Call a technician.",
                False,
            )
        finally:
            self.services.release_thread()
        self.post_message(self.Finished(action.label, sentence, ok))

    def on_admin_screen_progressed(self, message: Progressed) -> None:
        self.query_one(ProgressBar).update(progress=max(0.0, min(1.0, message.fraction)) * 100)
        if self.running is not None:
            self.query_one("#admin-step", Static).update(f"{self.running.label}: {message.text}")

    def on_admin_screen_finished(self, message: Finished) -> None:
        self.running = None
        self.result = (message.ok, message.sentence)
        if message.ok:
            self.query_one(ProgressBar).update(progress=100)
        elif self.app.config.bell:
            self.app.bell()
        self.query_one("#admin-step", Static).update(f"{message.label}: {'done' if message.ok else 'refused'}.")
        result = self.query_one("#admin-result", Static)
        result.update(Text(message.sentence))
        result.set_class(message.ok, "-done")
        result.set_class(not message.ok, "-error")
        actions = self.query_one(OptionList)
        actions.disabled = False
        actions.focus()

    def action_back(self) -> None:
        """Back to the station, unless an action is still running."""
        if self.running is not None:
            self.query_one("#admin-step", Static).update(f"{self.running.label} is still running; wait for it.")
            self.app.bell()
            return
        self.dismiss(None)
