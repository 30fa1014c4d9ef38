"""The station App: sign-in, the station screen, idle lock, the evdev scanner and the admin-only way out.

The App owns its keys: no inherited bindings, no command palette, ctrl+c does
nothing and ctrl+q asks for an admin. It is built with its services and
configuration passed in (kiosk/app.py in production, the tests on a test
database).

The evdev scanner (``Services.scanner``, from the ``[scanner]`` config table)
belongs to the App, not to a screen: it is started once when the App mounts,
stays grabbed while the station is locked, and is stopped when the App ends.
Its reader thread posts messages to the App, which hands each code to where a
keyboard-wedge scan would go: the scan field of the screen on top (the focused
one, else the first one that takes input). On the station screen that is the
scan field, so the code joins the same ordered queue as typed scans; on the
sign-in and leave screens it is the badge. A screen with no scan field (the
admin and ticket screens) does not take scans: the operator is told the scan
was not used.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen
from textual.theme import Theme

from kiosk.config import Config
from kiosk.dto import Actor
from screens.ports import ScannerHandle, Services
from screens.scanfield import ScanField
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


SCAN_NOT_USED = "The scan {code!r} was not used: close this screen first, then scan it again."


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

    class ScannerRead(Message):
        """The evdev scanner read a code (posted from the reader thread)."""

        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    class ScannerChanged(Message):
        """The evdev scanner appeared or went away (posted from the reader thread)."""

        def __init__(self, connected: bool, text: str) -> None:
            super().__init__()
            self.connected = connected
            self.text = text

    class ScannerNotice(Message):
        """A scan cut off by an unplug was discarded (posted from the reader thread)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, config: Config, services: Services, **kwargs) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.services = services
        self.last_activity = time.monotonic()
        """When a key was last pressed or a code scanned; the idle lock counts from here."""
        self.actor: Actor | None = None
        """Who is signed in; None while the station is locked."""
        self.scanner: ScannerHandle | None = None
        """The running evdev scanner reader; None without one (keyboard wedge only) and once stopped."""
        self.scanner_state: tuple[bool, str] | None = None
        """The scanner's last report (connected, message); None until it reports, and without a scanner."""

    def on_mount(self) -> None:
        self.register_theme(KIOSK_THEME)
        self.theme = "kiosk"
        self.push_screen(SignInScreen(self.services, self.config))
        if self.config.idle_lock_seconds > 0:  # 0 turns the idle lock off (a supervised table)
            interval = max(0.05, min(1.0, self.config.idle_lock_seconds / 4))
            self.set_interval(interval, self._check_idle, name="idle-lock")
        self._start_scanner()
        self.call_after_refresh(self._freeze_heap)

    REST_SECONDS = 1.0
    """A pause without a key or scan this long lets the garbage collector make its full pass."""

    def _freeze_heap(self) -> None:
        """Move what start-up built (modules, widgets, the database layer) out of the collector's sight, and
        leave the collector's full passes to the pauses between scans.

        A full collection walks every tracked object; with the start-up heap in it, one took tens of
        milliseconds in the middle of a scan. Frozen objects live as long as the station anyway. Without
        it a full pass still took 7 to 9 ms, about one scan in a hundred, and was most of the slowest scans'
        time: the collector now runs its full pass only after 100 times the usual work (a long rush that
        never pauses), and otherwise in the first pause of a second after work was done.
        """
        gc.collect()
        gc.freeze()
        self._collected_at = time.monotonic()
        self._thresholds = gc.get_threshold()
        young, middle, full = self._thresholds
        gc.set_threshold(young, middle, full * 100)
        self.set_interval(self.REST_SECONDS, self._collect_at_rest, name="collect-at-rest")

    def _collect_at_rest(self) -> None:
        now = time.monotonic()
        if self.last_activity > self._collected_at and now - self.last_activity >= self.REST_SECONDS:
            gc.collect()
            self._collected_at = time.monotonic()

    def on_unmount(self) -> None:
        self.stop_scanner()
        thresholds = getattr(self, "_thresholds", None)
        if thresholds is not None:
            gc.set_threshold(*thresholds)

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

    # -- the evdev scanner ---------------------------------------------------------

    def _start_scanner(self) -> None:
        if self.services.scanner is None or self.scanner is not None:
            return  # no scanner configured, or already reading it: one reader, one grab
        post = self._from_reader
        try:
            self.scanner = self.services.scanner(
                on_code=lambda code: post(self.ScannerRead(code)),
                on_status=lambda connected, text: post(self.ScannerChanged(connected, text)),
                on_notice=lambda text: post(self.ScannerNotice(text)),
            )
            self.scanner.start()
        except Exception as exc:  # the station still works from the keyboard
            log.exception("the scanner reader did not start")
            self.scanner = None
            self.scanner_state = (False, f"scanner not started ({type(exc).__name__}: {exc})")

    def stop_scanner(self) -> None:
        """Stop reading the scanner and release its grab (when the App ends)."""
        scanner, self.scanner = self.scanner, None
        if scanner is not None:
            scanner.stop()

    def _from_reader(self, message: Message) -> None:
        # Reader thread. post_message is thread-safe, keeps the order and never blocks the
        # reader (call_from_thread would wait for the UI, which may be waiting in stop()).
        try:
            self.post_message(message)
        except RuntimeError:  # the event loop has closed under a reader that has not stopped yet
            pass

    def on_station_app_scanner_read(self, message: ScannerRead) -> None:
        self.last_activity = time.monotonic()  # a scan is activity, like a key
        field = self._scan_target()
        if field is None:
            log.info("scan not used: %s has no scan field", type(self.screen).__name__)
            self.notify(SCAN_NOT_USED.format(code=message.code[:40]), severity="warning", timeout=10)
            if self.config.bell:
                self.bell()
            return
        # Exactly what the field posts when a wedge scan ends with Enter.
        field.post_message(ScanField.Scanned(field, message.code))

    def _scan_target(self) -> ScanField | None:
        """Where a keyboard-wedge scan would go: the focused scan field, else the first that takes input."""
        focused = self.focused
        if isinstance(focused, ScanField) and not focused.is_disabled:
            return focused
        return next((f for f in self.screen.query(ScanField) if not f.is_disabled), None)

    def on_station_app_scanner_changed(self, message: ScannerChanged) -> None:
        self.scanner_state = (message.connected, message.text)
        log.log(logging.INFO if message.connected else logging.WARNING, "%s", message.text)
        stations = [s for s in self.screen_stack if isinstance(s, StationScreen)]
        for station in stations:
            try:
                station.show_scanner(message.connected, message.text)
            except NoMatches:
                pass  # not composed yet: its on_mount reads scanner_state
        if not stations:
            self.notify(message.text, severity="information" if message.connected else "error", timeout=10)

    def on_station_app_scanner_notice(self, message: ScannerNotice) -> None:
        log.warning("%s", message.text)
        station = next((s for s in self.screen_stack if isinstance(s, StationScreen)), None)
        try:
            if station is not None:
                station.show_scanner_notice(message.text)
                return
        except NoMatches:
            pass
        self.notify(message.text, severity="warning", timeout=15)
        if self.config.bell:
            self.bell()

    # -- leaving -------------------------------------------------------------------

    def action_leave(self) -> None:
        """ctrl+q: ask for an admin badge and PIN; only then does the program end."""
        if isinstance(self.screen, LeaveScreen):
            return
        self.push_screen(LeaveScreen(self.services, self.config), self._left)

    def _left(self, ok: bool | None) -> None:
        if ok:
            self.exit()
