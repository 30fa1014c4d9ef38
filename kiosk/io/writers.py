"""Writing import results back out: the rejected-rows and needs-review CSVs, the report file."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from kiosk.errors import BadInput
from kiosk.io.mapping import Rejection
from kiosk.io.values import looks_like_formula


def _inert(value: str) -> str:
    # The file goes back to a spreadsheet: a cell that would run as a formula there is written as text.
    return "'" + value if looks_like_formula(value) else value


def write_rows(path: Path, rows: Sequence[Rejection]) -> Path:
    """A CSV of rows with their file, row number and reason first, then their original cells.

    UTF-8 with a byte-order mark, so Excel shows "José" as written.
    """
    headers: list[str] = []
    for row in rows:
        for name, _ in row.cells:
            if name not in headers:
                headers.append(name)
    try:
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(["file", "row", "reason", *headers])
            for row in rows:
                cells = dict(row.cells)
                out.writerow([row.file, row.row, _inert(row.reason), *(_inert(cells.get(h, "")) for h in headers)])
    except OSError as exc:
        raise BadInput(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return path


def write_text(path: Path, text: str) -> Path:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return path
