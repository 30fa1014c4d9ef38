"""Inventory exports (any legacy system, and Snipe-IT) read into ``DeviceRow`` records.

Nothing here knows the database: a row keeps the site and the model as the
file spells them, and ``kiosk.services.import_devices`` resolves them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from kiosk.io.mapping import Cells, Columns, Field, Rejection, RowError, header_key, resolve
from kiosk.io.readers import Table
from kiosk.io.values import clean_code, parse_cents, parse_date, parse_status

F = Field
COMMON_FIELDS = [
    F("asset_tag", ("Asset Tag", "AssetTag", "Tag", "Tag #", "Tag Number", "Asset #", "Asset Number", "Asset ID",
                    "Barcode", "Inventory Tag", "Property Tag", "annotatedAssetId", "Asset"), "asset tag"),
    F("serial", ("Serial", "Serial Number", "Serial #", "Serial No", "SN", "S/N", "serialNumber", "Service Tag"),
      "serial number"),
    F("model", ("Model", "Model Name", "Device Model", "Item", "Item Name", "Description", "Product", "Asset Model"),
      "model"),
    F("manufacturer", ("Manufacturer", "Make", "Brand", "Mfr"), "manufacturer"),
    F("category", ("Category", "Device Type", "Asset Type", "Type"), "category"),
    F("site", ("Location", "Site", "Building", "Current Location", "School", "Campus"), "site"),
    F("home_site", ("Default Location", "Home Site", "Home Location", "Home Building"), "home site"),
    F("status", ("Status", "Status Label", "State"), "status"),
    F("purchase_date", ("Purchase Date", "Purchased", "Date Purchased", "Acquisition Date", "Acquired",
                        "Received Date"), "purchase date"),
    F("purchase_cost", ("Purchase Cost", "Cost", "Unit Cost", "Purchase Price", "Price", "Amount"), "purchase cost"),
    F("funding_source", ("Funding Source", "Funding", "Fund", "Grant"), "funding source"),
    F("po_number", ("PO Number", "PO", "PO #", "Purchase Order", "Order Number", "Order #"), "PO number"),
    F("warranty_end", ("Warranty End", "Warranty Expires", "Warranty Expiration", "Warranty End Date",
                       "Warranty Date", "Warranty"), "warranty end"),
    F("aue_date", ("AUE Date", "AUE", "Auto Update Expiration", "autoUpdateExpiration", "autoUpdateThrough",
                   "End of Support"), "AUE date"),
]  # fmt: skip
"""Legacy inventory headers, most specific first."""

SNIPEIT_FIELDS = [
    F("asset_tag", ("Asset Tag",), "asset tag"),
    F("serial", ("Serial", "Serial Number"), "serial number"),
    F("model", ("Model",), "model"),
    F("manufacturer", ("Manufacturer",), "manufacturer"),
    F("category", ("Category",), "category"),
    F("site", ("Location", "Default Location"), "site"),
    F("home_site", ("Default Location",), "home site"),
    F("status", ("Status", "Status Label"), "status"),
    F("purchase_date", ("Purchase Date",), "purchase date"),
    F("purchase_cost", ("Purchase Cost", "Cost"), "purchase cost"),
    F("funding_source", ("Funding Source", "Funding"), "funding source"),
    F("po_number", ("Order Number",), "PO number"),
    F("warranty_end", ("Warranty Expires", "Warranty"), "warranty end"),
    F("aue_date", ("AUE Date", "AUE", "EOL Date"), "AUE date"),
]
"""A Snipe-IT asset export (Assets > Export, or Reports > Custom Asset Report)."""
SNIPEIT_HEADERS = {"assettag", "modelno", "checkedoutto"}
"""Headers only Snipe-IT writes together; ``--format auto`` uses them to recognise its exports."""

REQUIRED = (("asset_tag", "serial"),)
FORMATS = ("auto", "generic", "snipeit", "chromeos")
"""``--format`` choices; auto recognises Snipe-IT and Google exports by their headers."""
MAX_WARRANTY_MONTHS = 240


@dataclass(slots=True)
class DeviceRow:
    """One device as one file row describes it. None means the file says nothing about that field."""

    file: str
    row: int
    cells: list[str] | tuple = ()
    """The raw cells, paired with ``headers`` only when the row is reported."""
    headers: list[str] | tuple = ()
    asset_tag: str | None = None
    serial: str | None = None
    model: str | None = None
    manufacturer: str | None = None
    category: str | None = None
    site: str | None = None
    home_site: str | None = None
    status: str | None = None
    status_text: str | None = None
    purchase_date: dt.date | None = None
    purchase_cost_cents: int | None = None
    funding_source: str | None = None
    po_number: str | None = None
    warranty_end: dt.date | None = None
    aue_date: dt.date | None = None
    ou: str | None = None
    """ChromeOS organisational unit path; the service turns it into a site."""
    sources: list[tuple[str, int]] | tuple = ()
    """(file, row) of every row merged into this one (empty for a row nothing was merged into)."""

    @property
    def where(self) -> str:
        if len(self.sources) <= 1:
            return f"{self.file} row {self.row}"
        return ", ".join(f"{f} row {r}" for f, r in self.sources)

    def rejection(self, reason: str) -> Rejection:
        return Rejection(self.file, self.row, reason, Cells(self.headers, self.cells))


MERGED_FIELDS = (
    "model", "manufacturer", "category", "site", "home_site", "status", "purchase_date", "purchase_cost_cents",
    "funding_source", "po_number", "warranty_end", "aue_date", "ou",
)  # fmt: skip
"""Fields that rows of several files fill in for each other (and may contradict)."""


def looks_like_snipeit(table: Table) -> bool:
    return SNIPEIT_HEADERS <= {header_key(h) for h in table.headers}


def columns(table: Table, fmt: str, overrides: dict[str, str | None] | None = None) -> Columns:
    """The column map of an inventory table in format ``generic`` or ``snipeit``."""
    fields = SNIPEIT_FIELDS if fmt == "snipeit" else COMMON_FIELDS
    return resolve(table, fields, required=REQUIRED, overrides=overrides)


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _text(value: str) -> str | None:
    if "  " in value or "\t" in value or "\n" in value or "\r" in value:  # the common case needs no split
        value = " ".join(value.split())
    return value or None


# Inventories repeat the same dates, prices and statuses thousands of times: parse each spelling once.
_date = functools.lru_cache(maxsize=8192)(parse_date)
_aue = functools.lru_cache(maxsize=1024)(functools.partial(parse_date, month_only=True))
_cents = functools.lru_cache(maxsize=4096)(parse_cents)
_status = functools.lru_cache(maxsize=256)(parse_status)
_PARSED = (("status", "status", _status), ("purchase_date", "purchase_date", _date),
           ("purchase_cost_cents", "purchase_cost", _cents), ("aue_date", "aue_date", _aue))  # fmt: skip
_TEXTS = ("model", "manufacturer", "category", "site", "home_site", "funding_source", "po_number")


_FORMULA_STARTS = ("=", "+", "-", "@")
_FORMULA_INSIDE = re.compile("\x00[=+@-]")
"""A cell after the first that starts like a formula, in the row's cells joined by NULs (one scan, not four)."""


def parse_rows(cols: Columns) -> tuple[list[DeviceRow], list[Rejection]]:
    """Every data row of an inventory table as a DeviceRow, or a Rejection naming what is wrong.

    One loop with the column positions in local names: this is the inner loop of a
    100,000-row import, where a function call per cell was a third of the time.
    """
    headers = cols.table.headers
    index = cols.index
    width = len(headers)
    label = {name: headers[i] for name, i in index.items()}
    source = cols.table.source
    tag_at, serial_at = index.get("asset_tag"), index.get("serial")
    texts = tuple((name, index[name]) for name in _TEXTS if name in index)
    parsed = tuple((attribute, name, index[name], parse) for attribute, name, parse in _PARSED if name in index)
    status_at, warranty_at = index.get("status"), index.get("warranty_end")
    check, starts, risky = cols.check, _FORMULA_STARTS, _FORMULA_INSIDE.search
    rows, rejected = [], []
    for number, cells in cols.table.rows:
        raw = cells
        try:
            joined = "\x00".join(cells)
            if len(cells) != width or joined[:1] in starts or risky(joined):
                # a short, long or formula-looking row: looked at cell by cell
                check(cells)
                if len(cells) < width:
                    cells = [*cells, *[""] * (width - len(cells))]
            tag = clean_code(cells[tag_at]) if tag_at is not None else ""
            serial = clean_code(cells[serial_at]) if serial_at is not None else ""
            if not tag and not serial:
                raise RowError("no asset tag and no serial number")
            row = DeviceRow(source, number, raw, headers, tag or None, serial or None)
            # Whitespace to tidy is rare: looked for once in the whole row, then only in its cells when found.
            messy = "  " in joined or "\t" in joined or "\n" in joined or "\r" in joined
            for name, i in texts:
                text = cells[i]
                if text:
                    setattr(row, name, _text(text) if messy else text)
            problems: list[str] = []
            for attribute, name, i, parse in parsed:
                text = cells[i]
                if text:
                    try:
                        setattr(row, attribute, parse(text))
                    except ValueError as exc:
                        problems.append(f"{label[name]}: {exc}")
            if status_at is not None:
                row.status_text = _text(cells[status_at])
            warranty = cells[warranty_at].strip() if warranty_at is not None else ""
            if warranty:
                _warranty(row, warranty, label["warranty_end"], problems)
            if problems:
                raise RowError("; ".join(problems))
            rows.append(row)
        except RowError as exc:
            rejected.append(cols.reject(number, raw, str(exc)))
    return rows, rejected


def _warranty(row: DeviceRow, warranty: str, label: str, problems: list[str]) -> None:
    if warranty.isdigit() and int(warranty) <= MAX_WARRANTY_MONTHS:
        # Snipe-IT's "Warranty" column (and many spreadsheets) give months after purchase, not a date.
        if row.purchase_date is None:
            problems.append(f"{label}: {warranty} months of warranty, but no purchase date to count from")
        else:
            row.warranty_end = _add_months(row.purchase_date, int(warranty))
    else:
        try:
            row.warranty_end = _date(warranty)
        except ValueError as exc:
            problems.append(f"{label}: {exc}")
