"""Workbooks kiosk writes are private (0600) and hold hostile names as inert text, never formulas."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import os
import stat

import openpyxl
import pytest

from kiosk import cli, clock
from kiosk.io.writers import write_rows, write_text
from kiosk.labels.assets import write_asset_labels
from kiosk.labels.cards import write_case_tags, write_location_cards
from kiosk.labels.commands import write_command_sheet
from kiosk.labels.students import write_student_lists
from kiosk.reports import REPORTS, end_of_day, export_reconciliation
from kiosk.reports.status import write_status
from kiosk.services import circulation, inventory
from kiosk.services.audit_report import write_audit_workbook
from kiosk.workflow import Workflow
from models import Device, Person
from tests.integration.test_reports_support import assess, has_formula

HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "'; DROP TABLE device; --", '" OR 1=1 --']


@pytest.fixture
def hostile(district):
    for n, name in enumerate(HOSTILE):
        inventory.add_catalog_item(name, "laptop", replacement_cost_cents=100)
        inventory.add_person(f"X{n}", name, name, grade="10", school="HS")
        inventory.add_device(f"EV{n}", f"SN-EV{n}", name, "HS", station=district.config.station)
        circulation.issue(district.admin, f"X{n}", f"EV{n}", config=district.config)
    return district


def _texts(workbook) -> set[str]:
    """Every text cell of a workbook, after checking that no cell of it is a formula."""
    texts = set()
    for ws in openpyxl.load_workbook(workbook).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    return texts


def test_status_report_is_private_and_inert(hostile, tmp_path):
    out = tmp_path / "status.xlsx"
    write_status(out, hostile.config)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    seen = {h for h in HOSTILE if any(h in text for text in _texts(out))}
    assert seen & {"=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"}


def test_sql_looking_text_is_stored_as_text(hostile):
    assert Device.select().count() == 7 + len(HOSTILE)
    for n, name in enumerate(HOSTILE):
        person = Person.get(Person.district_id == f"X{n}")
        assert person.first_name == name and person.last_name == name
        assert Device.get(Device.asset_tag == f"EV{n}").item.name == name


# -- every file kiosk writes: private under a permissive umask, hostile text inert ---------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet reads as the start of a formula (or a DDE command)."""
PLANTED = ['=HYPERLINK("http://x","y")', "+cmd", "@SUM(1)", "-2+3", "\t=1+2", "\r=1+2"]
"""User and imported text planted below: a name, a model, a funding source, a fee reason, scans."""


@pytest.fixture
def permissive_umask():
    """Files created now would be readable by everyone unless kiosk asks for 0600 itself."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def everywhere(hostile):
    """``hostile``, and the same kind of text in every place a report reads: an IEP student, a model with a
    purchase date and funding source (lifecycle), a fee reason, refused scans, an unknown code in an audit."""
    d = hostile
    inventory.add_catalog_item("+cmd", "laptop", lifespan_years=3, replacement_cost_cents=50_000)
    inventory.add_person("X9", '=HYPERLINK("http://x","y")', "@SUM(1)", grade="10", school="HS",
                         homeroom="-2+3", iep=True, sec504=True, ell=True)  # fmt: skip
    inventory.add_device("EV9", "SN-EV9", "+cmd", "HS", station=d.config.station, funding_source="@SUM(1)",
                         purchase_date=dt.date(2020, 8, 1), purchase_cost_cents=50_000)  # fmt: skip
    circulation.issue(d.admin, "X9", "EV9", config=d.config)
    assess(d.admin, "X9", "EV9", 2500, "-2+3")
    flow = Workflow(d.operator, d.config)
    for scan in ('=HYPERLINK("http://x","y")', "+cmd", "@SUM(1)"):
        assert not flow.handle(scan).ok
    audit = Workflow(d.technician, d.config)
    for scan in ("$AUDIT", "LOC-STORE", "@SUM(1)", "$DONE"):
        audit.handle(scan)
    return d


def _reconciliation(out, d):
    export_reconciliation(out, d.config)


def _end_of_day(out, d):
    written = end_of_day(d.config, out.parent / "eod")
    assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700
    os.replace(written, out)  # the station names the file itself; the test reads it where the others are


def _report(write, out, d):
    write(out, d.config)


WORKBOOKS = {
    "reconciliation": _reconciliation,
    "end-of-day": _end_of_day,
    **{name: functools.partial(_report, write) for name, write in REPORTS.items()},
    "audit": lambda out, d: write_audit_workbook(out, config=d.config),
}
"""Every workbook: ``kiosk export reconciliation``, the station's end of day, every ``kiosk report``."""

SEEN_IN = {
    "reconciliation": {'=HYPERLINK("http://x","y")', "+cmd", "@SUM(1)", "-2+3"},
    "end-of-day": {'=HYPERLINK("http://x","y")', "+cmd", "@SUM(1)", "-2+3"},
    "status": {"=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "+cmd", "@SUM(1)"},
    "lifecycle": {"+cmd", "@SUM(1)"},
    "special-ed": {'=HYPERLINK("http://x","y")', "@SUM(1)", "-2+3"},
    "fees": {'=HYPERLINK("http://x","y")', "-2+3"},
    "audit": {"@SUM(1)"},
}
"""Hostile texts each workbook must show (as text): proof the test reached the cells that hold them."""


def test_every_report_command_is_covered():
    from kiosk.cli_reports import REPORT_HELP

    assert set(REPORT_HELP) <= set(WORKBOOKS) and set(WORKBOOKS) == set(SEEN_IN)


@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_every_workbook_is_private_and_holds_formulas_as_text(everywhere, tmp_path, permissive_umask, name):
    out = tmp_path / f"{name}.xlsx"
    out.write_text("an older file, readable by everyone")
    out.chmod(0o644)
    WORKBOOKS[name](out, everywhere)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert not has_formula(out)
    texts = _texts(out)
    shown = {h for h in [*HOSTILE, *PLANTED] if any(h in text for text in texts)}
    assert SEEN_IN[name] <= shown, (name, SEEN_IN[name] - shown)


LABELS = {
    "students": lambda out: write_student_lists(out),
    "assets": lambda out: write_asset_labels(out, station="test-station"),
    "cases": lambda out: write_case_tags(out, first=1, last=4),
    "commands": lambda out: write_command_sheet(out),
    "locations": lambda out: write_location_cards(out),
}


def test_every_label_sheet_is_covered():
    from kiosk.cli_labels import _HELP

    assert set(_HELP) == set(LABELS)


@pytest.mark.parametrize("kind", sorted(LABELS))
def test_every_label_pdf_is_private(everywhere, tmp_path, permissive_umask, kind):
    out = tmp_path / f"{kind}.pdf"
    out.write_text("an older file, readable by everyone")
    out.chmod(0o644)
    LABELS[kind](out)
    assert out.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not [p.name for p in tmp_path.iterdir() if ".part" in p.name]


def _csv_cells(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_rejected_rows_csv_neutralises_every_trigger_and_is_private(tmp_path, permissive_umask):
    from kiosk.io.mapping import Rejection

    out = tmp_path / "rejected.csv"
    out.write_text("old")
    out.chmod(0o644)
    cells = tuple((f"col{n}", text) for n, text in enumerate(PLANTED)) + (("=HEADER()", "plain"), ("note", "a-b"))
    write_rows(out, [Rejection("=file.csv", 2, "-1 is a negative cost", cells)])
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    header, row = _csv_cells(out)
    assert header == ["file", "row", "reason", *(f"col{n}" for n in range(len(PLANTED))), "'=HEADER()", "note"]
    assert row == ["'=file.csv", "2", "'-1 is a negative cost", *("'" + text for text in PLANTED), "plain", "a-b"]
    for cell in header + row:
        assert not cell.startswith(TRIGGERS), cell


def test_the_import_report_file_is_private(tmp_path, permissive_umask):
    out = write_text(tmp_path / "import.txt", "Import devices: 3 rows rejected")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text() == "Import devices: 3 rows rejected"


def test_import_command_writes_private_inert_csvs(district, db_url, tmp_path, permissive_umask, monkeypatch):
    """``kiosk import devices --skip-bad-rows --report``: the rejected and needs-review CSVs and the report."""
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(clock, "_zone", clock._zone)  # the command sets the display zone from its config
    source = tmp_path / "inventory.csv"
    with source.open("w", newline="") as f:
        csv.writer(f).writerows([
            ["Asset Tag", "Serial", "Model", "Location", "Cost", '=HYPERLINK("http://x")'],
            ["G1", "SN-G1", "HP Chromebook 11 G9 EE", "STORE", "289.00", "fine"],
            ["G2", "SN-G2", '=HYPERLINK("http://x","y")', "STORE", "289.00", "@SUM(1)"],  # a formula: rejected
            ["G3", "SN-G3", "HP Chromebook 11 G9 EE", "STORE", "-2", "+cmd"],  # a negative cost: rejected
            ["G4", "SN-G4", "+cmd", "STORE", "", "-2+3"],  # a model the catalog does not know: needs review
        ])  # fmt: skip
    report = tmp_path / "out" / "import.json"
    report.parent.mkdir()
    assert cli.main(["--db", db_url, "import", "devices", str(source), "--skip-bad-rows", "--report", str(report)]) == 0
    written = sorted(p.name for p in report.parent.iterdir())
    assert written == ["import.json", "import.needs-review.csv", "import.rejected.csv"]
    for path in report.parent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    rejected = _csv_cells(report.parent / "import.rejected.csv")
    review = _csv_cells(report.parent / "import.needs-review.csv")
    assert [r[5] for r in rejected[1:]] == ['\'=HYPERLINK("http://x","y")', "HP Chromebook 11 G9 EE"]
    assert rejected[0][-1] == '\'=HYPERLINK("http://x")' and [r[-1] for r in rejected[1:]] == ["'@SUM(1)", "'+cmd"]
    assert [(r[5], r[-1]) for r in review[1:]] == [("'+cmd", "'-2+3")]
    for cell in (c for rows in (rejected, review) for row in rows for c in row):
        assert not cell.startswith(TRIGGERS), cell
