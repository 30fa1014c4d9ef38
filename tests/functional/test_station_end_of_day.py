"""The station's "End of day" admin action: today's workbook for the station's site, with progress, then its path."""

from __future__ import annotations

import os
import stat
from dataclasses import replace

import openpyxl
from textual.widgets import OptionList, ProgressBar

from screens.admin import AdminScreen
from screens.station import StationScreen
from tests.functional import test_station_support as support
from tests.functional.test_station_support import make_app, scan, sign_in, until

station, station_config = support.station, support.station_config  # the shared fixtures, by name
LABEL = "End of day: reconciliation workbook"


async def _run_end_of_day(pilot) -> AdminScreen:
    await pilot.press("f10")
    await until(pilot, lambda: isinstance(pilot.app.screen, AdminScreen), what="the admin actions")
    screen = pilot.app.screen
    options = screen.query_one(OptionList)
    index = next(n for n in range(options.option_count) if str(options.get_option_at_index(n).prompt).endswith(LABEL))
    options.highlighted = index
    await pilot.press("enter")
    await until(pilot, lambda: screen.result is not None and screen.running is None, 30, "the end of day to finish")
    return screen


async def test_end_of_day_writes_the_workbook_and_shows_its_path(station, station_config, tmp_path):
    folder = tmp_path / "reports" / "eod"
    config = replace(station_config, district_name="Riverside Unified", extra={"reports": {"folder": str(folder)}})
    app = make_app(config)
    async with app.run_test(size=(130, 30)) as pilot:
        await sign_in(pilot, "AD1")
        await scan(pilot, "S100", "CB1", "NOT-A-CODE")
        screen = await _run_end_of_day(pilot)
        ok, sentence = screen.result
        assert ok, sentence
        assert screen.query_one(ProgressBar).progress == 100
        assert screen.query_one("#admin-result").has_class("-done")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="the station")
    written = list(folder.glob("reconciliation-*-HS-*.xlsx"))
    assert len(written) == 1 and str(written[0]) in sentence
    assert "1 refused scans" in sentence and "balance check passed" in sentence
    assert stat.S_IMODE(os.stat(written[0]).st_mode) == 0o600
    wb = openpyxl.load_workbook(written[0])
    ref = next(ref for name, ref in wb["Transactions"].tables.items() if name.startswith("Transactions"))
    actions = [(row[4].value, row[7].value) for row in list(wb["Transactions"][ref])[1:]]
    assert ("issued", "CB1") in actions and ("scan refused", None) in actions
    assert wb.properties.creator == "Riverside Unified"


async def test_a_folder_that_cannot_be_made_is_shown_in_red(station, station_config, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    config = replace(station_config, extra={"reports": {"folder": str(blocker / "eod")}})
    app = make_app(config)
    async with app.run_test(size=(130, 30)) as pilot:
        await sign_in(pilot, "AD1")
        screen = await _run_end_of_day(pilot)
        ok, sentence = screen.result
        assert not ok and "cannot be created" in sentence and str(blocker / "eod") in sentence
        assert screen.query_one("#admin-result").has_class("-error")
    assert blocker.read_text() == "a file"
