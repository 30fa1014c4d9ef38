"""The audit workbook and the audit sheet of the reconciliation workbook, read back with openpyxl."""

from __future__ import annotations

import openpyxl
import pytest

from kiosk.errors import DomainError, UnknownCode
from kiosk.reports import reconciliation
from kiosk.services import cases, circulation
from kiosk.services.audit_report import write_audit_workbook
from kiosk.workflow import Workflow


def audit(d, site: str, *codes: str) -> None:
    w = Workflow(d.technician, d.config)
    for code in ("$AUDIT", f"LOC-{site}", *codes, "$DONE"):
        assert w.handle(code).ok


def rows(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(values_only=True) if row and row[0] in ("ES", "STORE", "HS")]


def test_the_workbook_shows_the_latest_audit_of_each_site(district, tmp_path):
    cases.assign_case(district.technician, "S100", config=district.config, number=4)
    circulation.issue(district.operator, "S101", "CB3", config=district.config)
    audit(district, "STORE", "CB1")
    audit(district, "STORE", "CB1", "CB2", "CASE-4", "CB3", "TB1", "ODD-1")
    audit(district, "ES")
    result = write_audit_workbook(tmp_path / "a.xlsx", config=district.config)
    assert result.figures == {"audits": 2, "verified": 2, "missing": 4, "misplaced": 1, "on loan but found": 1,
                              "unknown": 1}  # fmt: skip
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert [(r[0], r[2]) for r in rows(book["Summary"])] == [("ES", 3), ("STORE", 2)]  # the latest audit of each
    assert sorted(r[2] for r in rows(book["Missing"])) == ["CB4", "CB5", "HOT1", "TB1"]
    assert [(r[2], r[4]) for r in rows(book["Misplaced"])] == [("TB1", "ES")]
    (loan,) = rows(book["On loan but found"])
    assert (loan[2], loan[6], loan[7]) == ("CB3", "S101", 4)
    (case,) = rows(book["Cases"])
    assert case[8] == "CASE-4 is Ana Lopez's (S100) but the device is issued to Ben Okafor (S101)"
    assert [r[2] for r in rows(book["Unknown"])] == ["ODD-1"]


def test_a_site_without_a_finished_audit_writes_nothing(district, tmp_path):
    audit(district, "STORE")
    with pytest.raises(DomainError, match="HS has no finished audit yet; nothing was written."):
        write_audit_workbook(tmp_path / "a.xlsx", site="hs", config=district.config)
    with pytest.raises(UnknownCode):
        write_audit_workbook(tmp_path / "a.xlsx", site="NOPE", config=district.config)
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".*.part"))


def test_the_reconciliation_workbook_carries_the_latest_audit(district, tmp_path, monkeypatch):
    audit(district, "STORE", "CB1", "TB1")
    reconciliation.export_reconciliation(tmp_path / "day.xlsx", district.config, site="STORE")
    sheet = openpyxl.load_workbook(tmp_path / "day.xlsx")["Audit"]
    found = rows(sheet)
    assert found[0][:3] == ("STORE", "Central Storage", 1)
    findings = sorted(r[2] for r in found[1:])
    assert findings == ["CB2", "CB3", "CB4", "CB5", "HOT1", "TB1"]  # CB1 was verified: not a finding
