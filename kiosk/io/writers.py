"""Writing import results back out: the rejected-rows and needs-review CSVs, the report file.

Both hold students' names and IDs, so each is written to a part file created with
mode 0600 beside the target and renamed onto it when complete: no other user can
read it, and a failed write (a full disk) leaves no half-written file behind.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kiosk.errors import BadInput
from kiosk.io.mapping import Rejection

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula (or a DDE command such as ``+cmd|...``)."""


def _inert(value) -> str:
    # The file goes back to a spreadsheet: a cell that could run there is written as text ('=1+2 shows as =1+2).
    text = str(value)
    return "'" + text if text.startswith(_TRIGGERS) else text


@contextmanager
def _private(path: Path, encoding: str) -> Iterator[IO[str]]:
    """A text file for ``path``: written to a 0600 part file beside it, renamed onto it when complete."""
    part = path.with_name(f".{path.name}.part")
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an old part file may have had other permissions
        with open(fd, "w", encoding=encoding, newline="") as f:
            yield f
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise BadInput(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def write_rows(path: Path, rows: Sequence[Rejection]) -> Path:
    """A CSV of rows with their file, row number and reason first, then their original cells.

    UTF-8 with a byte-order mark, so Excel shows "José" as written. Every cell,
    headers included, that starts with ``= + - @``, a tab or a carriage return
    gets a leading apostrophe, so a spreadsheet shows it instead of running it.
    """
    headers: list[str] = []
    for row in rows:
        for name, _ in row.cells:
            if name not in headers:
                headers.append(name)
    with _private(path, "utf-8-sig") as f:
        out = csv.writer(f)
        out.writerow(["file", "row", "reason", *map(_inert, headers)])
        for row in rows:
            cells = dict(row.cells)
            out.writerow([_inert(row.file), row.row, _inert(row.reason), *(_inert(cells.get(h, "")) for h in headers)])
    return path


def write_text(path: Path, text: str) -> Path:
    with _private(path, "utf-8") as f:
        f.write(text)
    return path
