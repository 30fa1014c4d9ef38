"""Turning a CSV or XLSX file into a ``Table``: format, encoding and delimiter detection.

Accepted: CSV (or any delimited text) in UTF-8, UTF-8 with a byte-order mark,
UTF-16 with a byte-order mark (Excel's "Unicode text") and Windows-1252; the
delimiter is sniffed among comma, semicolon, tab and vertical bar (an Excel
``sep=;`` first line is honoured). XLSX is read with openpyxl in read-only mode,
formulas as their text (so ``=HYPERLINK(...)`` can be recognised and refused).
Anything else (an empty file, an old .xls, a PDF, random bytes) is refused with
a sentence that names the file and says what to do.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.errors import BadInput

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_SAMPLE_LINES = 50
_SEP_LINE = re.compile(r"^sep=(.)\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Table:
    """The header and the data rows of one file (or one ZIP member, or one sheet).

    Row numbers are what a spreadsheet shows (an Excel ``sep=`` line is not
    counted, as Excel hides it). Blank rows are dropped; the numbers of the
    others stay as they were.
    """

    source: str
    """The file name as messages name it."""
    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    """(row number, stripped cells) per non-blank data row."""
    encoding: str = ""
    delimiter: str | None = None
    """None for XLSX."""


def read_table(path: str | Path, *, sheet: str | None = None, name: str | None = None) -> Table:
    """Read a CSV or XLSX file into a Table, or raise BadInput with a sentence naming the file."""
    p = Path(path)
    label = name or str(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError as exc:
        raise BadInput(f"{label} is a folder; give a CSV or XLSX file.") from exc
    except OSError as exc:
        raise BadInput(f"Cannot read {label}: {exc.strerror or exc}.") from exc
    return table_from_bytes(data, label, sheet=sheet)


def table_from_bytes(data: bytes, name: str, *, sheet: str | None = None) -> Table:
    """Detect the format of ``data`` (XLSX or delimited text) and read it."""
    if not data.strip():
        raise BadInput(f"{name} is empty: it has no header row and no data.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, name, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadInput(f"{name} is an old Excel .xls workbook; save it as .xlsx or CSV and import that.")
    if sheet is not None:
        raise BadInput(f"{name} is not an XLSX workbook, so it has no sheet {sheet!r}.")
    text, encoding = decode(data, name)
    return _read_delimited(text, name, encoding)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and the encoding it was read with: BOMs first, then UTF-8, then Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise BadInput(f"{name} starts with a UTF-8 mark but is not UTF-8 (byte {exc.start + 3}).") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise BadInput(f"{name} starts with a UTF-16 mark but is not UTF-16.") from exc
    head = data[:8192]
    if b"\x00" in head or data.startswith(b"%PDF"):
        raise BadInput(f"{name} is not a text table (binary data); export it as CSV or XLSX.")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            # Excel on Windows saves "CSV" in the ANSI code page: José arrives as b"Jos\xe9".
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise BadInput(
                f"{name} is neither UTF-8 nor Windows-1252 text (byte {exc.start}); export it as CSV UTF-8."
            ) from exc
    sample = text[:8192]
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise BadInput(f"{name} is not a text table (binary data); export it as CSV or XLSX.")
    return text, encoding


def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter that splits the header into the most columns, consistently over the sample rows.

    None when no candidate gives at least two columns (a one-column file, or a
    delimiter kiosk does not know; the column check then says so).
    """
    best, best_score = None, (False, 1)
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r)]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        others = rows[1:-1] if len(rows) > 2 else rows[1:]  # the sample may cut the last row short
        consistent = not others or sum(len(r) == width for r in others) >= 0.8 * len(others)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_delimited(text: str, name: str, encoding: str) -> Table:
    lines = text[:262144].splitlines()  # the head is enough to find the header and sniff the delimiter
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise BadInput(f"{name} is empty: it has no header row and no data.")
    skip = 0
    match = _SEP_LINE.match(lines[first])
    if match:  # Excel's "sep=;" hint line
        delimiter, skip = match.group(1), first + 1
    else:
        delimiter = sniff_delimiter(lines[first : first + _SAMPLE_LINES])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ",")
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    ascii_only = text.isascii()  # most exports: then no row needs looking at for composed characters
    try:
        for number, cells in enumerate(reader, start=1):
            if number <= skip:
                continue
            stripped = list(map(str.strip, cells))
            if not any(stripped):
                continue
            if not ascii_only and not "".join(stripped).isascii():
                # a Mac export spells "José" as "Jose" and a combining accent
                stripped = [unicodedata.normalize("NFC", c) for c in stripped]
            if headers is None:
                headers = [h.lstrip("\ufeff").strip().strip('"').strip() for h in stripped]
                continue
            rows.append((number - skip, stripped))
    except csv.Error as exc:
        raise BadInput(f"{name} row {reader.line_num}: not readable as CSV ({exc}).") from exc
    if headers is None:
        raise BadInput(f"{name} is empty: it has no header row and no data.")
    return Table(name, headers, rows, encoding, delimiter)


def _cell_text(value) -> str:
    """An XLSX cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a tag typed as 1001 is stored as 1001.0
    return str(value)


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BadInput(f"{name} is a ZIP archive but not a readable XLSX workbook ({exc}).") from exc
    except Exception as exc:  # openpyxl raises its own InvalidFileException and others for foreign archives
        raise BadInput(f"{name} is not a readable XLSX workbook ({type(exc).__name__}: {exc}).") from exc
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise BadInput(f"{name} has no sheet {sheet!r}; its sheets are {', '.join(book.sheetnames)}.")
            ws = book[sheet]
        elif not book.worksheets:
            raise BadInput(f"{name} is an XLSX workbook with no worksheet in it.")
        else:
            ws = book.worksheets[0]
        headers: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        number = 0
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                if not any(cells):
                    continue
                if headers is None:
                    headers = cells
                    continue
                rows.append((number, cells))
        except Exception as exc:  # the sheet's XML is damaged: openpyxl raises the XML parser's own errors
            raise BadInput(
                f"{name}: the worksheet is damaged after row {number} and cannot be read "
                f"({type(exc).__name__}: {exc}). Save it again from the spreadsheet program, or export CSV."
            ) from exc
    finally:
        book.close()
    if headers is None:
        raise BadInput(f"{name} is empty: its first sheet has no header row and no data.")
    while headers and not headers[-1]:  # read-only sheets report the used range, often wider than the header
        headers.pop()
    label = name if sheet is None else f"{name} [{sheet}]"
    return Table(label, headers, rows, "xlsx", None)


def is_xlsx(path: str | Path) -> bool:
    """True when the file is an XLSX workbook by its first bytes (not by its name)."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False
