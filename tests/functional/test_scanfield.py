"""The scan field reads a burst's characters together, and still keeps every key in the order it came."""

from __future__ import annotations

import pytest
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


BURSTS = {
    "a correction": ({}, ["AB", ("backspace",), "C\nCB1\nS100\n"], ["AC", "CB1", "S100"]),
    "a paste after what was typed": ({}, ["AB", ("paste", "CD"), "E\n"], ["ABCDE"]),
    "a shortcut between scans": ({"shortcuts": frozenset({"f2"})}, ["S100\nCB", ("f2",), "1\n"],
                                 ["S100", "f2", "CB1"]),
    "a scanner prefix drops what came before": ({"prefix": "\x02"}, ["XY", ("ctrl+b",), "S1\n"], ["S1"]),
}  # fmt: skip
"""Keys sent as fast as a scanner types them (text, or a key or paste in a tuple), and what the field reads."""


@pytest.mark.parametrize(("options", "keys", "scanned"), BURSTS.values(), ids=BURSTS.keys())
async def test_a_burst_reads_in_keystroke_order(options, keys, scanned):
    app = _Field(**options)
    async with app.run_test() as pilot:
        for part in keys:
            if isinstance(part, str):
                send_fast(app, part)
            elif part[0] == "paste":
                app._driver.send_message(events.Paste(part[1]))
            else:
                app._driver.send_message(events.Key(part[0], None))
        await pilot.pause()
        assert app.scanned == scanned
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
