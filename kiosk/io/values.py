"""Parsing the cells of imported files: dates, money, yes/no flags, device statuses, formulas.

Every parser raises ``ValueError`` with a sentence fit for a rejected-row
report; the caller adds the file, row and column.

Dates accepted: ISO ``2024-03-15`` (also with a time, as ``2024-03-15T08:00:00Z``
or ``2024-03-15 00:00:00``), US ``3/15/2024`` (month first, four-digit year)
and ``15-Mar-2024`` / ``15 Mar 2024`` / ``Mar 15, 2024``. For AUE dates also a
month alone (``2029-06``, ``Jun 2029``, meaning the last day of that month) and
the milliseconds since 1970 that the Google Directory API returns.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_name) if name})
_MONTHS["sept"] = 9
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})(?: \d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?)?$")
_DMY = re.compile(r"^(\d{1,2})[- ]([A-Za-z]{3,9})\.?[- ](\d{2,4})$")
_MDY = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$")
_YM = re.compile(r"^(\d{4})-(\d{1,2})$")
_MY = re.compile(r"^([A-Za-z]{3,9})\.? (\d{4})$")
_FORMULA = re.compile(r"^[=]|^[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
DATE_FORMATS = "YYYY-MM-DD, M/D/YYYY or D-Mon-YYYY"


def looks_like_formula(text: str) -> bool:
    """A cell a spreadsheet would run: ``=HYPERLINK(...)``, ``@SUM(...)``, ``+cmd(...)``."""
    return bool(text) and bool(_FORMULA.match(text))


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def _month(name: str, text: str) -> int:
    month = _MONTHS.get(name.lower())
    if month is None:
        raise ValueError(f"{text!r} is not a date: {name!r} is not a month name")
    return month


def _four_digit(year: str, text: str) -> int:
    if len(year) != 4:
        raise ValueError(f"{text!r} has a two-digit year; write the year in full ({DATE_FORMATS})")
    return int(year)


def parse_date(text: str, *, month_only: bool = False) -> dt.date | None:
    """A date from the spellings inventory exports use; None for an empty cell.

    ``month_only`` also accepts a month alone (AUE dates) and epoch milliseconds.
    """
    text = text.strip()
    if not text:
        return None
    if m := _ISO.match(text):
        return _date(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _US.match(text):
        return _date(_four_digit(m[3], text), int(m[1]), int(m[2]), text)
    if m := _DMY.match(text):
        return _date(_four_digit(m[3], text), _month(m[2], text), int(m[1]), text)
    if m := _MDY.match(text):
        return _date(int(m[3]), _month(m[1], text), int(m[2]), text)
    if month_only:
        if m := (_YM.match(text) or _MY.match(text)):
            year, month = (int(m[1]), int(m[2])) if m.re is _YM else (int(m[2]), _month(m[1], text))
            if not 1 <= month <= 12:
                raise ValueError(f"{text!r} is not a month")
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        if text.isdigit() and len(text) >= 12:  # the Directory API's milliseconds since 1970
            moment = dt.datetime.fromtimestamp(int(text) / 1000, tz=dt.UTC)
            return moment.date()
    raise ValueError(f"{text!r} is not a date kiosk reads; use {DATE_FORMATS}")


def parse_cents(text: str) -> int | None:
    """Money in whole cents from ``$1,234.50``, ``289``, ``289.00 USD``; None for an empty cell.

    A negative amount (``-5``, ``(5.00)``) is refused: a purchase does not cost less than nothing.
    """
    raw = text.strip()
    if not raw:
        return None
    cleaned = raw.replace("$", "").replace("USD", "").replace(" ", "")
    if "," in cleaned and not _THOUSANDS.fullmatch(cleaned.strip("()-+")):
        # "289,00" is a European decimal comma; read as thousands it would be a hundred times too much.
        raise ValueError(f"{raw!r} is not an amount kiosk reads; write it as 289.00 or 1,289.00")
    cleaned = cleaned.replace(",", "")
    negative = cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    cleaned = cleaned.strip("()").lstrip("-+")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"{raw!r} is not an amount of money")
    if negative and amount != 0:
        raise ValueError(f"{raw!r} is a negative cost")
    if amount > MAX_AMOUNT:
        raise ValueError(f"{raw!r} is more than kiosk records for one item (at most ${MAX_AMOUNT:,})")
    return int((amount * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


MAX_AMOUNT = 10_000_000
"""Dollars: no device, fee or payment comes near; past it a cell is a typing slip (or a number too large to store)."""


_TRUE = {"y", "yes", "true", "t", "1", "x", "on", "active", "eligible", "iep", "504", "ell", "el", "lep", "sped"}
_FALSE = {"n", "no", "false", "f", "0", "off", "none", "inactive", "exited", "not eligible", "ineligible", "-"}


def parse_flag(text: str) -> bool | None:
    """A yes/no program flag; None (not given) for an empty cell."""
    value = text.strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is not yes or no (use Y/N, Yes/No, True/False or 1/0)")


STATUS_WORDS = {
    "available": (
        "available", "in stock", "instock", "stock", "ready to deploy", "ready", "deployable", "spare",
        "pending", "unassigned", "active", "in service", "new", "rtd",
    ),
    "issued": ("issued", "deployed", "checked out", "assigned", "in use", "loaned", "on loan", "checkedout"),
    "damaged": ("damaged", "broken", "needs repair", "broken - not fixable", "broken not fixable", "cracked"),
    "in_repair": ("in repair", "in_repair", "out for repair", "repair", "at vendor", "rma", "out for diagnostics"),
    "lost": ("lost", "missing", "lost/stolen", "lost or stolen"),
    "stolen": ("stolen",),
    "disposed": ("disposed", "e-waste", "ewaste", "recycled", "destroyed", "scrapped", "disposal"),
    "retired": ("retired", "archived", "decommissioned", "deprovisioned", "surplus", "end of life", "eol"),
}  # fmt: skip
"""How inventory systems spell each kiosk device status (compared in lower case, single spaces)."""
_STATUS = {word: status for status, words in STATUS_WORDS.items() for word in words}


def parse_status(text: str) -> str | None:
    """The kiosk device status a legacy status label means; None for an empty cell."""
    value = " ".join(text.strip().lower().replace("_", " ").split())
    if not value:
        return None
    status = _STATUS.get(value) or _STATUS.get(value.replace(" ", "_"))
    if status is None:
        raise ValueError(
            f"status {text!r} is not one kiosk knows; use one of {', '.join(STATUS_WORDS)} "
            "(or a common spelling such as 'Ready to Deploy', 'Out for Repair')"
        )
    return status


def clean_code(text: str) -> str:
    """An asset tag, serial or ID as printed: stripped, inner whitespace removed.

    Barcodes never hold spaces, but spreadsheets pick them up (``"5CD 1234"``).
    """
    return "".join(text.split())
