"""The end-of-day workbook: a day built through the services, every sheet read back and checked against the ledger."""

from __future__ import annotations

import itertools
import json
import os
import stat
from collections import Counter

import pytest

from kiosk.reports import export_reconciliation
from kiosk.reports.day import ACTIONS
from kiosk.reports.scope import day_scope
from models import Event, Fee, Person
from tests.integration.test_reports_support import INJECTION, build_day, cells, day_events, has_formula, load, table


@pytest.fixture
def day(district):
    return build_day(district)


@pytest.fixture
def book(day, tmp_path):
    path = tmp_path / "eod.xlsx"
    result = export_reconciliation(path, day.config, day=day.day)
    return result, load(path), path


def test_the_sheets_and_the_file(book, day):
    result, wb, path = book
    assert wb.sheetnames == ["Summary", "Transactions", "Outstanding", "Exceptions", "Fees", "Stations", "Audit"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not list(path.parent.glob(".*.part"))
    assert wb.properties.title == f"Reconciliation {day.day.isoformat()} all sites"
    assert wb.properties.creator == day.config.district_name
    for ws in wb:
        assert ws.tables, ws.title
        assert ws.freeze_panes is not None, ws.title
        for t in ws.tables.values():
            assert t.autoFilter is not None and t.autoFilter.ref == t.ref
    assert result.balanced and not result.empty


def test_transactions_are_the_days_ledger_in_order(book, day):
    _, wb, _ = book
    rows = table(wb["Transactions"], "Transactions")
    events = day_events(day)
    assert len(rows) == len(events) > 10
    local = day_scope(day.config, day.day).local
    for row, e in zip(rows, events, strict=True):
        assert abs((row["Time"] - local(e.at)).total_seconds()) < 0.01  # Excel keeps milliseconds
        assert (row["Station"], row["Operator"], row["Action"], row["Asset tag"], row["Student ID"]) == (
            e.station,
            e.operator,
            ACTIONS.get(e.kind, e.kind),
            e.asset_tag,
            e.person,
        )
        details = json.loads(e.details)
        if e.kind == "returned":
            assert row["Condition"] == details["condition"]
        if e.kind in ("fee.assessed", "fee.paid"):
            assert row["Fee"] == details["amount_cents"] / 100
    by_tag = {r["Asset tag"]: r for r in rows if r["Action"] == "issued"}
    assert by_tag["CB3"]["Student"] == "Ana Lopez" and by_tag["CB3"]["Model"] == "HP Chromebook 11 G9 EE"
    assert by_tag["CB3"]["Serial"] == "5CD00003" and by_tag["CB3"]["To site"] == "HS"
    assert by_tag["CB3"]["Operator name"] == "Olive Operator"
    moved = [r for r in rows if r["Action"] == "transferred" and r["Asset tag"] == "CB4"]
    assert [(m["From site"], m["To site"]) for m in moved] == [("STORE", "ES")]


def test_summary_counts_match_the_ledger(book, day):
    _, wb, _ = book
    rows = {(r["Station"], r["Operator"]): r for r in table(wb["Summary"], "Actions")}
    expected: dict = {}
    for e in day_events(day):
        c = expected.setdefault((e.station, e.operator), Counter())
        d = json.loads(e.details)
        if e.kind == "device.moved" and d.get("reason") != "issued at another site":
            c["Transferred"] += 1
        names = {
            "issued": "Issued",
            "returned": "Returned",
            "status": "Status changes",
            "rejected": "Scans refused",
            "fee.assessed": "Fees assessed",
            "fee.paid": "Fee payments",
            "fee.waived": "Fees waived",
        }
        if e.kind in names:
            c[names[e.kind]] += 1
        if e.kind == "returned" and d["condition"] == "damaged":
            c["Damaged returns"] += 1
    for key, counts in expected.items():
        row = rows[key]
        for column in (
            "Issued",
            "Returned",
            "Transferred",
            "Status changes",
            "Damaged returns",
            "Fees assessed",
            "Fee payments",
            "Fees waived",
            "Scans refused",
        ):
            assert row[column] == counts[column], (key, column)
    total = rows[("All stations", None)]
    assert total["Issued"] == sum(c["Issued"] for c in expected.values()) == 4
    assert total["Scans refused"] == 2
    assert rows[("desk-2", "OP1")]["Issued"] == 1
    assessed = sum(json.loads(e.details)["amount_cents"] for e in day_events(day) if e.kind == "fee.assessed")
    assert total["Assessed $"] == assessed / 100 >= 40
    fee_rows = table(wb["Fees"], "Fees")
    assert total["Waived $"] == sum(r["Amount"] for r in fee_rows if r["Action"] == "waived") >= 25


def test_the_balance_equation_holds_per_site(book):
    _, wb, _ = book
    lines = {r["Site"]: r for r in table(wb["Summary"], "DevicesOut")}
    hs, es = lines["HS"], lines["ES"]
    assert (hs["Out at start"], hs["Issued"], hs["Returned"], hs["Closed lost/stolen"], hs["Out at end"]) == (
        2,
        3,
        1,
        1,
        3,
    )
    assert (es["Out at start"], es["Issued"], es["Returned"], es["Out at end"]) == (0, 1, 0, 1)
    for line in lines.values():
        assert (
            line["Out at start"]
            + line["Issued"]
            - line["Returned"]
            - line["Closed lost/stolen"]
            + line["Moved while out"]
            == line["Expected at end"]
            == line["Out at end"]
        )
        assert line["Check"] == "passed"
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=1, max_row=12) if r[0].value}
    assert summary["Balance check"] == "PASSED"
    assert summary["Devices out at the end of the day"] == 4


def test_refused_scans_and_other_exceptions(book, day):
    _, wb, _ = book
    rows = table(wb["Exceptions"], "Exceptions")
    refused = [r for r in rows if r["Exception"] == "Refused scan"]
    ledger = [json.loads(e.details) for e in day_events(day) if e.kind == "rejected"]
    assert len(refused) == len(ledger) == 2
    for row, details in zip(refused, ledger, strict=True):
        assert details["reason"] in row["Details"] and details["scan"] in row["Details"]
    assert "NOPE-1" in refused[0]["Details"] and "CB1" in refused[1]["Details"]
    kinds = Counter(r["Exception"] for r in rows)
    assert kinds["Damaged return"] == 1 and kinds["Marked lost"] == 1
    confirmed = Counter(
        code for e in day_events(day) if e.kind == "issued" for code in json.loads(e.details).get("confirmed", [])
    )
    assert confirmed["ineligible"] == 1
    assert kinds["Confirmed warning: model not meant for the student"] == confirmed["ineligible"]
    assert kinds["Issued to a student who owes (confirmed)"] == confirmed["fees"] >= 1
    owes = [r for r in rows if r["Exception"].startswith("Issued to a student who owes")]
    assert "CB3" in [r["Asset tag"] for r in owes]
    cb3 = next(r for r in owes if r["Asset tag"] == "CB3")
    assert cb3["Owed"] == balance_of("S100") / 100 > 0
    assert kinds["Does not add up"] == 0
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(max_row=12) if r[0].value}
    assert (summary["Exceptions"], summary["Refused scans"]) == (len(rows), 2)


def balance_of(student: str) -> int:
    return sum(
        f.amount_cents - f.paid_cents
        for f in Fee.select().join(Person).where((Person.district_id == student) & (Fee.status == "owed"))
    )


def test_fees_of_the_day_with_balances(book, day):
    _, wb, _ = book
    rows = table(wb["Fees"], "Fees")
    events = [e for e in day_events(day) if e.kind.startswith("fee.")]
    assert [(r["Action"], r["Student ID"]) for r in rows] == [(e.kind[4:], e.person) for e in events]
    for row, e in zip(rows, events, strict=True):
        assert row["Student balance now"] == balance_of(e.person) / 100
    by_note = {r["Note"]: r for r in rows}
    assessed, paid, waived = by_note["cracked screen"], by_note["cash"], by_note["hardship"]
    assert (assessed["Action"], assessed["Amount"], assessed["Asset tag"]) == ("assessed", 40.0, "CB1")
    assert assessed["Fee status now"] == "owed" and assessed["Fee balance now"] == 25.0
    assert (paid["Action"], paid["Amount"]) == ("paid", 15.0)
    assert (waived["Action"], waived["Amount"], waived["Fee status now"], waived["Fee balance now"]) == (
        "waived",
        25.0,
        "waived",
        0,
    )
    totals = {r["Fees"]: (r["Count"], r["Amount"]) for r in table(wb["Fees"], "FeeTotals")}
    for kind in ("assessed", "paid", "waived"):
        mine = [r for r in rows if r["Action"] == kind]
        assert totals[kind] == (len(mine), sum(r["Amount"] or 0 for r in mine))
    money = cells(wb["Fees"], "Fees")[0][10]
    assert money.data_type == "n" and "$" in money.number_format


def test_outstanding_loans_and_unscanned_storage(book):
    _, wb, _ = book
    loans = table(wb["Outstanding"], "OnLoan")
    assert [(r["School"], r["Homeroom"], r["Asset tag"]) for r in loans] == [
        ("HS", "H-101", "CB5"),
        ("HS", "H-101", "CB3"),
        ("HS", "H-102", "HOT1"),
        ("ES", "E-3A", "TB1"),
    ]
    assert all(r["Days out"] == 0 for r in loans)
    storage = table(wb["Outstanding"], "StorageNotScanned")
    assert [(r["Storage site"], r["Asset tag"]) for r in storage] == [("STORE", "CB6")]


def test_a_name_that_looks_like_a_formula_stays_text(book):
    _, wb, path = book
    ws = wb["Transactions"]
    found = [c for row in cells(ws, "Transactions") for c in row if c.value == f"{INJECTION} Injection"]
    assert found and all(c.data_type == "s" for c in found)
    assert not has_formula(path)


def test_stations_sheet_counts_scans_per_hour(book, day):
    _, wb, _ = book
    stations = {r["Station"]: r for r in table(wb["Stations"], "Stations")}
    scans = Counter(
        e.station
        for e in day_events(day)
        if e.kind in ("issued", "returned", "device.moved", "status", "rejected")
        and json.loads(e.details).get("reason") != "issued at another site"
    )
    assert {name: row["Scans"] for name, row in stations.items()} == dict(scans)
    served = {e.person for e in day_events(day, "test-station") if e.kind in ("issued", "returned")}
    assert stations["test-station"]["Students served"] == len(served) == 3
    assert stations["desk-2"]["Scans"] == 1
    hours = table(wb["Stations"], "ScansByHour")
    assert sum(r["All stations"] for r in hours) == sum(scans.values())
    times = [
        e.at
        for e in day_events(day, "test-station")
        if e.kind in ("issued", "returned", "device.moved", "status", "rejected")
        and json.loads(e.details).get("reason") != "issued at another site"
    ]
    busy = sum(g for g in ((b - a).total_seconds() for a, b in itertools.pairwise(times)) if g <= 300)
    row = stations["test-station"]
    assert row["Busy minutes"] == pytest.approx(busy / 60, abs=1e-6)
    assert row["Seconds per student"] == pytest.approx(busy / 3, abs=1e-6) and busy > 0


def test_the_chart_is_in_the_file(book):
    import zipfile

    _, _, path = book
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts and b"Scans by hour" in z.read(charts[0])


def test_events_after_the_day_are_not_counted(book, day, tmp_path):
    later = day.day.replace(year=day.day.year - 1)
    result = export_reconciliation(tmp_path / "old.xlsx", day.config, day=later)
    assert result.empty and result.events == 0
    assert Event.select().count() > 0
