"""What the board and state reports share: their result, school-year labels, the workbook they open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import Config
from kiosk.reports.book import Book
from kiosk.reports.scope import localizer, zone_of
from models import utcnow

PROGRAMS = (("IEP", "iep"), ("504", "sec504"), ("ELL", "ell"))
"""Program name as reports print it, and the Person flag that marks it."""


@dataclass(frozen=True)
class ReportResult:
    """A report written: where, and the figures the command line prints."""

    path: Path
    report: str
    figures: dict = field(default_factory=dict)

    def describe(self) -> str:
        shown = ", ".join(f"{value} {name}" for name, value in self.figures.items())
        return f"Wrote the {self.report} report to {self.path}" + (f": {shown}." if shown else ".")


def school_year_label(start_year: int) -> str:
    """``2027-28`` for the school year that starts in 2027."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def school_year_of(day: dt.date, config: Config) -> int:
    start = (config.school_year_start_month, config.school_year_start_day)
    return day.year if (day.month, day.day) >= start else day.year - 1


def local_now(config: Config) -> dt.datetime:
    return localizer(zone_of(config))(utcnow())


def open_report(path, config: Config, title: str, subject: str) -> Book:
    stamp = local_now(config)
    return Book(
        path,
        title=title,
        subject=subject,
        author=config.district_name,
        comments=f"Written by kiosk at {stamp:%Y-%m-%d %H:%M}.",
    )


def heading(config: Config) -> str:
    return f"{config.district_name}, as of {local_now(config):%Y-%m-%d %H:%M}."
