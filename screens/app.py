"""The station App: sign-in, the station screen, idle lock and the admin-only way out.

The App owns its keys: no inherited bindings, no command palette, ctrl+c does
nothing and ctrl+q asks for an admin. It is built with its services and
configuration passed in (kiosk/app.py in production, the tests on a test
database).
"""

from __future__ import annotations

import logging
import time
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.theme import Theme

from kiosk.config import Config
from kiosk.dto import Actor
from screens.ports import Services
from screens.signin import LeaveScreen, SignInScreen
from screens.station import StationScreen

log = logging.getLogger("kiosk.station")

# The sixteen VGA colours: what the Linux console shows, and what Rich maps any
# colour to on a 16-colour terminal. Picking them exactly means nothing shifts
# hue when a station boots on tty1 instead of in a modern terminal.
KIOSK_THEME = Theme(
    name="kiosk",
    primary="#5555FF",
    secondary="#00AAAA",
    accent="#FFFF55",
    warning="#FFFF55",
    error="#FF5555",
    success="#55FF55",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#0000AA",
    dark=True,
)


def _duration(seconds: int) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


class StationApp(App[None], inherit_bindings=False):
    """The full-screen checkout station."""

    CSS_PATH = "kiosk.tcss"
    ENABLE_COMMAND_PALETTE = False
    TITLE = "kiosk"
    BINDINGS: ClassVar = [
        # Priority: even a focused input cannot swallow the way out.
        Binding("ctrl+q", "leave", "Leave (admin)", show=False, priority=True),
    ]

    def __init__(self, config: Config, services: Services, **kwargs) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.services = services
        self.last_activity = time.monotonic()
        """When a key was last pressed; the idle lock counts from here."""
        self.actor: Actor | None = None
        """Who is signed in; None while the station is locked."""

    def on_mount(self) -> None:
        self.register_theme(KIOSK_THEME)
        self.theme = "kiosk"
        self.push_screen(SignInScreen(self.services, self.config))
        if self.config.idle_lock_seconds > 0:  # 0 turns the idle lock off (a supervised table)
            interval = max(0.05, min(1.0, self.config.idle_lock_seconds / 4))
            self.set_interval(interval, self._check_idle, name="idle-lock")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.last_activity = time.monotonic()
        await super().on_event(event)

    # -- sessions ------------------------------------------------------------------

    def signed_in(self, actor: Actor) -> None:
        """Open a session for ``actor`` and show the station screen."""
        self.actor = actor
        self.last_activity = time.monotonic()
        log.info("%s (%s) signed in at %s", actor.badge, actor.role, self.config.station)
        session = self.services.open_session(actor)
        while isinstance(self.screen, ModalScreen):
            self.pop_screen()
        self.switch_screen(StationScreen(self.services, self.config, actor, session))

    def lock(self, note: str = "") -> None:
        """End the session and show only the sign-in."""
        if self.actor is not None:
            log.info("station %s locked (%s)", self.config.station, self.actor.badge)
        self.actor = None
        while isinstance(self.screen, ModalScreen):
            self.pop_screen()
        self.switch_screen(SignInScreen(self.services, self.config, note=note or "Station locked."))

    def _check_idle(self) -> None:
        if self.actor is None:
            return  # already locked (the old station screen may still be leaving the stack)
        screen = next((s for s in self.screen_stack if isinstance(s, StationScreen)), None)
        if screen is None or screen.queue.waiting:
            return  # nothing to lock, or scans still being applied: never lock in the middle of them
        if time.monotonic() - self.last_activity >= self.config.idle_lock_seconds:
            self.lock(f"Locked after {_duration(self.config.idle_lock_seconds)} without a scan.")

    # -- leaving -------------------------------------------------------------------

    def action_leave(self) -> None:
        """ctrl+q: ask for an admin badge and PIN; only then does the program end."""
        if isinstance(self.screen, LeaveScreen):
            return
        self.push_screen(LeaveScreen(self.services, self.config), self._left)

    def _left(self, ok: bool | None) -> None:
        if ok:
            self.exit()
