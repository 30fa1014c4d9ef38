"""Snapshots of the main screens at 80×24 (the Linux console) and 120×40.

Kept deterministic: ledger times are frozen and shown in UTC, the cursor does
not blink, and the tally's rate is scans per minute × 60 for the first minute.
Regenerate with ``pytest tests/functional/test_station_snapshots.py --snapshot-update``
and look at the SVGs before keeping them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input

from kiosk import clock
from kiosk import db as kdb
from kiosk.services import cases
from tests.conftest import build_district
from tests.functional import test_station_support as support
from tests.functional.test_station_support import make_app, scan, sign_in, until

station_config = support.station_config  # the shared fixtures, by name

FROZEN = dt.datetime(2026, 8, 31, 14, 5)
SMALL, LARGE = (80, 24), (120, 40)


@pytest.fixture
def frozen_station(tmp_path, monkeypatch, station_config):
    """The test district built and used at a fixed time, shown in UTC."""
    monkeypatch.setattr("kiosk.ledger.utcnow", lambda: FROZEN)
    clock.set_zone("UTC")
    database = kdb.connect(f"sqlite:///{tmp_path / 'snap.db'}", migrate=True)
    district = build_district(station_config)
    cases.assign_case(district.technician, "S101", config=station_config, number=17)
    yield district
    database.close()
    clock.set_zone(None)


def steady(pilot) -> None:
    """Stop the cursor blinking so a snapshot never catches it half-way."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def station_after(*codes: str, badge: str = "OP1"):
    """run_before for snap_compare: sign in as ``badge`` and scan ``codes`` (``key:F3`` presses a key)."""

    async def run_before(pilot) -> None:
        await sign_in(pilot, badge)
        for code in codes:
            if code.startswith("key:"):
                await pilot.press(code[4:])
                await scan(pilot)
            else:
                await scan(pilot, code)
        steady(pilot)

    return run_before


def test_sign_in_screen(frozen_station, station_config, snap_compare):
    async def run_before(pilot) -> None:
        await until(pilot, lambda: len(pilot.app.screen.query(Input)) == 2)
        steady(pilot)

    assert snap_compare(make_app(station_config), terminal_size=SMALL, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_issued(frozen_station, station_config, snap_compare, size):
    assert snap_compare(make_app(station_config), terminal_size=size, run_before=station_after("S101", "CB1"))


def test_ineligible_warning(frozen_station, station_config, snap_compare):
    assert snap_compare(make_app(station_config), terminal_size=SMALL, run_before=station_after("S200", "CB2"))


def test_role_refusal(frozen_station, station_config, snap_compare):
    assert snap_compare(make_app(station_config), terminal_size=SMALL, run_before=station_after("$TRANSFER"))


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_return_with_damaged_armed(frozen_station, station_config, snap_compare, size):
    """120 columns: the armed strip beside the banner; 80: under it, as there is no room beside."""
    run_before = station_after("S100", "CB3", "key:f3", "$DAMAGED")
    assert snap_compare(make_app(station_config), terminal_size=size, run_before=run_before)


def test_transfer_in_progress(frozen_station, station_config, snap_compare):
    run_before = station_after("$TRANSFER", "LOC-HS", "CB4", "CB5", badge="TE1")
    assert snap_compare(make_app(station_config), terminal_size=LARGE, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_storage_case(frozen_station, station_config, snap_compare, size):
    run_before = station_after("key:f6", "S101")
    assert snap_compare(make_app(station_config), terminal_size=size, run_before=run_before)
