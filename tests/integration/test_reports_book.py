"""The workbook helpers every report uses: text stays text, tables stream, failures leave nothing behind."""

from __future__ import annotations

import datetime as dt
import os
import stat

import openpyxl
import pytest

from kiosk.errors import BadInput
from kiosk.reports.book import Book, Column, output_path, safe_text
from tests.integration.test_reports_support import has_formula, table


def _book(path):
    return Book(path, title="T", subject="S", author="Example Unified")


def test_a_streamed_table_covers_every_row_with_types_and_formats(tmp_path):
    path = tmp_path / "t.xlsx"
    with _book(path) as book:
        sheet = book.sheet("Data")
        sheet.title("Title", "a line")
        t = sheet.table("Rows", (Column("Hour"), Column("Hour"), Column("When", "datetime"), Column("Cost", "money"),
                                 Column("N", "int"), Column("Day", "date")))  # fmt: skip
        for n in range(2500):
            t.add((f"=SUM(A{n})", "\x07bell", dt.datetime(2026, 8, 28, 9, n % 60), 12345, n, dt.date(2026, 8, 28)))
        t.add((None, "", None, None, None, None))
        assert t.close() == 2501
        book.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    wb = openpyxl.load_workbook(path)
    ws = wb["Data"]
    assert list(ws.tables.items()) == [("Rows1", "A4:F2505")]
    rows = table(ws, "Rows")
    assert list(rows[0]) == ["Hour", "Hour (2)", "When", "Cost", "N", "Day"]
    assert rows[7] == {"Hour": "=SUM(A7)", "Hour (2)": "\ufffdbell", "When": dt.datetime(2026, 8, 28, 9, 7),
                       "Cost": 123.45, "N": 7, "Day": dt.datetime(2026, 8, 28)}  # fmt: skip
    assert ws["D5"].number_format == '"$"#,##0.00' and ws["C5"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["A5"].data_type == "s" and not has_formula(path)
    assert ws.freeze_panes == "A5" and ws.column_dimensions["A"].width > 10
    assert wb.properties.title == "T" and wb.properties.creator == "Example Unified"


def test_an_empty_table_says_so(tmp_path):
    path = tmp_path / "e.xlsx"
    with _book(path) as book:
        book.sheet("Empty").table("Nothing", (Column("A"), Column("B", "int"))).close("Nothing here.")
        book.close()
    assert table(openpyxl.load_workbook(path)["Empty"], "Nothing") == [{"A": "Nothing here.", "B": None}]


def test_a_failed_export_leaves_nothing_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_text("yesterday's workbook")
    with pytest.raises(RuntimeError), _book(path) as book:
        book.sheet("Half").table("Rows", (Column("A"),)).add(("x",))
        raise RuntimeError("database went away")
    assert path.read_text() == "yesterday's workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.xlsx"]


def test_safe_text_and_output_paths(tmp_path):
    assert safe_text("Zoë\tO'Neil") == "Zoë\tO'Neil"
    assert safe_text("a\x00b\x1bc") == "a\ufffdb\ufffdc"
    assert len(safe_text("x" * 40_000)) == 32_767
    assert safe_text(12) == "12"
    assert output_path(tmp_path / "x.XLSX") == tmp_path / "x.XLSX"
    with pytest.raises(BadInput, match="is a folder"):
        (tmp_path / "d.xlsx").mkdir()
        output_path(tmp_path / "d.xlsx")
