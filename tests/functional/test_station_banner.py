"""The outcome banner draws the armed condition itself, and a change of mode lays nothing out on a wide screen."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.screen import Screen

from screens.banner import Armed, OutcomeBanner, armed_for, banner_rows
from screens.bigtext import BigText, measure
from tests.conftest import layout_requests
from tests.functional import test_station_support as support
from tests.functional.test_station_support import make_app, scan, sign_in

station, station_config = support.station, support.station_config  # the shared fixtures, by name

DAMAGED = armed_for("RETURN", "damaged")
LONG = "Ben Okafor owes $45.00 for a damaged screen; the district asks for payment before another device is issued."


def rows(sentence: str, armed: Armed | None, width: int) -> list[str]:
    return banner_rows(Console(), Text(sentence), armed, width, side_from=120).plain.split("\n")


def test_the_strip_goes_beside_the_sentence_from_120_columns_and_under_it_below():
    beside = rows("Next device returns as DAMAGED.", DAMAGED, 120)
    assert len(beside) == 3 and {len(row) for row in beside} == {120}
    assert beside[1].startswith(" Next device returns as DAMAGED. ")
    assert beside[1].endswith("  NEXT RETURN IS  " + "".join(DAMAGED.row(1).plain[18:]))
    assert beside[1].index("NEXT RETURN IS") == 120 - DAMAGED.width + 2
    under = rows("Next device returns as DAMAGED.", DAMAGED, 78)
    assert len(under) == 6 and under[1] == " Next device returns as DAMAGED."
    assert under[4].startswith("  NEXT RETURN IS  ") and {len(row) for row in under[3:]} == {78}


def test_a_long_sentence_wraps_beside_the_strip_without_losing_a_word():
    armed = armed_for("RETURN", "nocharger")  # the widest strip leaves 43 columns at 120
    drawn = rows(LONG, armed, 120)
    room = 120 - armed.width - 2
    assert room == 43 and len(drawn) == 3
    sentence = [row[1 : 1 + room].rstrip() for row in drawn]
    assert " ".join(sentence) == LONG and all(len(line) <= room for line in sentence)
    assert all(row[room + 2 :] == armed.row(y).plain for y, row in enumerate(drawn))


def test_no_strip_outside_return_and_status_and_a_short_sentence_centred_in_three_rows():
    assert armed_for("ISSUE", None) is None and armed_for("STATUS", "lost") == Armed("SCANS BECOME", "LOST", True)
    assert rows("Scan a student.", None, 80) == ["", " Scan a student.", ""]
    assert rows("Scan a student.", None, 0) == ["", " Scan a student.", ""]  # before the first layout


class _Title(App):
    CSS = "#title { width: auto; min-width: 37; height: 3; padding: 0 1; }"

    def compose(self):
        yield BigText("ISSUE", id="title")


async def test_big_text_asks_for_a_layout_only_when_its_size_changes():
    app = _Title()
    async with app.run_test(size=(100, 10)) as pilot:
        title = app.query_one(BigText)
        layouts = layout_requests(title)
        title.text = "RETURN"  # 35 columns: within the minimum, as ISSUE is
        await pilot.pause()
        assert layouts and not any(layouts) and title.outer_size.width == 37
        title.text = "TRANSFER"  # 47 columns and the padding: the title grows
        await pilot.pause()
        assert any(layouts) and title.outer_size.width == measure("TRANSFER")[0] + 2


@pytest.mark.parametrize("codes", [("$RETURN", "$ISSUE"), ("$RETURN", "$DAMAGED", "$NOCHARGER", "$GOOD", "$ISSUE")])
async def test_a_change_of_mode_on_a_wide_screen_lays_nothing_out(station, station_config, codes):
    app = make_app(station_config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await sign_in(pilot)
        await scan(pilot, "$ISSUE")
        layouts = []
        original = Screen._refresh_layout

        def counted(self, *args, **kwargs):
            layouts.append(self)
            return original(self, *args, **kwargs)

        Screen._refresh_layout = counted
        try:
            for code in codes:
                screen = await scan(pilot, code)
                banner = screen.query_one(OutcomeBanner)
                assert banner.size.height == 3
        finally:
            Screen._refresh_layout = original
        assert layouts == []
        assert banner.armed is None and "NEXT RETURN IS" not in str(banner.render())


async def test_the_strip_moves_under_the_sentence_when_the_terminal_narrows(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await sign_in(pilot)
        screen = await scan(pilot, "$RETURN", "$DAMAGED")
        banner = screen.query_one(OutcomeBanner)
        assert banner.armed == DAMAGED and banner.size.height == 3
        assert str(banner.render()).split("\n")[1].rstrip().endswith(DAMAGED.row(1).plain.rstrip())
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert banner.size.height == 6
        drawn = str(banner.render()).split("\n")
        assert drawn[1].strip() == "Next device returns as DAMAGED." and drawn[4].startswith("  NEXT RETURN IS  ")
