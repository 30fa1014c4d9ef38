"""Fixtures and helpers shared by the station tests (imported by the test_station_* modules; holds no tests).

The station runs headless on a real SQLite file: an in-memory database would be
one per connection, and the scan worker thread opens its own.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from textual import events
from textual.keys import _character_to_key

from kiosk import db as kdb
from kiosk.app import build_app, build_services
from kiosk.config import Config
from screens import StationApp
from screens.signin import BadgeForm, LeaveScreen, SignInScreen
from screens.station import StationScreen
from tests.conftest import PIN, build_district

__all__ = [
    "PIN",
    "banner_text",
    "make_app",
    "scan",
    "send_fast",
    "settle",
    "sign_in",
    "station",
    "station_config",
    "submit_badge",
    "type_badge",
    "until",
    "wait_drained",
]


@pytest.fixture
def station_config() -> Config:
    """The test station's configuration (a short case range, bell on)."""
    return Config(station="test-station", station_site="HS", case_first=1, case_last=20)


@pytest.fixture
def station(tmp_path, station_config):
    """A migrated SQLite district (see tests.conftest.build_district) for the station to run on."""
    database = kdb.connect(f"sqlite:///{tmp_path / 'station.db'}", migrate=True)
    district = build_district(station_config)
    yield district
    database.close()


def make_app(config: Config, **services) -> StationApp:
    """The station as the CLI builds it; ``services`` replaces individual ports (a slow or failing session)."""
    if not services:
        return build_app(config)
    return StationApp(config, replace(build_services(config), **services))


async def until(pilot, predicate, timeout: float = 10.0, what: str = "condition") -> None:
    """Let the app run until ``predicate()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)
    await pilot.pause()  # let a screen that just arrived finish composing


async def wait_drained(pilot, timeout: float = 10.0) -> StationScreen:
    """Wait until every queued scan has been applied and rendered; returns the station screen."""
    app = pilot.app
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, StationScreen), f"expected the station screen, got {type(screen).__name__}"
    await until(pilot, lambda: screen.queue.waiting == 0, timeout, "the scan queue to drain")
    await pilot.pause()
    return screen


async def scan(pilot, *codes: str) -> StationScreen:
    """Type each code into the focused field and press Enter, as a keyboard-wedge scanner does; wait for answers."""
    for code in codes:
        send_fast(pilot.app, code + "\n")
    return await wait_drained(pilot)


def send_fast(app, text: str) -> None:
    """Post key events for ``text`` without yielding: the app reads them as fast as a scanner can type.

    A newline stands for Enter.
    """
    for ch in text:
        if ch == "\n":
            key, char = "enter", "\r"
        elif ch.isalnum():
            key, char = ch, ch
        else:
            key, char = _character_to_key(ch), ch
        app._driver.send_message(events.Key(key, char))


async def sign_in(pilot, badge: str = "OP1", pin: str = PIN) -> StationScreen:
    """Sign in at the sign-in screen and wait for the station screen."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, SignInScreen), what="the sign-in screen")
    await type_badge(pilot, badge, pin)
    await until(pilot, lambda: isinstance(app.screen, StationScreen), what="the station screen")
    await pilot.pause()
    return app.screen


async def type_badge(pilot, badge: str, pin: str) -> None:
    """Scan a badge, wait for the PIN field to take focus (as a person would), type the PIN and Enter."""
    send_fast(pilot.app, badge + "\n")
    await until(pilot, lambda: pilot.app.focused is not None and pilot.app.focused.has_class("pin"), what="PIN field")
    send_fast(pilot.app, pin + "\n")
    await pilot.pause()


async def submit_badge(pilot, badge: str, pin: str) -> str:
    """Enter a badge and PIN into the form on top and wait for its answer; returns the form's message."""
    app = pilot.app
    screen = app.screen
    assert isinstance(screen, (SignInScreen, LeaveScreen))
    await type_badge(pilot, badge, pin)
    form = screen.query_one(BadgeForm)
    await until(pilot, lambda: not form.disabled or app.screen is not screen, what="the badge check")
    await pilot.pause()
    return str(form.query_one(".form-message").render())


def banner_text(screen: StationScreen) -> str:
    """What the outcome banner says (its sentence, before it is wrapped to the banner's width)."""
    return screen.query_one("#banner").sentence.plain


def shown_rows(screen: StationScreen) -> str:
    """The banner's rows as drawn: the wrapped sentence and, in RETURN and STATUS, the armed condition."""
    return str(screen.query_one("#banner").render())


async def settle(seconds: float) -> None:
    """Real time passing (the idle lock counts wall-clock time)."""
    await asyncio.sleep(seconds)
