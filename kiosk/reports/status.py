"""``kiosk report status``: devices by status x site x model, and the device list."""

from __future__ import annotations

from collections import Counter

from peewee import JOIN, fn

from kiosk.config import Config
from kiosk.reports.book import Column
from kiosk.reports.common import ReportResult, heading, open_report
from models import CatalogItem, Device, Person, Site
from models.inventory import DEVICE_STATUSES

HomeSite = Site.alias("home")

DEVICE_COLUMNS = (
    Column("Asset tag", width=12),
    Column("Serial", width=15),
    Column("Model", width=30),
    Column("Kind", width=11),
    Column("Status", width=10),
    Column("Site", width=8),
    Column("Site name", width=26),
    Column("Home site", width=10),
    Column("Holder ID", width=11),
    Column("Holder", width=24),
    Column("Funding source", width=16),
    Column("PO", width=12),
    Column("Purchase date", "date", 13),
    Column("Purchase cost", "money", 13),
    Column("Warranty end", "date", 13),
    Column("AUE date", "date", 12),
)


def write_status(path, config: Config) -> ReportResult:
    """Counts by status for every site and model, then every device with where it is and who holds it."""
    with open_report(path, config, "Device status", "Devices by status, site and model") as book:
        summary = book.sheet("By status")
        summary.title("Devices by status, site and model", heading(config))
        counts = (
            Device.select(
                Site.code, Site.name, CatalogItem.name, CatalogItem.category, Device.status, fn.COUNT(Device.id)
            )
            .join(Site, JOIN.LEFT_OUTER, on=(Device.site == Site.id))
            .switch(Device)
            .join(CatalogItem)
            .group_by(Site.code, Site.name, CatalogItem.name, CatalogItem.category, Device.status)
            .tuples()
        )
        grid: dict[tuple, Counter] = {}
        by_site: dict[tuple, Counter] = {}
        totals: Counter = Counter()
        for code, name, model, category, status, n in counts:
            grid.setdefault((code or "", name or "(no site)", model, category), Counter())[status] += n
            by_site.setdefault((code or "", name or "(no site)"), Counter())[status] += n
            totals[status] += n
        statuses = list(DEVICE_STATUSES) + sorted(set(totals) - set(DEVICE_STATUSES))
        for status in statuses:
            summary.label(status.replace("_", " "), totals[status], "int")
        summary.label("all devices", sum(totals.values()), "int")
        summary.row += 1
        status_columns = [Column(s.replace("_", " "), "int", max(9, len(s) + 2)) for s in statuses]
        table = summary.table(
            "StatusBySiteModel",
            (
                Column("Site", width=8),
                Column("Site name", width=26),
                Column("Model", width=30),
                Column("Kind", width=11),
                *status_columns,
                Column("Total", "int", 9),
            ),
        )
        for key in sorted(grid):
            c = grid[key]
            table.add((*key, *(c[s] for s in statuses), sum(c.values())))
        table.close("No devices.")
        site_table = summary.table(
            "StatusBySite",
            (Column("Site", width=8), Column("Site name", width=26), *status_columns, Column("Total", "int", 9)),
            freeze=False,
        )
        for key in sorted(by_site):
            c = by_site[key]
            site_table.add((*key, *(c[s] for s in statuses), sum(c.values())))
        site_table.close("No devices.")

        devices = book.sheet("Devices")
        devices.title("Every device", heading(config))
        listing = devices.table("Devices", DEVICE_COLUMNS)
        query = (
            Device.select(
                Device.asset_tag,
                Device.serial,
                CatalogItem.name,
                CatalogItem.category,
                Device.status,
                Site.code,
                Site.name,
                HomeSite.code,
                Person.district_id,
                Person.first_name,
                Person.last_name,
                Device.funding_source,
                Device.po_number,
                Device.purchase_date,
                Device.purchase_cost_cents,
                Device.warranty_end,
                Device.aue_date,
            )
            .join(CatalogItem)
            .switch(Device)
            .join(Site, JOIN.LEFT_OUTER, on=(Device.site == Site.id))
            .switch(Device)
            .join(HomeSite, JOIN.LEFT_OUTER, on=(Device.home_site == HomeSite.id))
            .switch(Device)
            .join(Person, JOIN.LEFT_OUTER, on=(Device.holder == Person.id))
            .order_by(Device.asset_tag)
            .tuples()
        )
        for (
            tag,
            serial,
            model,
            kind,
            status,
            site,
            site_name,
            home,
            holder,
            first,
            last,
            funding,
            po,
            bought,
            cost,
            warranty,
            aue,
        ) in query.iterator():
            listing.add(
                (
                    tag,
                    serial,
                    model,
                    kind,
                    status,
                    site,
                    site_name,
                    home,
                    holder,
                    f"{first} {last}" if holder else None,
                    funding,
                    po,
                    bought,
                    cost,
                    warranty,
                    aue,
                )
            )
        listing.close("No devices.")
        written = book.close()
    return ReportResult(written, "status", {"devices": sum(totals.values()), "sites": len(by_site)})
