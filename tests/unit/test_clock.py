"""School years and local time."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

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


@pytest.mark.parametrize(
    ("name", "changes"),
    [("America/New_York", ("2026-03-08 07:00", "2026-11-01 06:00")),  # one hour, at 2:00 local
     ("America/St_Johns", ("2026-03-08 05:30", "2026-11-01 04:30")),  # a half-hour zone
     ("Australia/Lord_Howe", ("2026-04-04 15:00", "2026-10-03 15:30")),  # a change of half an hour
     ("Asia/Kathmandu", ())],
)  # fmt: skip
def test_times_are_shown_right_on_both_sides_of_a_clock_change(zone, name, changes):
    """Minute by minute across each change, and when the same times come again (the offsets are remembered)."""
    zone(name)
    for change in changes or ("2026-06-01 00:00",):
        start = dt.datetime.fromisoformat(change) - dt.timedelta(hours=2)
        minutes = [start + dt.timedelta(minutes=m, seconds=59) for m in range(240)]
        for _ in range(2):
            for moment in minutes:
                assert clock.show(moment) == clock.to_local(moment).strftime("%Y-%m-%d %H:%M"), moment
    aware = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert clock.show(aware) == clock.to_local(aware).strftime("%Y-%m-%d %H:%M")


def test_changing_the_zone_forgets_the_offsets_remembered(zone):
    moment = dt.datetime(2026, 1, 15, 18, 0)
    zone("America/Chicago")
    assert clock.show(moment) == "2026-01-15 12:00"
    zone("Asia/Tokyo")
    assert clock.show(moment) == "2026-01-16 03:00"


@pytest.mark.parametrize("name", ["America/New_York", "Australia/Lord_Howe", "UTC", None])
def test_stored_text_is_shown_as_the_datetime_it_holds(zone, name):
    """History lines read SQLite's text straight: minute by minute across a change, seconds and fractions or not."""
    zone(name)
    start = dt.datetime(2026, 11, 1, 4, 0) if name != "Australia/Lord_Howe" else dt.datetime(2026, 10, 3, 14, 0)
    for minute in range(0, 180, 7):
        moment = start + dt.timedelta(minutes=minute, seconds=59, microseconds=123456)
        for text in (str(moment), str(moment.replace(microsecond=0))):
            for _ in range(2):  # made, then remembered
                assert clock.show_stored(text) == clock.show(moment), text


def test_stored_text_of_another_shape_is_refused_and_a_new_zone_forgets_what_was_shown(zone):
    for text in ("2026-11-01T04:00:00", "yesterday", "2026-11-01"):
        with pytest.raises(ValueError):
            clock.show_stored(text)
    zone("America/Chicago")
    assert clock.show_stored("2026-01-15 18:00:00") == "2026-01-15 12:00"
    zone("Asia/Tokyo")
    assert clock.show_stored("2026-01-15 18:00:00") == "2026-01-16 03:00"


def test_today_is_the_date_in_the_zone_and_follows_a_new_zone(zone, monkeypatch):
    zone("Pacific/Kiritimati")  # UTC+14
    east = clock.today()
    now = clock.to_local(dt.datetime.now(dt.UTC)).date()
    assert east in (now, now - dt.timedelta(days=1))  # a midnight may pass between the two
    monkeypatch.setattr(clock, "_zone", ZoneInfo("Pacific/Pago_Pago"))  # UTC-11, put in place directly
    assert 1 <= (east - clock.today()).days <= 2
    assert clock.show_stored("2026-01-15 18:00:00") == "2026-01-15 07:00"


@pytest.mark.parametrize("tz", ["America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"])
def test_without_a_zone_times_are_shown_in_the_machines_zone(zone, monkeypatch, tz):
    """No zone in the config: the machine's own (TZ here), across its clock changes, as astimezone() says."""
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        zone(None)
        for start in (dt.datetime(2026, 11, 1, 4, 0), dt.datetime(2026, 3, 8, 5, 0), dt.datetime(2026, 10, 3, 14, 0),
                      dt.datetime(1999, 12, 31, 23, 0)):  # fmt: skip
            for minute in range(0, 180, 7):
                moment = start + dt.timedelta(minutes=minute, seconds=59)
                local = moment.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")
                assert clock.show(moment) == local and clock.show_stored(str(moment)) == local, (tz, moment)
    finally:
        monkeypatch.undo()
        time.tzset()
