"""Times are stored in UTC and shown in the station's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.errors import BadInput

_zone: dt.tzinfo | None = None


def set_zone(name: str | None) -> None:
    """Show times in the IANA zone ``name`` (None: the machine's local zone)."""
    global _zone
    if not name:
        _zone = None
        return
    try:
        _zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadInput(f"Unknown time zone {name!r} in the config.") from exc


def to_local(value: dt.datetime) -> dt.datetime:
    """A naive UTC datetime from the database as an aware local one."""
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    return aware.astimezone(_zone) if _zone else aware.astimezone()


def show(value: dt.datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def today() -> dt.date:
    return to_local(dt.datetime.now(dt.UTC)).date()


def school_year(day: dt.date, start_month: int = 7, start_day: int = 1) -> int:
    """The calendar year a school year starts in (2026 for 2026-27)."""
    return day.year if (day.month, day.day) >= (start_month, start_day) else day.year - 1
