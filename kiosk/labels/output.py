"""Writing a sheet's PDF: checked before any work, readable only by its owner, never left half-written.

Student lists carry names and IDs, so every file is created with mode 0600.
The PDF is drawn into a temporary file beside the target and renamed over it
at the end: a failure leaves the old file (or no file), never a broken one.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from kiosk import clock
from kiosk.errors import BadInput

Progress = Callable[[float, str], None]
"""``progress(fraction 0..1, what is being done)``."""


def no_progress(fraction: float, text: str) -> None:
    """The default progress callback: report nothing."""


@dataclass(frozen=True)
class Written:
    """What a sheet command wrote."""

    path: Path
    pages: int
    count: int
    """Lines, labels, tags or cards printed."""
    sentence: str
    """What was written, for the operator."""
    warnings: tuple[str, ...] = ()
    """Codes printed without a barcode, and why."""


def check_target(path: str | os.PathLike) -> Path:
    """The output path, or BadInput when it is not a ``.pdf`` in a folder that exists."""
    target = Path(path).expanduser()
    if target.suffix.lower() != ".pdf":
        raise BadInput(f"The output {target} must be a PDF: give a file name ending in .pdf.")
    if target.is_dir():
        raise BadInput(f"The output {target} is a folder; give a file name ending in .pdf.")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"The folder {folder} does not exist; create it or write the PDF elsewhere.")
    if not os.access(folder, os.W_OK):
        raise BadInput(f"The folder {folder} cannot be written to by this user.")
    return target


def plural(n: int, noun: str) -> str:
    """``1 student``, ``2 students``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def printed_on() -> str:
    """The local date and time for page footers."""
    return clock.show(dt.datetime.now(dt.UTC).replace(tzinfo=None))


@contextmanager
def pdf(target: Path, title: str, *, pagesize: tuple[float, float]) -> Iterator[Canvas]:
    """A canvas whose pages become ``target`` (mode 0600) when the block ends without an error."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".pdf.part", dir=target.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as stream:
            canvas = Canvas(stream, pagesize=pagesize, invariant=True, pageCompression=1)
            canvas.setTitle(title)
            canvas.setAuthor("kiosk")
            canvas.setCreator("kiosk labels")
            yield canvas
            canvas.save()
        os.replace(temp, target)
    except OSError as exc:  # a full disk, a folder that went away
        Path(temp).unlink(missing_ok=True)
        raise BadInput(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
