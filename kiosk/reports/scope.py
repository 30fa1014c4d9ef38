"""What a report covers: a local day turned into UTC bounds, an optional site and station, the time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import fn

from kiosk.config import Config
from kiosk.errors import BadInput
from models import Event, Site, Station, utcnow


def zone_of(config: Config) -> dt.tzinfo | None:
    """The configured zone, or None for the machine's local zone."""
    if not config.timezone:
        return None
    try:
        return ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadInput(f"Unknown time zone {config.timezone!r} in the config.") from exc


def localizer(zone: dt.tzinfo | None):
    """A function turning a naive UTC datetime from the database into naive local time (what a cell shows)."""
    utc = dt.UTC
    if zone is None:
        return lambda at: at.replace(tzinfo=utc).astimezone().replace(tzinfo=None)
    return lambda at: at.replace(tzinfo=utc).astimezone(zone).replace(tzinfo=None)


def local_midnight_utc(day: dt.date, zone: dt.tzinfo | None) -> dt.datetime:
    """The UTC moment (naive) the local day ``day`` begins."""
    midnight = dt.datetime.combine(day, dt.time())
    aware = midnight.replace(tzinfo=zone) if zone is not None else midnight.astimezone()
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def today(config: Config) -> dt.date:
    return localizer(zone_of(config))(utcnow()).date()


def parse_day(text: str | None, config: Config) -> dt.date:
    """``YYYY-MM-DD``, ``today`` or ``yesterday`` (local days); None means today."""
    if text is None or text.strip().lower() == "today":
        return today(config)
    if text.strip().lower() == "yesterday":
        return today(config) - dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise BadInput(f"{text!r} is not a date; write it as YYYY-MM-DD (for example 2026-08-28).") from exc


@dataclass(frozen=True)
class DayScope:
    """One local day, optionally narrowed to a site and to a station."""

    day: dt.date
    start: dt.datetime
    """Naive UTC: the local day's first moment."""
    end: dt.datetime
    """Naive UTC: the local day's end, or the moment the export began if that is earlier."""
    site: str | None
    site_name: str | None
    station: str | None
    zone: dt.tzinfo | None
    zone_name: str

    @property
    def where(self) -> str:
        """``all sites``, ``HS (Central High School)``, plus the station when one is named."""
        text = f"{self.site} ({self.site_name})" if self.site else "all sites"
        return f"{text}, station {self.station}" if self.station else text

    @property
    def local(self):
        return localizer(self.zone)


def day_scope(config: Config, day: dt.date, *, site: str | None = None, station: str | None = None) -> DayScope:
    """Check the site and station exist and fix the day's bounds. Unknown names are bad input."""
    zone = zone_of(config)
    start = local_midnight_utc(day, zone)
    end = min(local_midnight_utc(day + dt.timedelta(days=1), zone), utcnow())
    if end < start:
        raise BadInput(f"{day.isoformat()} has not begun yet; choose today or an earlier day.")
    site_row = None
    if site is not None:
        site_row = Site.get_or_none(fn.UPPER(Site.code) == site.strip().upper())
        if site_row is None:
            raise BadInput(f"No location has code {site}; `kiosk lookup LOC-...` lists a location's code.")
    if station is not None:
        known = Station.get_or_none(Station.name == station) or Event.get_or_none(Event.station == station)
        if known is None:
            raise BadInput(f"No station named {station} has written to the ledger; check the name.")
    zone_name = config.timezone or (dt.datetime.now().astimezone().tzname() or "local time")
    return DayScope(
        day=day,
        start=start,
        end=end,
        site=site_row.code if site_row else None,
        site_name=site_row.name if site_row else None,
        station=station,
        zone=zone,
        zone_name=zone_name,
    )
