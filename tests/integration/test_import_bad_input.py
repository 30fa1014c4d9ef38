"""The bad-input corpus: every malformed file gets a specific message and writes nothing.

"Writes nothing" is checked by comparing row counts of every table an import
touches, the devices' state and the ledger (events and chain heads) before and
after. With --skip-bad-rows exactly the good rows go in.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from kiosk.errors import BadInput
from kiosk.services import imports
from kiosk.services.import_common import ImportRefused
from tests.integration.import_support import (
    DATA,
    assert_clean,
    device,
    keys,
    ledger_checked,  # noqa: F401  (a fixture)
    options,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")

BAD = DATA / "bad"


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.csv", "is empty: it has no header row and no data"),
        ("blank_lines.csv", "is empty"),
        ("wrong_delimiter.csv", "its delimiter is not a comma, semicolon, tab or vertical bar"),
        ("missing_column.csv", "has no asset tag or serial number column (looked for 'Asset Tag'"),
        ("duplicate_header.csv", "has the header 'Serial' twice (columns B and E)"),
    ],
)
def test_files_kiosk_cannot_read_are_refused_whole(district, name, message):
    before = snapshot()
    with pytest.raises(BadInput) as refused:
        imports.import_devices([BAD / name], options=options(skip_bad_rows=True))
    assert message in str(refused.value) and name in str(refused.value)
    assert snapshot() == before


def test_a_binary_file_is_refused(district, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048) + b"\x00" * 16)
    before = snapshot()
    with pytest.raises(BadInput, match="photo.csv is not a text table"):
        imports.import_devices([path], options=options())
    assert snapshot() == before


def test_a_file_that_does_not_exist(district, tmp_path):
    with pytest.raises(BadInput, match="Cannot read .*nope.csv"):
        imports.import_devices([tmp_path / "nope.csv"], options=options())
    with pytest.raises(BadInput, match="is a folder"):
        imports.import_devices([tmp_path], options=options())


def test_dates_in_three_formats_are_accepted(district):
    imports.import_devices([BAD / "dates_three_formats.csv"], options=options())
    for tag in ("D1", "D2", "D3"):
        assert (device(tag).purchase_date, device(tag).warranty_end) == (dt.date(2024, 3, 15), dt.date(2027, 3, 14))
    assert_clean()


# (file, [(row, reason fragment)], good tags)
ROW_CASES = [
    ("dates_unreadable.csv", [(2, "'15/03/2024' is not a real date"), (3, "two-digit year"),
                              (4, "'2024-02-30' is not a real date")], []),
    ("negative_cost.csv", [(3, "Cost: '-289.00' is a negative cost"), (4, "'(15.00)' is a negative cost")], ["N1"]),
    ("formula.csv", [(3, "column 'Model' holds a spreadsheet formula"), (4, "column 'Asset Tag' holds a spreadsheet"),
                     (5, "column 'Model' holds a spreadsheet formula ('@SUM(A1:A2)')")], ["F1"]),
    ("shifted_row.csv", [(3, "the row has 5 cells but the header has 4")], ["R1"]),
    ("ten_percent_bad.csv", [(8, "no site has the code, name or SIS id 'Nowhere Annex'"),
                             (16, "Purchase Date: 'someday' is not a date kiosk reads")],
     [f"T{n:03d}" for n in range(1, 21) if n not in (7, 15)]),
]  # fmt: skip


@pytest.mark.parametrize("name, problems, good", ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_bad_rows_block_the_import_unless_skipped(district, name, problems, good):
    path = BAD / name
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        imports.import_devices([path], options=options())
    rejected = refused.value.report.rejected
    assert [r.row for r in rejected] == [row for row, _ in problems]
    for r, (_, fragment) in zip(rejected, problems, strict=True):
        assert fragment in r.reason and r.file == str(path)
    assert snapshot() == before
    # The dry run shows the same rows and writes nothing either.
    dry = imports.import_devices([path], options=options(dry_run=True))
    assert [r.row for r in dry.rejected] == [row for row, _ in problems] and snapshot() == before
    report = imports.import_devices([path], options=options(skip_bad_rows=True))
    assert keys(report, "create") == sorted(good)
    after = snapshot()
    assert after["Device"] == before["Device"] + len(good)
    # one devices.added per thousand new devices, one summary
    assert after["Event"] == before["Event"] + (-(-len(good) // 1000) + 1 if good else 0)
    assert_clean()


def test_rejected_cells_keep_formulas_inert_in_the_rejected_csv(district, tmp_path):
    from kiosk.io.writers import write_rows

    report = imports.import_devices([BAD / "formula.csv"], options=options(skip_bad_rows=True))
    out = write_rows(tmp_path / "rejected.csv", report.rejected)
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("file,row,reason,Asset Tag,Serial,Model,Location,Notes")
    assert "'=HYPERLINK(" in text and "'=1+2" in text and "\n=" not in text and ",=" not in text


def test_formulas_in_an_xlsx_are_rejected_too(district, tmp_path):
    import xlsxwriter

    path = tmp_path / "inv.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Asset Tag", "Serial", "Model", "Location"])
    sheet.write_row(1, 0, ["X1", "SN-X1", "HP Chromebook 11 G9 EE", "STORE"])
    sheet.write_formula(2, 0, '=HYPERLINK("http://example.invalid","X2")', None, "X2")
    sheet.write_row(2, 1, ["SN-X2", "HP Chromebook 11 G9 EE", "STORE"])
    book.close()
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        imports.import_devices([path], options=options())
    assert refused.value.report.rejected[0].row == 3
    assert "column 'Asset Tag' holds a spreadsheet formula" in refused.value.report.rejected[0].reason
    assert snapshot() == before
