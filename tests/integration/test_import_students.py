"""SIS and Clever student exports: program flags, grades, schools by code, name or SIS id, XLSX, --map."""

from __future__ import annotations

import pytest
import xlsxwriter

from kiosk.errors import BadInput
from kiosk.services import imports
from kiosk.services.import_common import ImportRefused
from tests.integration.import_support import (
    DATA,
    assert_clean,
    keys,
    ledger_checked,  # noqa: F401  (a fixture)
    options,
    person,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")

CLEVER = DATA / "students" / "clever_students.csv"
SIS_1252 = DATA / "students" / "sis_students_cp1252.csv"


@pytest.fixture
def rostered(database):
    imports.import_roster(DATA / "oneroster" / "bulk", options=options())


def test_clever_export_sets_program_flags_on_the_rostered_students(rostered):
    report = imports.import_students(CLEVER, options=options())
    assert keys(report, "update", "person") == ["1001", "1003", "1004"]
    jose = person("1001")
    assert (jose.iep, jose.ell, jose.sec504, jose.grade) == (True, True, False, "09")
    assert person("1003").ell and person("1003").grade == "KG"  # "Kindergarten"
    assert not person("1003").iep  # an empty IEP_status cell changes nothing
    assert person("1004").iep  # School_id given as the school's name
    assert_clean()
    again = imports.import_students(CLEVER, options=options())
    assert not again.changed and again.event is None


def test_windows_1252_semicolon_export_with_renamed_headers(rostered):
    report = imports.import_students(SIS_1252, options=options())
    assert keys(report, "create", "person") == ["1008"]
    assert person("1008").first_name == "Jürgen" and person("1008").school.code == "RHS"
    assert person("1002").sec504 and person("1002").homeroom == "HR-102"
    assert not person("1004").active and person("1004").homeroom == "M-7B"  # "Withdrawn"
    assert keys(report, "deactivate", "person") == ["1004"]
    assert_clean()


def test_xlsx_export_with_a_column_map(rostered, tmp_path):
    path = tmp_path / "students.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Export")
    sheet.write_row(0, 0, ["Perm #", "Last", "First", "Gr", "Bldg", "Sped Flag", "Plan 504"])
    sheet.write_row(1, 0, [1001, "López", "José", 9, "org-hs", "N", "Y"])
    sheet.write_row(2, 0, [1005, "Patel", "Dev", "1st", "OAK", "Yes", ""])
    book.close()
    with pytest.raises(BadInput, match="no student ID or SIS id column"):
        imports.import_students(path, options=options())
    report = imports.import_students(
        path, options=options(), mapping=["Perm #=district_id", "Bldg=school", "Sped Flag=iep", "Plan 504=sec504"]
    )
    assert keys(report, "update", "person") == ["1001", "1005"]
    assert (person("1001").iep, person("1001").sec504) == (False, True)
    assert person("1005").iep and person("1005").grade == "01"
    assert_clean()


def test_bad_rows_are_listed_and_nothing_is_written(rostered, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "Student Number,First Name,Last Name,Grade,School,IEP\n"
        "1001,José,López,13,RHS,Y\n"
        "1002,Ana,Smith,10,Nowhere High,Y\n"
        "1003,Bao,Nguyen,01,OAK,maybe\n"
        "2000,,Nobody,05,OAK,N\n"
        "1005,Dev,Patel,01,OAK,Y\n"
        "1005,Dev,Patel,01,OAK,Y\n"
    )
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        imports.import_students(path, options=options())
    reasons = [(r.row, r.reason) for r in refused.value.report.rejected]
    assert reasons == [
        (2, "grade '13' is not one kiosk knows (PK, KG, 01-12, or Ungraded)"),
        (3, "no site has the code, name or SIS id 'Nowhere High'"),
        (4, "IEP: 'maybe' is not yes or no (use Y/N, Yes/No, True/False or 1/0)"),
        (5, "a new student needs a first name"),
        (6, "student 1005 appears twice in the file"),
        (7, "student 1005 appears twice in the file"),
    ]
    assert snapshot() == before


def test_an_operator_may_not_import(rostered):
    from kiosk.config import Config
    from kiosk.dto import Actor
    from kiosk.errors import PermissionDenied
    from kiosk.services import operators

    operators.add_operator("OPX", "Otto", "operator", "1357", station="s")
    with pytest.raises(PermissionDenied):
        imports.import_students(CLEVER, options=options(actor=Actor("OPX", "Otto", "operator", Config().station)))
