"""Signing in (the only thing a locked station shows) and the admin check for leaving the kiosk.

Both ask for a badge (scanned or typed) and a PIN (masked), and check them in a
thread worker through the services; the answer comes back as a message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from kiosk.config import Config
from kiosk.dto import Actor
from kiosk.errors import KioskError
from screens.ports import Services
from screens.scanfield import ScanField
from screens.widgets import KeyBar

log = logging.getLogger("kiosk.station")


class BadgeForm(Vertical):
    """Badge then PIN. Posts :class:`BadgeForm.Submitted`; the screen checks the pair."""

    class Submitted(Message):
        """A badge and a PIN were entered."""

        def __init__(self, badge: str, pin: str) -> None:
            super().__init__()
            self.badge = badge
            self.pin = pin

    def __init__(self, title: str, config: Config, prompt: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = title
        self.config = config
        self.prompt = prompt
        """The line shown under the fields until something happens."""
        self._badge = ""

    def compose(self) -> ComposeResult:
        yield Static("Badge", classes="form-label")
        yield ScanField(
            prefix=self.config.scan_prefix, suffix=self.config.scan_suffix, placeholder="scan your badge",
            classes="badge",
        )  # fmt: skip
        yield Static("PIN", classes="form-label")
        yield Input(password=True, placeholder="type your PIN, then Enter", classes="pin", select_on_focus=False)
        yield Static(Text(self.prompt, "bold"), classes="form-message")

    def on_scan_field_scanned(self, message: ScanField.Scanned) -> None:
        message.stop()
        self._badge = message.code
        badge = self.query_one(".badge", ScanField)
        # Keep the badge visible while the PIN is typed; a new scan replaces it.
        badge.placeholder = message.code
        self.query_one(".pin", Input).focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        pin = self.query_one(".pin", Input)
        if not self._badge:
            self.say("Scan your badge first.", error=True)
            self.query_one(".badge", ScanField).focus()
            return
        if not pin.value:
            return
        self.post_message(self.Submitted(self._badge, pin.value))
        pin.value = ""
        self.disabled = True
        self.say("Checking...")

    def reset(self, message: str, *, error: bool = False) -> None:
        """Clear both fields, say ``message`` and wait for the next badge."""
        self._badge = ""
        self.disabled = False
        badge = self.query_one(".badge", ScanField)
        badge.value = ""
        badge.placeholder = "scan your badge"
        self.query_one(".pin", Input).value = ""
        self.say(message, error=error)
        badge.focus()

    def say(self, message: str, *, error: bool = False) -> None:
        """One line under the form; red for a refusal."""
        line = self.query_one(".form-message", Static)
        line.update(Text(message, "bold"))
        line.set_class(error, "-error")


class BadgeCheck:
    """The worker both screens use: check a badge and PIN off the UI thread, answer with a message."""

    class Checked(Message):
        """The services answered: an actor, or the refusal's sentence."""

        def __init__(self, actor: Actor | None, error: str | None) -> None:
            super().__init__()
            self.actor = actor
            self.error = error

    services: Services

    def _check_call(self) -> Callable[[str, str], Actor]:
        raise NotImplementedError

    @work(thread=True, exclusive=True, exit_on_error=False, group="sign-in")
    def _check(self, badge: str, pin: str) -> None:
        try:
            actor, error = self._check_call()(badge, pin), None
        except KioskError as exc:
            actor, error = None, exc.message
        except Exception as exc:  # never leave the form stuck on "Checking..."
            log.exception("badge check failed unexpectedly")
            actor, error = None, f"The check failed ({type(exc).__name__}); try again or call a technician."
        finally:
            self.services.release_thread()
        self.post_message(self.Checked(actor, error))


class SignInScreen(BadgeCheck, Screen, inherit_bindings=False):
    """The locked station: district, station, and the sign-in form; nothing else."""

    AUTO_FOCUS = ".badge"
    BINDINGS: ClassVar = [Binding("ctrl+q", "app.leave", "Leave (admin)", key_display="^Q")]

    def __init__(self, services: Services, config: Config, note: str = "") -> None:
        super().__init__()
        self.services = services
        self.config = config
        self.note = note
        """Why the station is locked (idle, $LOCK, dropped scans); shown under the form."""

    def compose(self) -> ComposeResult:
        with Vertical(id="signin"):
            yield Static(Text(self.config.district_name, "bold"), id="signin-district")
            site = f" · site {self.config.station_site}" if self.config.station_site else ""
            yield Static(f"Station {self.config.station}{site}", id="signin-station")
            yield BadgeForm("Sign in", self.config, "Scan your badge, then type your PIN.", id="signin-form")
            yield Static(self.note, id="signin-note")
        yield KeyBar(self.BINDINGS, id="keys")

    def _check_call(self) -> Callable[[str, str], Actor]:
        return self.services.sign_in

    def on_badge_form_submitted(self, message: BadgeForm.Submitted) -> None:
        self._check(message.badge, message.pin)

    def on_badge_check_checked(self, message: BadgeCheck.Checked) -> None:
        if message.actor is None:
            if self.config.bell:
                self.app.bell()
            self.query_one(BadgeForm).reset(message.error or "Sign-in refused.", error=True)
            return
        self.app.signed_in(message.actor)


class LeaveScreen(BadgeCheck, ModalScreen[bool], inherit_bindings=False):
    """Leaving the kiosk needs an admin badge and PIN. Dismisses with True only for an admin."""

    AUTO_FOCUS = ".badge"
    BINDINGS: ClassVar = [Binding("escape", "cancel", "Back")]

    def __init__(self, services: Services, config: Config) -> None:
        super().__init__()
        self.services = services
        self.config = config

    def compose(self) -> ComposeResult:
        with Vertical(id="leave"):
            yield BadgeForm(
                "Leave the kiosk: admin only", self.config, "An admin scans their badge and types their PIN.",
                id="leave-form",
            )  # fmt: skip
            yield Static("Esc goes back to the station.", id="leave-hint")

    def _check_call(self) -> Callable[[str, str], Actor]:
        return self.services.verify_admin

    def on_badge_form_submitted(self, message: BadgeForm.Submitted) -> None:
        self._check(message.badge, message.pin)

    def on_badge_check_checked(self, message: BadgeCheck.Checked) -> None:
        if message.actor is None:
            if self.config.bell:
                self.app.bell()
            self.query_one(BadgeForm).reset(message.error or "Refused.", error=True)
            return
        log.info("admin %s left the kiosk at station %s", message.actor.badge, self.config.station)
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Back to the station without leaving."""
        self.dismiss(False)
