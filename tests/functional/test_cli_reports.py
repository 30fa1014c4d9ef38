"""``kiosk export reconciliation`` and ``kiosk report ...`` run as a user runs them: a subprocess."""

from __future__ import annotations

import os
import sqlite3
import stat

import openpyxl
import pytest

from kiosk import db as kdb
from kiosk.config import Config
from tests.conftest import PIN, build_district
from tests.functional.test_cli import run


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def busy_db(tmp_path):
    """The small district after a morning at the desk, scanned through ``kiosk scan``."""
    url = f"sqlite:///{tmp_path / 'district.db'}"
    database = kdb.connect(url, migrate=True)
    build_district(Config(station="test-station", station_site="HS"))
    database.close()
    return url


def _scan(url, home, lines: str, badge="OP1"):
    return run(
        ["scan", "--db", url, "--operator", badge, "--station", "desk-1"],
        home=home,
        stdin=lines,
        env={"KIOSK_PIN": PIN},
    )


def _rows(ws, prefix):
    ref = next(ref for name, ref in ws.tables.items() if name.startswith(prefix))
    rows = [[c.value for c in r] for r in ws[ref]]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_export_reconciliation_writes_a_private_workbook(busy_db, home, tmp_path):
    _scan(busy_db, home, "S100\nCB1\nS101\nCB2\nNOT-A-CODE\n$RETURN\nCB1\n")
    out = tmp_path / "eod.xlsx"
    proc = run(["export", "reconciliation", "--db", busy_db, "-o", str(out)], home=home, check_rc=0)
    assert f"Wrote {out}" in proc.stdout and "1 refused scans" in proc.stdout and "balance check passed" in proc.stdout
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    wb = openpyxl.load_workbook(out)
    rows = _rows(wb["Transactions"], "Transactions")
    db = sqlite3.connect(busy_db.removeprefix("sqlite:///"))
    kinds = [k for (k,) in db.execute("select kind from event where station = 'desk-1' order by id")]
    assert [r["Action"] for r in rows if r["Station"] == "desk-1"] == [
        {
            "issued": "issued",
            "returned": "returned",
            "device.moved": "transferred",
            "rejected": "scan refused",
            "signin": "signed in",
        }.get(k, k)
        for k in kinds
    ]
    refused = [r for r in _rows(wb["Exceptions"], "Exceptions") if r["Exception"] == "Refused scan"]
    assert len(refused) == 1 and "NOT-A-CODE" in refused[0]["Details"]
    hs = next(r for r in _rows(wb["Summary"], "DevicesOut") if r["Site"] == "HS")
    assert (hs["Issued"], hs["Returned"], hs["Out at end"], hs["Check"]) == (2, 1, 1, "passed")


def test_site_station_and_date_options(busy_db, home, tmp_path):
    _scan(busy_db, home, "S200\nTB1\n$CONFIRM\n")  # a tablet for a third-grader needs confirming
    out = tmp_path / "es.xlsx"
    proc = run(
        [
            "export",
            "reconciliation",
            "--db",
            busy_db,
            "--site",
            "ES",
            "--station",
            "desk-1",
            "--date",
            "today",
            "-o",
            str(out),
        ],
        home=home,
        check_rc=0,
    )
    assert "ES (Oak Elementary), station desk-1" in proc.stdout
    wb = openpyxl.load_workbook(out)
    assert [r["Asset tag"] for r in _rows(wb["Transactions"], "Transactions")] == ["TB1"]
    empty = tmp_path / "empty.xlsx"
    proc = run(
        ["export", "reconciliation", "--db", busy_db, "--date", "2020-01-06", "-o", str(empty)], home=home, check_rc=0
    )
    assert "No events on 2020-01-06" in proc.stdout
    assert openpyxl.load_workbook(empty).sheetnames[0] == "Summary"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "06/01/2020"], "YYYY-MM-DD"),
        (["--site", "NOWHERE"], "No location has code NOWHERE"),
        (["--station", "ghost"], "No station named ghost"),
        (["-o", "out.csv"], "must end in .xlsx"),
        (["-o", "no/such/folder/out.xlsx"], "does not exist"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(busy_db, home, tmp_path, args, message):
    os.chdir(tmp_path)
    full = ["export", "reconciliation", "--db", busy_db, *args]
    if "-o" not in args:
        full += ["-o", "out.xlsx"]
    proc = run(full, home=home, check_rc=2)
    assert message in proc.stderr and proc.stdout == ""
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".*.part"))


def test_a_balance_that_does_not_add_up_exits_1(busy_db, home, tmp_path):
    _scan(busy_db, home, "S100\nCB1\n")
    db = sqlite3.connect(busy_db.removeprefix("sqlite:///"))
    with db:
        db.execute("update loan set returned_at = issued_at")  # a loan closed in the records, open in the ledger
    proc = run(["export", "reconciliation", "--db", busy_db, "-o", str(tmp_path / "x.xlsx")], home=home, check_rc=1)
    assert "do not add up at HS" in proc.stderr and (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("name", ["status", "lifecycle", "special-ed", "fees"])
def test_reports(busy_db, home, tmp_path, name):
    _scan(busy_db, home, "S100\nCB1\n")
    out = tmp_path / f"{name}.xlsx"
    proc = run(["report", name, "--db", busy_db, "-o", str(out)], home=home, check_rc=0)
    assert f"Wrote the {name} report to {out}" in proc.stdout
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    wb = openpyxl.load_workbook(out)
    assert all(ws.tables for ws in wb)


def test_report_usage_errors(busy_db, home, tmp_path):
    assert run(["report", "inventory", "--db", busy_db, "-o", str(tmp_path / "x.xlsx")], home=home).returncode == 2
    assert run(["report", "status", "--db", busy_db], home=home).returncode == 2
    proc = run(["report", "fees", "--db", busy_db, "-o", str(tmp_path / "x.txt")], home=home, check_rc=2)
    assert "must end in .xlsx" in proc.stderr
    proc = run(["report", "status", "-o", str(tmp_path / "x.xlsx")], home=home, check_rc=2)
    assert "kiosk init" in proc.stderr and not (tmp_path / "x.xlsx").exists()
