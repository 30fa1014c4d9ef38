"""Reading label PDFs back as a person and a scanner would (imported by the test_labels_* modules; holds no tests).

Pages are rasterised at 200 dpi with ``pdftoppm`` and decoded with ``zbarimg``
(every symbology zbar knows, so a stray decode of anything would show);
text and its position come from ``pdftotext -bbox``. Without poppler-utils and
zbar-tools the tests that need them skip, saying so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

TOOLS = ("pdftoppm", "pdftotext", "pdfinfo", "zbarimg")
DPI = 200
_CHUNK = 40
_NS = "{http://www.w3.org/1999/xhtml}"


def need_tools() -> None:
    """Skip the calling test when the PDF tools are missing."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install poppler-utils zbar-tools)")


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def decode_pages(pdf: Path) -> list[list[str]]:
    """The barcodes zbar reads on each page at 200 dpi, page by page."""
    need_tools()
    pages = page_count(pdf)
    found: list[list[str]] = []
    for first in range(1, pages + 1, _CHUNK):
        last = min(pages, first + _CHUNK - 1)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "p"
            cmd = ["pdftoppm", "-r", str(DPI), "-gray", "-f", str(first), "-l", str(last), str(pdf), str(root)]
            subprocess.run(cmd, check=True, capture_output=True)
            for image in sorted(Path(tmp).glob("p-*.pgm")):
                proc = subprocess.run(
                    ["zbarimg", "-q", "--raw", str(image)], check=False, capture_output=True, text=True
                )
                # zbarimg exits 4 when it finds nothing on a page, which is an answer, not a failure.
                assert proc.returncode in (0, 4), proc.stderr
                found.append(proc.stdout.splitlines())
    assert len(found) == pages
    return found


def decode(pdf: Path) -> Counter:
    """Every barcode read anywhere in the file, with how many times."""
    return Counter(code for page in decode_pages(pdf) for code in page)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Word, slack: float = 0.3) -> bool:
        return (
            self.x0 + slack < other.x1 and other.x0 + slack < self.x1 and self.y0 + slack < other.y1
            and other.y0 + slack < self.y1
        )  # fmt: skip


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def overlapping(self) -> list[tuple[Word, Word]]:
        """Pairs of words whose boxes overlap (sweep over x, so 1,500 tags stay quick)."""
        words = sorted(self.words, key=lambda w: w.x0)
        pairs = []
        for i, word in enumerate(words):
            for other in words[i + 1 :]:
                if other.x0 >= word.x1:
                    break
                if word.overlaps(other):
                    pairs.append((word, other))
        return pairs

    def outside(self) -> list[Word]:
        """Words that run off the page."""
        return [w for w in self.words if w.x0 < 0 or w.y0 < 0 or w.x1 > self.width or w.y1 > self.height]


def pages(pdf: Path) -> list[Page]:
    """Every page's words with their boxes (points, origin top left)."""
    need_tools()
    proc = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    root = ET.fromstring(proc.stdout)
    result = []
    for page in root.iter(f"{_NS}page"):
        words = tuple(
            Word(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")))
            for w in page.iter(f"{_NS}word")
        )
        result.append(Page(float(page.get("width")), float(page.get("height")), words))
    return result


def assert_clean_layout(all_pages: list[Page]) -> None:
    """No two words overlap and nothing runs off a page."""
    for n, page in enumerate(all_pages, 1):
        assert not page.overlapping(), f"page {n}: overlapping text {page.overlapping()[:3]}"
        assert not page.outside(), f"page {n}: text off the page {page.outside()[:3]}"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
