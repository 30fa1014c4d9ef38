"""The sheets written while the day's events go by: Transactions, Exceptions, Fees, and the counts.

Each consumer takes one :class:`~kiosk.reports.day.DayEvent` at a time and
writes its row at once (constant memory); only counts are kept.
"""

from __future__ import annotations

from collections import Counter

from kiosk.reports.book import Book, Column, Sheet
from kiosk.reports.day import DayEvent

TRANSACTION_COLUMNS = (
    Column("Time", "datetime", 17),
    Column("Station", width=16),
    Column("Operator", width=12),
    Column("Operator name", width=20),
    Column("Action", width=15),
    Column("Student ID", width=12),
    Column("Student", width=24),
    Column("Asset tag", width=12),
    Column("Serial", width=14),
    Column("Model", width=28),
    Column("From site", width=10),
    Column("To site", width=10),
    Column("Condition", width=11),
    Column("Fee", "money", 11),
    Column("Note", width=50),
)


class Transactions:
    """One row per event of the day."""

    def __init__(self, book: Book, operators: dict[str, str]):
        self.sheet = book.sheet("Transactions")
        self.operators = operators
        self.table = None

    def begin(self, heading: str) -> None:
        self.sheet.title("Transactions", heading)
        self.table = self.sheet.table("Transactions", TRANSACTION_COLUMNS)

    def add(self, e: DayEvent) -> None:
        op = e.operator
        self.table.add(
            (
                e.local,
                e.station,
                op,
                self.operators.get(op) if op else None,
                e.action,
                e.person,
                e.student,
                e.asset_tag,
                e.serial,
                e.model,
                e.from_site,
                e.to_site,
                e.condition,
                e.fee_cents,
                e.note,
            )
        )

    def close(self) -> int:
        return self.table.close("No events were recorded on this day.")


EXCEPTION_COLUMNS = (
    Column("Time", "datetime", 17),
    Column("Station", width=16),
    Column("Operator", width=12),
    Column("Exception", width=30),
    Column("Student ID", width=12),
    Column("Student", width=24),
    Column("Asset tag", width=12),
    Column("Owed", "money", 11),
    Column("Details", width=70),
)
_CONFIRMED = {
    "ineligible": "Confirmed warning: model not meant for the student",
    "category": "Override: student already held a device of that kind",
    "fees": "Issued to a student who owes (confirmed)",
}
_STATUS_EXCEPTIONS = {"damaged": "Marked damaged", "lost": "Marked lost", "stolen": "Marked stolen"}
_RETURN_EXCEPTIONS = {"damaged": "Damaged return", "lost": "Returned as lost", "nocharger": "Returned without charger"}


class Exceptions:
    """Refused scans, overrides and confirmed warnings, issues to students who owe, damage and loss."""

    def __init__(self, book: Book, owed: dict[str, int]):
        self.sheet = book.sheet("Exceptions")
        self.owed = owed
        self.table = None
        self.counts: Counter = Counter()

    def begin(self, heading: str) -> None:
        self.sheet.title(
            "Exceptions",
            heading,
            "Owed: what the student owes now. A failed balance check is listed last.",
        )
        self.table = self.sheet.table("Exceptions", EXCEPTION_COLUMNS)

    def _row(self, e: DayEvent, what: str, details: str, owed: int | None = None) -> None:
        self.counts[what] += 1
        self.table.add((e.local, e.station, e.operator, what, e.person, e.student, e.asset_tag, owed, details))

    def add(self, e: DayEvent) -> None:
        kind, d = e.kind, e.details
        if kind == "rejected":
            self._row(
                e, "Refused scan", f"{d.get('reason', '')} (scanned {d.get('scan', '')!r} in {d.get('mode', '?')} mode)"
            )
        elif kind == "issued":
            confirmed = list(d.get("confirmed") or ())
            for code in confirmed:
                self._row(e, _CONFIRMED.get(code, f"Confirmed warning: {code}"), e.note, self.owed.get(e.person))
            owes = self.owed.get(e.person, 0)
            if owes > 0 and "fees" not in confirmed:
                self._row(e, "Issued to a student who owes", f"{e.asset_tag} issued; the student owes now.", owes)
        elif kind == "returned" and d.get("condition") in _RETURN_EXCEPTIONS:
            self._row(e, _RETURN_EXCEPTIONS[d["condition"]], f"{e.model or ''} now {d.get('status', '?')}")
        elif kind == "status" and d.get("status") in _STATUS_EXCEPTIONS:
            self._row(e, _STATUS_EXCEPTIONS[d["status"]], e.note)

    def balance_failed(self, site: str | None, expected: int, recorded: int, sheet_time) -> None:
        what = "Does not add up"
        self.counts[what] += 1
        self.table.add(
            (
                sheet_time,
                None,
                None,
                what,
                None,
                None,
                None,
                None,
                (
                    f"Site {site or '(no site)'}: the ledger gives {expected} devices out at the end of the day, "
                    f"the loan records {recorded}."
                ),
            )
        )

    def close(self) -> int:
        return self.table.close("No exceptions on this day.")


FEE_COLUMNS = (
    Column("Time", "datetime", 17),
    Column("Station", width=16),
    Column("Operator", width=12),
    Column("Action", width=13),
    Column("Student ID", width=12),
    Column("Student", width=24),
    Column("School", width=9),
    Column("Homeroom", width=10),
    Column("Asset tag", width=12),
    Column("Fee kind", width=10),
    Column("Amount", "money", 11),
    Column("Fee status now", width=14),
    Column("Fee balance now", "money", 15),
    Column("Student balance now", "money", 19),
    Column("Note", width=40),
)


def fee_amount(e: DayEvent, fees: dict) -> int | None:
    """The amount a fee event assessed, took or waived (a waiver that does not say: what was left to pay)."""
    amount = e.fee_cents
    if amount is None and e.kind == "fee.waived":
        fee = fees.get(e.details.get("fee"))
        if fee is not None:
            amount = fee.amount_cents - fee.paid_cents
    return amount


class Fees:
    """The day's fee events with balances, then their totals."""

    def __init__(self, book: Book, owed: dict[str, int], fees: dict):
        self.sheet: Sheet = book.sheet("Fees")
        self.owed, self.fees = owed, fees
        self.table = None
        self.totals: Counter = Counter()
        self.numbers: Counter = Counter()

    def begin(self, heading: str) -> None:
        self.sheet.title("Fees assessed, paid and waived", heading)
        self.table = self.sheet.table("Fees", FEE_COLUMNS)

    def add(self, e: DayEvent) -> None:
        if not e.kind.startswith("fee."):
            return
        fee = self.fees.get(e.uuid if e.kind == "fee.assessed" else e.details.get("fee"))
        amount = fee_amount(e, self.fees)
        self.totals[e.kind] += amount or 0
        self.numbers[e.kind] += 1
        balance = fee.amount_cents - fee.paid_cents if fee is not None and fee.status == "owed" else 0
        self.table.add(
            (
                e.local,
                e.station,
                e.operator,
                e.action.removeprefix("fee "),
                e.person,
                e.student,
                e.school,
                e.homeroom,
                e.asset_tag,
                fee.kind if fee is not None else e.details.get("kind"),
                amount,
                fee.status if fee is not None else "unknown",
                balance,
                self.owed.get(e.person, 0),
                e.note,
            )
        )

    def close(self) -> None:
        self.table.close("No fees were assessed, paid or waived on this day.")
        totals = self.sheet.table(
            "FeeTotals",
            (Column("Fees", width=13), Column("Count", "int", 9), Column("Amount", "money", 13)),
            freeze=False,
        )
        for kind, label in (("fee.assessed", "assessed"), ("fee.paid", "paid"), ("fee.waived", "waived")):
            totals.add((label, self.numbers[kind], self.totals[kind]))
        totals.close()


ACTION_COLUMNS = (
    ("issued", "Issued"),
    ("returned", "Returned"),
    ("transferred", "Transferred"),
    ("status", "Status changes"),
    ("damaged", "Damaged returns"),
    ("fee.assessed", "Fees assessed"),
    ("fee.paid", "Fee payments"),
    ("fee.waived", "Fees waived"),
    ("rejected", "Scans refused"),
)
MONEY_COLUMNS = (("fee.assessed", "Assessed"), ("fee.paid", "Collected"), ("fee.waived", "Waived"))


class Tally:
    """Counts by action for each (station, operator), and fee amounts."""

    def __init__(self):
        self.counts: dict[tuple[str, str], Counter] = {}
        self.money: dict[tuple[str, str], Counter] = {}

    def add(self, e: DayEvent, fee_cents: int | None = None) -> None:
        key = (e.station, e.operator or "")
        c = self.counts.get(key)
        if c is None:
            c = self.counts[key] = Counter()
            self.money[key] = Counter()
        kind = e.kind
        if kind == "device.moved":
            if e.details.get("reason") != "issued at another site":
                c["transferred"] += 1
        elif kind in ("issued", "returned", "status", "rejected", "fee.assessed", "fee.paid", "fee.waived"):
            c[kind] += 1
            if kind == "returned" and e.details.get("condition") == "damaged":
                c["damaged"] += 1
            if kind.startswith("fee."):
                self.money[key][kind] += fee_cents or 0
        else:
            c["other"] += 1

    def total(self) -> Counter:
        total: Counter = Counter()
        for c in self.counts.values():
            total.update(c)
        return total
