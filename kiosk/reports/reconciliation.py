"""The end-of-day reconciliation workbook (``kiosk export reconciliation``).

Sheets, in order: Summary (counts by station and operator; devices out per
site with the balance check), Transactions (every event of the day),
Outstanding (devices on loan; storage not scanned), Exceptions, Fees,
Stations (scans per hour, seconds per student, a chart). The events are read
once, in ledger order, and every sheet writes its rows as they go by.

Scope: ``site`` keeps the events that touch that site (a device moved from or
to it, a student of that school, a device recorded there, a station standing
there); ``station`` keeps one station's events. The balance always counts
every station's events, because devices out at a site change whichever
station scanned them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config
from kiosk.db import unavailable_as_error
from kiosk.reports.balance import Balance
from kiosk.reports.book import Book, Column
from kiosk.reports.day import (
    balances_owed,
    count_events,
    day_events,
    fees_of_day,
    in_scope,
    operator_names,
    site_names,
    station_sites,
)
from kiosk.reports.day_sheets import ACTION_COLUMNS, MONEY_COLUMNS, Exceptions, Fees, Tally, Transactions, fee_amount
from kiosk.reports.outstanding import write_outstanding
from kiosk.reports.scope import DayScope, day_scope, today
from kiosk.reports.stations import StationActivity
from models import utcnow

Progress = Callable[[float, str], None]

EXTRA_SHEETS: list[Callable[[Book, DayScope], None]] = []
"""Further sheets, written after the built-in ones: ``writer(book, scope)`` adds its own sheet with
``book.sheet(name)``. The physical audit feature appends the writer of the latest audit of each site in scope."""

_PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class ReconciliationResult:
    """What was written, for the command line and the station to report."""

    path: Path
    day: dt.date
    where: str
    events: int
    """Events of the day in scope."""
    out_at_end: int
    exceptions: int
    refused: int
    sites_checked: int
    sites_failed: tuple[str, ...]

    @property
    def balanced(self) -> bool:
        return not self.sites_failed

    @property
    def empty(self) -> bool:
        return self.events == 0


def _quiet(fraction: float, text: str) -> None:
    return None


def export_reconciliation(
    path: str | Path,
    config: Config,
    *,
    day: dt.date | None = None,
    site: str | None = None,
    station: str | None = None,
    progress: Progress | None = None,
) -> ReconciliationResult:
    """Write the reconciliation workbook of the local ``day`` (default today) to ``path`` (mode 0600).

    Unknown sites or stations and unusable output paths raise BadInput and write nothing.
    """
    with unavailable_as_error():
        scope = day_scope(config, day or today(config), site=site, station=station)
        return write_reconciliation(path, scope, config, progress or _quiet)


def _audit_sheet() -> tuple:
    # The latest audit of the site is part of the day's workbook (imported here: audits build on reports).
    from kiosk.services.audit_report import write_audit_sheet

    return (write_audit_sheet,)


def write_reconciliation(path: str | Path, scope: DayScope, config: Config, progress: Progress) -> ReconciliationResult:
    progress(0.0, "Counting the day's events")
    total = count_events(scope)
    local_end = scope.local(scope.end)
    heading = (
        f"{config.district_name}: {scope.day.isoformat()}, {scope.where}. Times in {scope.zone_name}; "
        f"events up to {local_end:%Y-%m-%d %H:%M}."
    )
    owed = balances_owed()
    with Book(
        path,
        title=f"Reconciliation {scope.day.isoformat()} {scope.where}",
        subject="End-of-day reconciliation of device loans",
        author=config.district_name,
        comments=f"Written by kiosk at {scope.local(utcnow()):%Y-%m-%d %H:%M} ({scope.zone_name}).",
    ) as book:
        summary = book.sheet("Summary")
        transactions = Transactions(book, operator_names())
        transactions.begin(heading)
        progress(0.05, "Listing devices on loan")
        out_rows, unscanned = write_outstanding(book, scope, heading)
        exceptions = Exceptions(book, owed)
        exceptions.begin(heading)
        fees = Fees(book, owed, fees_of_day(scope))
        fees.begin(heading)
        tally, balance = Tally(), Balance(scope.start, scope.end)
        activity = StationActivity()
        keep = in_scope(scope, station_sites(config.station, config.station_site))
        seen = kept = 0
        for e in day_events(scope):
            seen += 1
            if seen % _PROGRESS_EVERY == 0:
                progress(0.1 + 0.8 * seen / max(total, seen), f"{seen:,} of {total:,} events")
            balance.add(e)
            if not keep(e):
                continue
            kept += 1
            transactions.add(e)
            exceptions.add(e)
            fees.add(e)
            tally.add(e, fee_amount(e, fees.fees) if e.kind.startswith("fee.") else None)
            activity.add(e)
        transactions.close()
        progress(0.9, "Checking devices out per site")
        lines = balance.lines(scope.site)
        for line in lines:
            if not line.ok:
                exceptions.balance_failed(line.site, line.expected, line.out_end, local_end)
        exceptions.close()
        fees.close()
        activity.write(book)
        for writer in (*EXTRA_SHEETS, *_audit_sheet()):
            writer(book, scope)
        progress(0.95, "Writing the summary")
        result = ReconciliationResult(
            path=Path(path),
            day=scope.day,
            where=scope.where,
            events=kept,
            out_at_end=out_rows,
            exceptions=sum(exceptions.counts.values()),
            refused=exceptions.counts["Refused scan"],
            sites_checked=len(lines),
            sites_failed=tuple(line.site or "(no site)" for line in lines if not line.ok),
        )
        _summary(book, summary, scope, heading, tally, lines, result, unscanned)
        written = book.close()
    progress(1.0, f"Wrote {written}")
    return result


def _summary(book, sheet, scope, heading, tally: Tally, lines, result: ReconciliationResult, unscanned: int) -> None:
    sheet.title(f"Reconciliation for {scope.day.isoformat()}", heading)
    if result.empty:
        sheet.line(f"This day is empty: no events were recorded for {scope.where}.", book.bold)
        sheet.row += 1
    sheet.label("Events", result.events, "int")
    sheet.label("Devices out at the end of the day", result.out_at_end, "int")
    sheet.label("In storage, not scanned", unscanned, "int")
    sheet.label("Exceptions", result.exceptions, "int")
    sheet.label("Refused scans", result.refused, "int")
    verdict = "PASSED" if result.balanced else f"FAILED at {', '.join(result.sites_failed)}"
    sheet.label("Balance check", verdict, fmt=book.passed if result.balanced else book.failed)
    if scope.station:
        sheet.line(
            "The balance counts every station's events: devices out at a site change whichever station scans them."
        )
    sheet.row += 1
    sheet.line("Actions by station and operator", book.bold)
    operators = operator_names()
    by_station = sheet.table(
        "Actions",
        (
            Column("Station", width=18),
            Column("Operator", width=12),
            Column("Operator name", width=20),
            *(Column(label, "int", max(9, len(label) + 2)) for _, label in ACTION_COLUMNS),
            *(Column(f"{label} $", "money", 13) for _, label in MONEY_COLUMNS),
        ),
    )
    for station, operator in sorted(tally.counts):
        counts, money = tally.counts[(station, operator)], tally.money[(station, operator)]
        by_station.add(
            (
                station,
                operator,
                operators.get(operator),
                *(counts[k] for k, _ in ACTION_COLUMNS),
                *(money[k] for k, _ in MONEY_COLUMNS),
            )
        )
    if tally.counts:
        total = tally.total()
        money = sum(tally.money.values(), start=Counter())
        by_station.add(
            ("All stations", None, None, *(total[k] for k, _ in ACTION_COLUMNS), *(money[k] for k, _ in MONEY_COLUMNS))
        )
    by_station.close("No actions on this day.")
    sheet.line(
        "Devices out by site: start + issued - returned - closed as lost/stolen ± moved while out = end", book.bold
    )
    names = site_names()
    first = sheet.row + 1
    table = sheet.table(
        "DevicesOut",
        (
            Column("Site", width=10),
            Column("Site name", width=26),
            Column("Out at start", "int", 12),
            Column("Issued", "int", 9),
            Column("Returned", "int", 10),
            Column("Closed lost/stolen", "int", 18),
            Column("Moved while out", "int", 16),
            Column("Expected at end", "int", 16),
            Column("Out at end", "int", 11),
            Column("Check", width=10),
        ),
        freeze=False,
    )
    for line in lines:
        table.add(
            (
                line.site or "(no site)",
                names.get(line.site),
                line.out_start,
                line.issued,
                line.returned,
                line.closed,
                line.moved,
                line.expected,
                line.out_end,
                "passed" if line.ok else "FAILED",
            )
        )
    table.close("No devices out and no activity.")
    last = first + max(table.rows, 1) - 1
    sheet.ws.conditional_format(
        first, 9, last, 9, {"type": "cell", "criteria": "==", "value": '"FAILED"', "format": book.failed}
    )
    sheet.ws.conditional_format(
        first, 9, last, 9, {"type": "cell", "criteria": "==", "value": '"passed"', "format": book.passed}
    )
