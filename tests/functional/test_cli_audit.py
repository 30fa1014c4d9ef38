"""``kiosk scan`` audit sequences and ``kiosk audit ...``, run as a user runs them: a subprocess."""

from __future__ import annotations

import json
import os
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
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'district.db'}"
    database = kdb.connect(url, migrate=True)
    build_district(Config(station="test-station", station_site="HS", case_first=1, case_last=20))
    database.close()
    return url


def kiosk(url, home, *args, stdin="", **kw):
    return run(["--db", url, *args], home=home, stdin=stdin, env={"KIOSK_PIN": PIN}, **kw)


def audit_of_storage(url, home, *codes: str) -> list[dict]:
    scans = "\n".join(("$AUDIT", "LOC-STORE", *codes, "$DONE")) + "\n"
    proc = kiosk(url, home, "scan", "--operator", "TE1", "--json", stdin=scans)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_an_audit_sequence_through_kiosk_scan(url, home):
    lines = audit_of_storage(url, home, "CB1", "CB1", "TB1", "NEW-1", "S100")
    assert [o["event"] for o in lines] == ["mode", "audit", "audit", "audit", "audit", "audit", "error", "done"]
    assert lines[1]["audit"]["counts"]["missing"] == 6 and lines[1]["audit"]["expected"] == 6
    assert lines[3]["message"] == "CB1 was already counted (HP Chromebook 11 G9 EE)."
    assert lines[-1]["message"] == "Audit of Central Storage finished: 1 verified, 5 missing, 1 misplaced, 1 unknown."
    assert lines[-1]["audit"]["status"] == "finished"
    text = kiosk(url, home, "scan", "--operator", "TE1", stdin="$AUDIT\nLOC-ES\nTB1\n$DONE\n", check_rc=0)
    assert text.stdout.splitlines()[-1] == "OK   done        Audit of Oak Elementary finished: 1 verified."
    kiosk(url, home, "check", check_rc=0)


def test_list_show_and_resolve(url, home):
    audit_of_storage(url, home, "CB1", "TB1", "NEW-1")
    listed = kiosk(url, home, "audit", "list", check_rc=0).stdout
    assert "    1  STORE      finished" in listed and "1 verified, 5 missing, 1 misplaced, 1 unknown" in listed
    shown = kiosk(url, home, "audit", "show", "latest", "--site", "store", check_rc=0).stdout
    assert shown.startswith("Audit 1 of Central Storage (LOC-STORE): finished")
    assert "\nMisplaced (1)\n  TB1 " in shown and "recorded available at ES" in shown and "\nMissing (5)\n" in shown
    body = json.loads(kiosk(url, home, "audit", "show", "1", "--json", check_rc=0).stdout)
    assert sorted(line["code"] for line in body["lines"] if line["result"] == "missing") == [
        "CB2", "CB3", "CB4", "CB5", "HOT1",
    ]  # fmt: skip
    refused = kiosk(url, home, "audit", "resolve", "1", "move", "CB1", "--operator", "TE1")
    assert refused.returncode == 1 and "Nothing was changed: CB1 is verified, not misplaced." in refused.stderr
    operator = kiosk(url, home, "audit", "resolve", "1", "move", "--operator", "OP1")
    assert operator.returncode == 1 and "A technician is needed for audit" in operator.stderr
    moved = kiosk(url, home, "audit", "resolve", "1", "move", "--operator", "TE1", check_rc=0).stdout
    assert moved == "OK    TB1            moved from ES to STORE\n"
    lost = kiosk(url, home, "audit", "resolve", "1", "lost", "--operator", "TE1", check_rc=0).stdout
    assert "LEFT  CB2            missing in 1 audit in a row; 3 are needed" in lost
    lost = kiosk(url, home, "audit", "resolve", "1", "lost", "CB2", "--after", "1", "--operator", "TE1", check_rc=0)
    assert lost.stdout == "OK    CB2            marked lost\n"
    assert kiosk(url, home, "audit", "review", check_rc=0).stdout == "The needs-review list is empty.\n"
    kiosk(url, home, "audit", "resolve", "1", "review", "--operator", "TE1", check_rc=0)
    assert kiosk(url, home, "audit", "review", check_rc=0).stdout.startswith("NEW-1            found at STORE")
    assert json.loads(kiosk(url, home, "lookup", "TB1", "--json").stdout)["site"] == "STORE"
    kiosk(url, home, "check", check_rc=0)


@pytest.mark.parametrize(
    ("args", "rc", "message"),
    [
        (["audit", "show", "7"], 1, "There is no audit number 7"),
        (["audit", "show", "latest"], 2, "needs --site CODE"),
        (["audit", "show", "abc"], 2, "'abc' is not an audit number"),
        (["audit", "list", "--site", "NOWHERE"], 1, "No location has code NOWHERE"),
        (["audit", "resolve", "1", "move", "--operator", "TE1"], 1, "There is no audit number 1"),
        (["audit", "resolve", "1", "fix", "--operator", "TE1"], 2, "invalid choice: 'fix'"),
        (["audit", "report", "--site", "ES", "-o", "out.csv"], 2, "must end in .xlsx"),
        (["audit", "report", "--site", "ES", "-o", "audit.xlsx"], 1, "ES has no finished audit yet"),
    ],
)
def test_bad_input_is_refused_with_a_reason(url, home, tmp_path, args, rc, message):
    args = [str(tmp_path / a) if a.endswith((".csv", ".xlsx")) else a for a in args]
    proc = kiosk(url, home, *args)
    assert proc.returncode == rc and message in proc.stderr, proc.stderr
    assert not (tmp_path / "audit.xlsx").exists()


def test_the_audit_workbook_has_a_sheet_per_category(url, home, tmp_path):
    audit_of_storage(url, home, "CB1", "TB1", "=cmd|' /C calc'!A0")
    kiosk(url, home, "scan", "--operator", "TE1", stdin="$AUDIT\nLOC-ES\n$DONE\n")
    out = tmp_path / "audit.xlsx"
    proc = kiosk(url, home, "audit", "report", "-o", str(out), check_rc=0)
    assert proc.stdout.startswith(f"Wrote the audit report to {out}: 2 audits, 1 verified, 6 missing, 1 misplaced")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Verified", "Missing", "Misplaced", "On loan but found", "Unknown", "Cases"]
    summary = [row for row in book["Summary"].iter_rows(values_only=True) if row[0] in ("ES", "STORE")]
    assert [(row[0], row[6], row[7], row[8]) for row in summary] == [("ES", 1, 0, 1), ("STORE", 6, 1, 5)]
    missing = {row[2] for row in book["Missing"].iter_rows(values_only=True)}
    assert {"CB2", "CB3", "CB4", "CB5", "HOT1", "TB1"} <= missing
    unknown = [row[2] for row in book["Unknown"].iter_rows(values_only=True) if row[0] == "STORE"]
    assert unknown == ["=cmd|' /C calc'!A0"]
    cell = book["Unknown"]["C5"]
    assert (cell.value, cell.data_type) == ("=cmd|' /C calc'!A0", "s")  # text, never a formula
    one = tmp_path / "store.xlsx"
    kiosk(url, home, "audit", "report", "--site", "STORE", "-o", str(one), check_rc=0)
    assert [r[0] for r in openpyxl.load_workbook(one)["Summary"].iter_rows(values_only=True) if r[0] == "ES"] == []


def test_report_audit_and_the_reconciliation_workbook_carry_the_latest_audit(url, home, tmp_path):
    audit_of_storage(url, home, "CB1", "TB1")
    out = tmp_path / "report-audit.xlsx"
    proc = kiosk(url, home, "report", "audit", "--site", "STORE", "-o", str(out), check_rc=0)
    assert "audit" in proc.stdout and stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert "Missing" in openpyxl.load_workbook(out).sheetnames
    day = tmp_path / "day.xlsx"
    kiosk(url, home, "export", "reconciliation", "-o", str(day))
    book = openpyxl.load_workbook(day)
    assert "Audit" in book.sheetnames
    found = {row[2] for row in book["Audit"].iter_rows(values_only=True) if row and len(row) > 2}
    assert "CB2" in found, "the missing devices of the latest audit are listed"
