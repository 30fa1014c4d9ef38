"""The scan field reads a burst's characters together, and still keeps every key in the order it came."""

from __future__ import annotations

from textual import events
from textual.app import App

from screens.scanfield import ScanField
from tests.functional.test_station_support import send_fast


class _Field(App):
    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.field_options = kwargs
        self.scanned: list[str] = []

    def compose(self):
        yield ScanField(id="scan", **self.field_options)

    def on_scan_field_scanned(self, message: ScanField.Scanned) -> None:
        self.scanned.append(message.code)

    def on_scan_field_shortcut(self, message: ScanField.Shortcut) -> None:
        self.scanned.append(message.key)


def _key(app: App, key: str, character: str | None = None) -> None:
    app._driver.send_message(events.Key(key, character))


async def test_a_burst_with_corrections_reads_as_typed():
    app = _Field()
    async with app.run_test() as pilot:
        send_fast(app, "AB")
        _key(app, "backspace")
        send_fast(app, "C\nCB1\nS100\n")
        await pilot.pause()
        assert app.scanned == ["AC", "CB1", "S100"]
        assert app.query_one(ScanField).value == ""


async def test_keys_typed_one_at_a_time_show_at_once():
    app = _Field()
    async with app.run_test() as pilot:
        field = app.query_one(ScanField)
        for typed in ("S", "S1", "S10"):
            await pilot.press(typed[-1])
            assert field.value == typed  # a person sees each key as it is typed
        await pilot.press("enter")
        assert app.scanned == ["S10"]


async def test_a_paste_goes_after_what_was_typed_before_it():
    app = _Field()
    async with app.run_test() as pilot:
        send_fast(app, "AB")
        app._driver.send_message(events.Paste("CD"))
        send_fast(app, "E\n")
        await pilot.pause()
        assert app.scanned == ["ABCDE"]


async def test_a_shortcut_in_a_burst_comes_between_the_scans_around_it():
    app = _Field(shortcuts=frozenset({"f2"}))
    async with app.run_test() as pilot:
        send_fast(app, "S100\nCB")
        _key(app, "f2")
        send_fast(app, "1\n")
        await pilot.pause()
        assert app.scanned == ["S100", "f2", "CB1"]


async def test_a_scanner_prefix_drops_what_was_typed_before_it():
    app = _Field(prefix="\x02")
    async with app.run_test() as pilot:
        send_fast(app, "XY")
        _key(app, "ctrl+b")
        send_fast(app, "S1\n")
        await pilot.pause()
        assert app.scanned == ["S1"]
