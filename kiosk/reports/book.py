"""Writing workbooks that hold student data: safe text cells, Excel tables, 0600 files, streaming rows.

Every workbook is written with xlsxwriter in ``constant_memory`` mode: a row
goes to a temporary file as soon as the next row starts, so a sheet of a
million rows costs the memory of one. Text is always written as text
(``write_string``, ``strings_to_formulas`` off), so a student named
``=cmd|' /C calc'!A0`` stays a name. The workbook is built in a hidden file
created with mode 0600 beside the target and renamed onto it when complete:
a failed export leaves no half-written workbook behind, and no other user on
the machine can read the result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.utility import xl_range

from kiosk.errors import BadInput

MONEY = '"$"#,##0.00'
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
KINDS = ("text", "int", "money", "date", "datetime", "float", "percent")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TEXT_MAX = 32_767


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, how its cells are written and how wide it is (characters)."""

    header: str
    kind: str = "text"
    width: float = 14

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def safe_text(value) -> str:
    """Text as a cell holds it: control characters a spreadsheet cannot show become U+FFFD."""
    text = value if value.__class__ is str else str(value)
    if not text.isprintable():
        text = _CONTROL.sub("\ufffd", text)
    return text if len(text) <= _TEXT_MAX else text[: _TEXT_MAX - 1] + "…"


def cannot_write(path: Path, exc: BaseException) -> BadInput:
    """The one sentence for a workbook the disk would not take (full, gone, not writable)."""
    cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
    return BadInput(f"Cannot write {path}: {getattr(cause, 'strerror', None) or cause}. Nothing was written.")


def output_path(path: str | os.PathLike) -> Path:
    """Check that ``path`` names an ``.xlsx`` file in a folder that exists (bad input otherwise)."""
    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise BadInput(f"The output file {p} must end in .xlsx (an Excel workbook).")
    if p.is_dir():
        raise BadInput(f"The output {p} is a folder; name a file ending in .xlsx.")
    if not p.parent.is_dir():
        raise BadInput(f"The folder {p.parent} does not exist; create it or choose another output file.")
    if not os.access(p.parent, os.W_OK):
        raise BadInput(f"The folder {p.parent} cannot be written to; choose another output file.")
    return p


class Book:
    """One workbook under construction. Use as a context manager; the file appears only on success."""

    def __init__(self, path: str | os.PathLike, *, title: str, subject: str, author: str, comments: str = ""):
        self.path = output_path(path)
        self._part = self.path.parent / f".{self.path.name}.part"
        try:
            os.close(os.open(self._part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
            os.chmod(self._part, 0o600)  # an old part file may have had other permissions
        except OSError as exc:
            raise cannot_write(self.path, exc) from exc
        self.workbook = xlsxwriter.Workbook(
            str(self._part),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": DATE,
            },
        )
        self.workbook.set_properties(
            {
                "title": title,
                "subject": subject,
                "author": author,
                "company": author,
                "comments": comments,
                "created": dt.datetime.now(dt.UTC).replace(tzinfo=None),
            }
        )
        wb = self.workbook
        self.formats = {
            "text": None,
            "int": None,
            "float": wb.add_format({"num_format": "0.0"}),
            "money": wb.add_format({"num_format": MONEY}),
            "date": wb.add_format({"num_format": DATE}),
            "datetime": wb.add_format({"num_format": DATETIME}),
            "percent": wb.add_format({"num_format": "0.0%"}),
        }
        self.title_format = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True})
        self.passed = wb.add_format({"bold": True, "font_color": "#006100", "bg_color": "#C6EFCE"})
        self.failed = wb.add_format({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self._tables = 0

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self.workbook.add_worksheet(name))

    def table_name(self, stem: str) -> str:
        self._tables += 1
        return f"{re.sub(r'[^A-Za-z0-9_]', '', stem) or 'Table'}{self._tables}"

    def close(self) -> Path:
        try:
            self.workbook.close()
            os.replace(self._part, self.path)
            os.chmod(self.path, 0o600)
        except (OSError, FileCreateError) as exc:  # a full disk: xlsxwriter wraps the OSError in FileCreateError
            self.abandon()
            raise cannot_write(self.path, exc) from exc
        return self.path

    def abandon(self) -> None:
        with contextlib.suppress(Exception):  # the export already failed; its own error is the one to report
            self.workbook.close()
        self._part.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abandon()
            if isinstance(exc, OSError):  # the disk filled up while rows were streamed to temporary files
                raise cannot_write(self.path, exc) from exc


class Sheet:
    """A worksheet filled from the top down: title lines, then tables one below the other."""

    def __init__(self, book: Book, worksheet):
        self.book = book
        self.ws = worksheet
        self.row = 0
        self.widths: dict[int, float] = {}
        self.frozen = False

    def title(self, text: str, *lines: str) -> None:
        """A bold title and plain lines under it, then a blank row."""
        self.ws.write_string(self.row, 0, safe_text(text), self.book.title_format)
        self.row += 1
        for line in lines:
            self.ws.write_string(self.row, 0, safe_text(line))
            self.row += 1
        self.row += 1

    def line(self, text: str, fmt=None) -> None:
        self.ws.write_string(self.row, 0, safe_text(text), fmt)
        self.row += 1

    def label(self, label: str, value, kind: str = "text", fmt=None) -> None:
        """A ``label | value`` line (summary figures above the tables)."""
        self.ws.write_string(self.row, 0, safe_text(label), self.book.bold)
        _writer(kind)(self.ws, self.row, 1, value, fmt or self.book.formats[kind])
        self.row += 1

    def table(self, stem: str, columns: Sequence[Column], *, freeze: bool = True) -> Table:
        """Start a table at the current row; the first table's header row is frozen."""
        for n, col in enumerate(columns):
            self.widths[n] = max(self.widths.get(n, 0), col.width)
            self.ws.set_column(n, n, self.widths[n])
        if freeze and not self.frozen:
            self.ws.freeze_panes(self.row + 1, 0)
            self.frozen = True
        return Table(self, self.book.table_name(stem), columns)


# The row loop calls xlsxwriter's typed writers directly: the public write_* methods only add an
# A1-notation check per cell, which costs a tenth of the export on a day of fifty thousand events.


def _text(ws, row, col, value, fmt):
    if value.__class__ is not str or not value.isprintable():
        value = safe_text(value)
    ws._write_string(row, col, value, fmt)  # it shortens text beyond Excel's 32,767 characters itself


def _number(ws, row, col, value, fmt):
    ws._write_number(row, col, value, fmt)


def _money(ws, row, col, value, fmt):
    ws._write_number(row, col, value / 100, fmt)


def _when(ws, row, col, value, fmt):
    ws._write_datetime(row, col, value, fmt)


_WRITERS = {
    "text": _text,
    "int": _number,
    "float": _number,
    "percent": _number,
    "money": _money,
    "date": _when,
    "datetime": _when,
}


def _writer(kind: str):
    return _WRITERS[kind]


class Table:
    """An Excel table (header, filter buttons, banded rows) whose rows are streamed in one by one."""

    def __init__(self, sheet: Sheet, name: str, columns: Sequence[Column]):
        self.sheet, self.name, self.columns = sheet, name, _unique_headers(columns)
        self.first_row = sheet.row
        ws = sheet.ws
        header = sheet.book.bold
        for n, col in enumerate(self.columns):
            ws.write_string(self.first_row, n, col.header, header)
        self._cells = [(n, _writer(col.kind), sheet.book.formats[col.kind]) for n, col in enumerate(self.columns)]
        self.rows = 0

    def add(self, values: Iterable) -> None:
        """One data row; ``None`` leaves a cell empty. Text columns always hold text."""
        row = self.first_row + 1 + self.rows
        ws = self.sheet.ws
        for (col, write, fmt), value in zip(self._cells, values, strict=False):
            if value is not None and value != "":
                write(ws, row, col, value, fmt)
        self.rows += 1

    def close(self, empty: str = "None.") -> int:
        """Turn the rows into an Excel table. A table with no rows gets one row saying ``empty``."""
        if not self.rows:
            self.sheet.ws.write_string(self.first_row + 1, 0, safe_text(empty))
            self.rows = 1
        last_row = self.first_row + self.rows
        _add_streamed_table(self.sheet.ws, self.first_row, last_row, self.columns, self.name)
        self.sheet.row = last_row + 2
        return self.rows


def _unique_headers(columns: Sequence[Column]) -> tuple[Column, ...]:
    # Excel repairs a table whose headers repeat (case-insensitively), e.g. a station named "Hour".
    seen: set[str] = set()
    unique = []
    for col in columns:
        header, n = safe_text(col.header) or "Column", 1
        while header.lower() in seen:
            n += 1
            header = f"{col.header} ({n})"
        seen.add(header.lower())
        unique.append(Column(header, col.kind, col.width))
    return tuple(unique)


def _add_streamed_table(ws, first_row: int, last_row: int, columns: Sequence[Column], name: str) -> None:
    # xlsxwriter refuses add_table() in constant_memory mode because it would write the header cells
    # after the rows below them were flushed; here they were written first, by the caller. The table
    # is declared over its header and first data row (add_table also records every cell of its range
    # for an overlap check, which would cost memory per row), then widened to the rows written.
    saved, header = ws.constant_memory, ws.table[first_row].copy() if first_row in ws.table else None
    ws.constant_memory = False
    try:
        result = ws.add_table(
            first_row,
            0,
            first_row + 1,
            len(columns) - 1,
            {"name": name, "style": "Table Style Medium 2", "columns": [{"header": c.header} for c in columns]},
        )
    finally:
        ws.constant_memory = saved
    if result != 0:
        raise RuntimeError(f"table {name} could not be added ({result})")
    # add_table stored the header cells again (as shared strings): put back what was there before.
    if header is None:
        ws.table.pop(first_row, None)
    else:
        ws.table[first_row] = header
    table = ws.tables[-1]
    full = xl_range(first_row, 0, last_row, len(columns) - 1)
    table["range"] = table["a_range"] = full
    if table.get("autofilter"):
        table["autofilter"] = full
