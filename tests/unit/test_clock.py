"""School years and local time."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import clock
from kiosk.errors import BadInput


@pytest.mark.parametrize(
    ("day", "year"),
    [(dt.date(2026, 6, 30), 2025), (dt.date(2026, 7, 1), 2026), (dt.date(2026, 12, 31), 2026),
     (dt.date(2027, 1, 1), 2026), (dt.date(2024, 2, 29), 2023)],
)  # fmt: skip
def test_school_year_starts_on_july_first_by_default(day, year):
    assert clock.school_year(day) == year


def test_school_year_with_another_start():
    assert clock.school_year(dt.date(2026, 8, 14), 8, 15) == 2025
    assert clock.school_year(dt.date(2026, 8, 15), 8, 15) == 2026
    assert clock.school_year(dt.date(2026, 1, 1), 1, 1) == 2026


@pytest.fixture
def zone():
    yield clock.set_zone
    clock.set_zone(None)


def test_times_are_stored_in_utc_and_shown_locally(zone):
    zone("America/Chicago")
    noon_utc = dt.datetime(2026, 1, 15, 18, 0)
    assert clock.show(noon_utc) == "2026-01-15 12:00"
    assert clock.show(None) == ""
    assert clock.to_local(noon_utc).utcoffset() == dt.timedelta(hours=-6)
    zone("UTC")
    assert clock.show(noon_utc) == "2026-01-15 18:00"


def test_an_unknown_zone_is_bad_input(zone):
    with pytest.raises(BadInput, match="Unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")
