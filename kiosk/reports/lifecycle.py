"""``kiosk report lifecycle``: what reaches end of life in which school year, and what replacing it costs.

A device's end of life is its purchase date plus its model's lifespan, or its
auto-update expiration (AUE) date when that comes first: a Chromebook past its
AUE no longer gets updates and cannot sit state tests. Devices already gone
(disposed, retired, lost, stolen) are left out. Replacement cost is the
model's replacement cost, else what the device cost. A device with neither a
purchase date nor an AUE date is counted under "unknown".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from peewee import JOIN

from kiosk.config import Config
from kiosk.reports.book import Column
from kiosk.reports.common import ReportResult, heading, local_now, open_report, school_year_label, school_year_of
from models import CatalogItem, Device, Site

GONE = ("disposed", "retired", "lost", "stolen")
UNKNOWN = "unknown"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def end_of_life(purchased: dt.date | None, lifespan: int, aue: dt.date | None) -> tuple[dt.date | None, str]:
    """(the date, why): ``lifespan``, ``AUE`` or ``unknown``."""
    by_age = _add_years(purchased, lifespan) if purchased else None
    if aue is not None and (by_age is None or aue < by_age):
        return aue, "AUE"
    if by_age is not None:
        return by_age, "lifespan"
    return None, UNKNOWN


DEVICE_COLUMNS = (
    Column("Asset tag", width=12),
    Column("Serial", width=15),
    Column("Model", width=30),
    Column("Kind", width=11),
    Column("Status", width=10),
    Column("Site", width=8),
    Column("Funding source", width=16),
    Column("Purchase date", "date", 13),
    Column("Lifespan years", "int", 14),
    Column("AUE date", "date", 12),
    Column("End of life", "date", 12),
    Column("Because of", width=10),
    Column("School year", width=11),
    Column("Replacement cost", "money", 16),
)


def write_lifecycle(path, config: Config) -> ReportResult:
    """By school year: devices reaching end of life and their replacement cost, by site and funding source."""
    this_year = school_year_of(local_now(config).date(), config)
    with open_report(path, config, "Device lifecycle", "Devices reaching end of life, and replacement cost") as book:
        summary = book.sheet("By year")
        detail = book.sheet("By site and funding")
        devices = book.sheet("Devices")
        devices.title("Devices in service and their end of life", heading(config))
        listing = devices.table("LifecycleDevices", DEVICE_COLUMNS)
        years: dict[str, Counter] = {}
        groups: dict[tuple, Counter] = {}
        query = (
            Device.select(
                Device.asset_tag,
                Device.serial,
                CatalogItem.name,
                CatalogItem.category,
                Device.status,
                Site.code,
                Device.funding_source,
                Device.purchase_date,
                CatalogItem.lifespan_years,
                Device.aue_date,
                CatalogItem.replacement_cost_cents,
                Device.purchase_cost_cents,
            )
            .join(CatalogItem)
            .switch(Device)
            .join(Site, JOIN.LEFT_OUTER, on=(Device.site == Site.id))
            .where(Device.status.not_in(GONE))
            .order_by(Device.asset_tag)
            .tuples()
        )
        for tag, serial, model, kind, status, site, funding, bought, lifespan, aue, replace, cost in query.iterator():
            when, why = end_of_life(bought, lifespan, aue)
            year = school_year_label(school_year_of(when, config)) if when else UNKNOWN
            price = replace or cost or 0
            listing.add(
                (tag, serial, model, kind, status, site, funding, bought, lifespan, aue, when, why, year, price)
            )
            c = years.setdefault(year, Counter())
            c["devices"] += 1
            c["cost"] += price
            c[why] += 1
            g = groups.setdefault((year, site or "", funding or "(none)"), Counter())
            g["devices"] += 1
            g["cost"] += price
        listing.close("No devices in service.")

        order = sorted(y for y in years if y != UNKNOWN) + ([UNKNOWN] if UNKNOWN in years else [])
        current = school_year_label(this_year)
        overdue = [y for y in order if y != UNKNOWN and y < current]
        summary.title(
            "Devices reaching end of life, by school year",
            heading(config),
            "End of life: purchase date plus the model's lifespan, or the AUE date when that is earlier.",
        )
        summary.label("Already past end of life (devices)", sum(years[y]["devices"] for y in overdue), "int")
        summary.label("Already past end of life (replacement cost)", sum(years[y]["cost"] for y in overdue), "money")
        summary.row += 1
        first = summary.row + 1
        by_year = summary.table(
            "EndOfLifeByYear",
            (
                Column("School year", width=12),
                Column("Devices", "int", 9),
                Column("Replacement cost", "money", 17),
                Column("By lifespan", "int", 12),
                Column("By AUE date", "int", 12),
                Column("Note", width=24),
            ),
        )
        for year in order:
            c = years[year]
            note = "already past" if year in overdue else "this school year" if year == current else None
            if year == UNKNOWN:
                note = "no purchase or AUE date"
            by_year.add((year, c["devices"], c["cost"], c["lifespan"], c["AUE"], note))
        by_year.close("No devices in service.")
        dated = [y for y in order if y != UNKNOWN]
        if dated:
            chart = book.workbook.add_chart({"type": "column"})
            name = summary.ws.get_name()
            last = first + len(dated) - 1
            chart.add_series(
                {
                    "name": "Replacement cost",
                    "categories": [name, first, 0, last, 0],
                    "values": [name, first, 2, last, 2],
                    "y2_axis": False,
                }
            )
            chart.set_title({"name": "Replacement cost by school year"})
            chart.set_x_axis({"name": "School year"})
            chart.set_y_axis({"name": "US dollars", "num_format": "$#,##0"})
            chart.set_legend({"none": True})
            summary.ws.insert_chart(summary.row, 0, chart, {"x_scale": 1.6, "y_scale": 1.2})

        detail.title("End of life by school year, site and funding source", heading(config))
        table = detail.table(
            "EndOfLifeBySiteFunding",
            (
                Column("School year", width=12),
                Column("Site", width=8),
                Column("Funding source", width=18),
                Column("Devices", "int", 9),
                Column("Replacement cost", "money", 17),
            ),
        )
        for key in sorted(groups, key=lambda k: (k[0] == UNKNOWN, k)):
            table.add((*key, groups[key]["devices"], groups[key]["cost"]))
        table.close("No devices in service.")
        written = book.close()
    total = sum(c["devices"] for c in years.values())
    return ReportResult(written, "lifecycle", {"devices": total, "school years": len(dated)})
