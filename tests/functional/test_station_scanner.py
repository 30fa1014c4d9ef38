"""The station reading a scanner through evdev: codes join the scan queue, an unplug shows the indicator and the
cut-off notice, the keyboard keeps working, and the scanner is read again once it is back.

The scanner is a fake device object fed key events by the test; the reader is the real
:class:`kiosk.scanner.source.ScannerSource`, looking for it every 0.05 s.
"""

from __future__ import annotations

import errno
import queue
import threading
from dataclasses import replace
from types import SimpleNamespace

from kiosk.app import build_services
from kiosk.scanner.decoder import EV_KEY, EV_SYN, KEY_ENTER, KEY_LEFTSHIFT, US_KEYS
from kiosk.scanner.settings import ScannerSettings
from kiosk.scanner.source import ScannerSource
from kiosk.services.lookup import lookup
from screens.signin import SignInScreen
from screens.station import StationScreen
from tests.functional import test_station_support as support
from tests.functional.test_station_support import PIN, banner_text, make_app, scan, send_fast, sign_in, until

station, station_config = support.station, support.station_config  # the shared fixtures, by name

SCANNER_CAPS = {EV_KEY: [*range(2, 12), *range(16, 54), KEY_ENTER, 96]}
UNPLUG = object()
KEYS = {ch: (code, ch == pair[1] and ch != pair[0]) for code, pair in US_KEYS.items() for ch in pair}
"""Character -> (key code, needs shift) on a US layout."""


def key_events(text: str, *, enter: bool = True) -> list[SimpleNamespace]:
    """What a US-layout scanner sends for ``text`` (and Enter): press and release of each key, with Shift."""
    rows: list[tuple[int, int, int]] = []
    for ch in text:
        code, shift = KEYS[ch]
        if shift:
            rows.append((EV_KEY, KEY_LEFTSHIFT, 1))
        rows += [(EV_KEY, code, 1), (EV_SYN, 0, 0), (EV_KEY, code, 0)]
        if shift:
            rows.append((EV_KEY, KEY_LEFTSHIFT, 0))
    if enter:
        rows += [(EV_KEY, KEY_ENTER, 1), (EV_SYN, 0, 0), (EV_KEY, KEY_ENTER, 0)]
    return [SimpleNamespace(sec=1700000000, usec=n, type=t, code=c, value=v) for n, (t, c, v) in enumerate(rows)]


class FakeScanner:
    """The part of ``evdev.InputDevice`` the source uses. ``read_loop`` yields what the test types into it and
    raises ``OSError`` (ENODEV) where the test pulls the plug."""

    def __init__(self, path: str = "/dev/input/event7", name: str = "Fake Honeywell 1900") -> None:
        self.path, self.name = path, name
        self.info = SimpleNamespace(vendor=0x0C2E, product=0x0B61)
        self.grabbed = self.closed = False
        self.read = threading.Event()
        """Set once the source reads this device (it is grabbed and the connected status is on its way)."""
        self._feed: queue.Queue = queue.Queue()

    def capabilities(self) -> dict:
        return SCANNER_CAPS

    def grab(self) -> None:
        self.grabbed = True

    def close(self) -> None:
        self.closed = True

    def read_loop(self):
        self.read.set()
        while not self.closed:
            try:
                item = self._feed.get(timeout=0.01)
            except queue.Empty:
                continue
            if item is UNPLUG:
                raise OSError(errno.ENODEV, "No such device")
            yield item

    def type(self, *codes: str) -> None:
        """Scan ``codes``: each one typed and ended with Enter."""
        for code in codes:
            for event in key_events(code):
                self._feed.put(event)

    def unplug_after(self, partial: str) -> None:
        """Type ``partial`` without its Enter, then vanish from the bus mid-code."""
        for event in key_events(partial, enter=False):
            self._feed.put(event)
        self._feed.put(UNPLUG)


class FakeBus:
    """The input devices the source finds (``list_devices``) and every reader the station built."""

    def __init__(self, *devices: FakeScanner) -> None:
        self.devices = list(devices)
        self.sources: list[ScannerSource] = []

    def list_devices(self) -> list[FakeScanner]:
        return list(self.devices)

    def factory(self, *, on_code, on_status, on_notice) -> ScannerSource:
        """``Services.scanner``: the real source on this bus, retrying every 0.05 s."""
        source = ScannerSource(
            ScannerSettings(enabled=True),
            on_code=on_code,
            on_status=on_status,
            on_notice=on_notice,
            list_devices=self.list_devices,
            retry=0.05,
        )
        self.sources.append(source)
        return source


def indicator(screen: StationScreen):
    return screen.query_one("#scanner")


def indicator_text(screen: StationScreen) -> str:
    return str(indicator(screen).render())


def device(code: str, config):
    return lookup(code, config=config).device


def applied_values(screen: StationScreen) -> list[str]:
    return [job.value for job in screen.applied]


async def wait_applied(pilot, screen: StationScreen, count: int) -> None:
    """Wait until ``count`` jobs have been answered on ``screen`` and nothing is waiting."""
    await until(pilot, lambda: len(screen.applied) >= count and screen.queue.waiting == 0, what=f"{count} outcomes")


async def test_scanner_codes_unplug_keyboard_and_reconnect(station, station_config):
    first, second = FakeScanner(), FakeScanner("/dev/input/event8")
    bus = FakeBus(first)
    app = make_app(station_config, scanner=bus.factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.scanner_state is not None and app.scanner_state[0], what="the scanner")
        assert first.grabbed
        screen = await sign_in(pilot)
        assert not indicator(screen).display

        # Codes from the scanner go through the station's scan queue like typed ones.
        first.type("S100", "CB1")
        await wait_applied(pilot, screen, 2)
        assert applied_values(screen) == ["S100", "CB1"]
        assert "Issued CB1 to Ana Lopez" in banner_text(screen)
        assert device("CB1", station_config).holder == "S100"

        # Unplugged in the middle of CB3: the indicator turns red, the cut-off code is named and not applied.
        bus.devices = []
        first.unplug_after("CB3")
        await until(pilot, lambda: indicator(screen).display, what="the scanner indicator")
        await until(pilot, lambda: "'CB3'" in indicator_text(screen), what="the cut-off notice")
        assert indicator(screen).has_class("-away")
        text = indicator_text(screen)
        assert "scanner disconnected" in text and "Type codes on the keyboard meanwhile." in text
        assert "cut off by the scanner unplug was discarded ('CB3'); scan it again." in text
        assert "Issued CB1 to Ana Lopez" in banner_text(screen)  # the notice is not a scan outcome
        assert len(screen.applied) == 2 and screen.queue.waiting == 0

        # The keyboard (wedge) keeps working while the scanner is away; the next scan clears the notice.
        screen = await scan(pilot, "S101", "CB2")
        assert "Issued CB2 to Ben Okafor" in banner_text(screen)
        assert indicator(screen).display and "scanner disconnected" in indicator_text(screen)
        assert "CB3" not in indicator_text(screen)

        # Plugged back in: the indicator clears and the scanner's codes are applied again.
        bus.devices = [second]
        await until(pilot, lambda: not indicator(screen).display, what="the indicator to clear")
        assert app.scanner_state == (True, "scanner connected: Fake Honeywell 1900")
        second.type("$RETURN", "CB1")
        await wait_applied(pilot, screen, 6)
        assert applied_values(screen) == ["S100", "CB1", "S101", "CB2", "$RETURN", "CB1"]
        assert "Returned CB1 from Ana Lopez." in banner_text(screen)
        assert "CB3" not in applied_values(screen)
    (source,) = bus.sources
    assert not source._thread.is_alive()  # stopped with the App: no reader thread left behind
    assert first.closed and second.closed and second.grabbed
    assert device("CB1", station_config).holder is None
    assert device("CB2", station_config).holder == "S101"
    assert device("CB3", station_config).status == "available" and device("CB3", station_config).holder is None


async def test_disconnected_before_sign_in_shows_on_the_station(station, station_config):
    bus = FakeBus()  # no scanner plugged in when the station starts
    app = make_app(station_config, scanner=bus.factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.scanner_state == (False, "scanner disconnected"), what="the first look")
        screen = await sign_in(pilot)
        assert indicator(screen).display and "scanner disconnected" in indicator_text(screen)
        screen = await scan(pilot, "S100", "CB1")
        assert "Issued CB1 to Ana Lopez" in banner_text(screen)
        scanner = FakeScanner()
        bus.devices = [scanner]
        await until(pilot, lambda: not indicator(screen).display, what="the indicator to clear")
        scanner.type("S101")
        await wait_applied(pilot, screen, 3)
        assert "Ben Okafor" in banner_text(screen)


async def test_the_scanner_is_read_once_across_lock_and_scans_a_badge_at_sign_in(station, station_config):
    scanner = FakeScanner()
    bus = FakeBus(scanner)
    app = make_app(station_config, scanner=bus.factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: scanner.read.is_set() and app.scanner_state is not None, what="the scanner")
        await until(pilot, lambda: app.focused is not None and app.focused.has_class("badge"), what="the badge field")
        # Locked: a scanned badge goes where a typed one would, the sign-in form; the PIN is typed.
        scanner.type("OP1")
        await until(pilot, lambda: app.focused is not None and app.focused.has_class("pin"), what="the PIN field")
        send_fast(app, PIN + "\n")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="the station screen")
        screen = app.screen
        scanner.type("$LOCK")
        await until(pilot, lambda: isinstance(app.screen, SignInScreen), what="the lock")
        assert app.actor is None
        screen = await sign_in(pilot)
        scanner.type("S100")
        await wait_applied(pilot, screen, 1)
        assert "Ana Lopez" in banner_text(screen)
        assert len(bus.sources) == 1 and bus.sources[0]._thread.is_alive()
    assert not bus.sources[0]._thread.is_alive() and scanner.closed


async def test_a_scan_on_a_screen_without_a_scan_field_is_not_used(station, station_config):
    scanner = FakeScanner()
    bus = FakeBus(scanner)
    app = make_app(station_config, scanner=bus.factory)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: scanner.read.is_set(), what="the scanner")
        screen = await sign_in(pilot, "AD1")
        await pilot.press("f10")
        await until(pilot, lambda: app.screen is not screen, what="the admin screen")
        scanner.type("S100")
        await until(pilot, lambda: any("'S100' was not used" in n.message for n in app._notifications), what="notice")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, what="the station screen")
        assert len(screen.applied) == 0 and screen.queue.waiting == 0


async def test_without_a_scanner_table_nothing_is_read_and_the_indicator_stays_hidden(station, station_config):
    assert build_services(station_config).scanner is None
    assert build_services(replace(station_config, extra={"scanner": {"enabled": False}})).scanner is None
    assert build_services(replace(station_config, extra={"scanner": {"name": "*Honeywell*"}})).scanner is not None
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await sign_in(pilot)
        screen = await scan(pilot, "S100", "CB1")
        assert "Issued CB1 to Ana Lopez" in banner_text(screen)
        assert app.scanner is None and app.scanner_state is None
        assert not indicator(screen).display and indicator_text(screen) == ""
        assert not any(t.name == "kiosk-scanner" for t in threading.enumerate())
