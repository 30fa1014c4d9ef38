"""Steady: an update to what a widget already shows is let pass; anything that draws differently is not."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App

from screens.steady import Steady
from screens.widgets import BusyIndicator
from tests.conftest import layout_requests


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
        layouts = layout_requests(busy)
        for _ in range(3):
            busy.show_busy(0)
        assert layouts.count(True) == 0
        busy.show_busy(2)  # a scan that waits past the delay shows the count
        await pilot.pause(BusyIndicator.DELAY + 0.1)
        assert busy.has_class("-busy") and "2 waiting" in str(busy.render())
        assert layouts.count(True) == 1
        busy.show_busy(0)
        assert not busy.has_class("-busy") and str(busy.render()) == ""


class _Pair(App):
    """Two bodies of one size: one shown through show_content, one redrawn whole every time (the reference)."""

    CSS = "Steady { height: 8; width: 30; padding: 0 1; }"

    def compose(self):
        yield Steady(Text("Scan a device.", "#AAAAAA"), fixed_size=True, id="body")
        yield Steady(Text("Scan a device.", "#AAAAAA"), fixed_size=True, id="whole")


def _drawn(widget: Steady) -> list[list[tuple[str, object]]]:
    return [[(segment.text, segment.style) for segment in strip] for strip in widget.render_lines(widget.size.region)]


SHOWN = [  # (text, the rows drawn again when it replaces the one before; [] is the whole body)
    (Text.assemble(("CB1", "bold"), "  HP Chromebook\n", "Site HS\n", "Holder ", ("Ana Lopez", "bold"), "\n\nHistory"),
     [0, 1, 2, 3, 4]),  # the base style differs from the hint's: every line of either text
    (Text.assemble(("CB1", "bold"), "  HP Chromebook\n", "Site ES\n", "Holder ", ("Ana Lopez", "bold"), "\n\nHistory"),
     [1]),
    (Text.assemble(("CB2", "bold"), "  HP Chromebook\n", "Site ES"), [0, 2, 3, 4]),  # fewer lines: blank again
    (Text("Scan a device.", "#AAAAAA"), [0, 1]),
    (Text("Centred line\nand another", justify="center"), [0, 1]),
    (Text.assemble(("Held across\ntwo lines", "bold"), "\nthen plain"), [0, 1, 2]),  # justify differs again
    (Text.assemble(("Held across\ntwo lines", "bold"), "\nthen other"), [2]),
    (Text.assemble(("Held across\ntwo rows", "bold"), "\nthen other"), [1]),  # the span's second line only
    (Text.assemble(("Held across\ntwo rows", "on red"), "\nthen other"), [0, 1]),
    (Text.assemble(("Held across\ntwo", "on red"), "\nthen other"), [1]),  # a background up to the line's end
    (Text("A line far too long to fit on one row of this narrow body, so it wraps\nbelow"), []),
    (Text.assemble(("CB3", "bold red"), "  Apple iPad\n", "Site STORE\n\n\n\n\n\nlast row\nbeyond the body"), []),
]  # fmt: skip


async def test_only_the_rows_that_change_are_drawn_again_and_the_result_is_the_whole_redraw():
    app = _Pair()
    async with app.run_test(size=(40, 20)) as pilot:
        body, whole = app.query_one("#body", Steady), app.query_one("#whole", Steady)
        await pilot.pause()
        drawn: list[list[int]] = []
        original = body.refresh

        def refresh(*regions, **kwargs):
            drawn.append(sorted(r.y for r in regions))
            return original(*regions, **kwargs)

        body.refresh = refresh
        for text, rows in [*SHOWN, (SHOWN[-1][0].copy(), None)]:
            drawn.clear()
            assert body.show_content(text) is (rows is not None)
            assert drawn == ([rows] if rows is not None else [])
            whole.update(text, layout=False)
            await pilot.pause()
            assert _drawn(body) == _drawn(whole), text.plain
        changed = SHOWN[-1][0].copy()
        changed.plain = changed.plain.replace("last row", "LAST ROW")
        drawn.clear()
        body.show_content(changed)
        assert drawn == [[7]]  # one row of the eight, the only one that draws differently
        whole.update(changed, layout=False)
        await pilot.pause()
        assert _drawn(body) == _drawn(whole)
