"""Steady: an update to what a widget already shows is let pass; anything that draws differently is not."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App

from screens.steady import Steady
from screens.widgets import BusyIndicator


class _One(App):
    def compose(self):
        yield Steady("", fixed_size=True, id="body")


@pytest.mark.parametrize(
    ("first", "second", "redrawn"),
    [
        (Text("Scan a student", "#AAAAAA"), Text("Scan a student", "#AAAAAA"), False),
        (Text("Scan a student", "#AAAAAA"), Text("Scan a student", "bold"), True),  # the base style differs
        (Text("Sam", justify="center"), Text("Sam"), True),  # the justification differs
        (Text.assemble(("Owes ", "bold"), "$0.00"), Text.assemble(("Owes ", "bold"), "$5.00"), True),
        (Text.assemble(("Owes ", "bold"), "$0.00"), Text.assemble(("Owes ", "red"), "$0.00"), True),  # a span
        ("plain words", "plain words", False),
        ("plain words", Text("plain words"), True),  # text and a Text are not compared
    ],
)
async def test_only_what_draws_the_same_is_skipped(first, second, redrawn):
    app = _One()
    async with app.run_test() as pilot:
        body = app.query_one("#body", Steady)
        assert body.show_content(first) is True
        await pilot.pause()
        assert body.show_content(second) is redrawn
        await pilot.pause()
        assert body.show_content(second) is False


class _Busy(App):
    def compose(self):
        yield BusyIndicator("", id="busy")


async def test_clearing_a_clear_busy_indicator_lays_nothing_out():
    """Every answered scan clears the indicator; when it already shows nothing, that is no layout of the screen."""
    app = _Busy()
    async with app.run_test() as pilot:
        busy = app.query_one(BusyIndicator)
        layouts: list[bool] = []
        original = busy.refresh

        def refresh(*regions, **kwargs):
            layouts.append(kwargs.get("layout", False))
            return original(*regions, **kwargs)

        busy.refresh = refresh
        for _ in range(3):
            busy.show_busy(0)
        assert layouts.count(True) == 0
        busy.show_busy(2)  # a scan that waits past the delay shows the count
        await pilot.pause(BusyIndicator.DELAY + 0.1)
        assert busy.has_class("-busy") and "2 waiting" in str(busy.render())
        assert layouts.count(True) == 1
        busy.show_busy(0)
        assert not busy.has_class("-busy") and str(busy.render()) == ""
