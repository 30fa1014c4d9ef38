"""Paper, lengths and label stock: where on the sheet each label goes.

Lengths are PDF points (1/72 in). Positions are the lower-left corner of each
label, in reading order (left to right, top to bottom), as a printer feeds
Avery-style sheets.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from kiosk.errors import BadInput

INCH = 72.0
MM = INCH / 25.4
PAPERS = {"letter": (8.5 * INCH, 11 * INCH), "a4": (210 * MM, 297 * MM)}
_UNITS = {"in": INCH, "mm": MM, "cm": 10 * MM, "pt": 1.0}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)\s*$", re.IGNORECASE)
MIN_LABEL = (1.5 * INCH, 0.75 * INCH)
"""The smallest label that holds a readable barcode with its tag and serial."""


def paper(name: str) -> tuple[float, float]:
    """(width, height) of a paper name; BadInput for any other name."""
    try:
        return PAPERS[name.lower()]
    except KeyError:
        raise BadInput(f"Unknown paper {name!r}; use letter or a4.") from None


def chosen_paper(extra: dict, given: str | None = None) -> str:
    """``given`` (a ``--paper`` flag), else ``[labels] paper`` from the config, else letter."""
    section = extra.get("labels") if isinstance(extra.get("labels"), dict) else {}
    chosen = str(given or section.get("paper") or "letter").lower()
    if chosen not in PAPERS:
        raise BadInput(f"Config [labels] paper must be letter or a4, not {chosen!r}.")
    return chosen


def length(text: str, what: str) -> float:
    """``2.625in``, ``63.5mm``, ``1cm`` or ``12pt`` in points."""
    match = _LENGTH.match(text)
    if not match:
        raise BadInput(f"{what} {text!r} is not a length; write a number and a unit, e.g. 2.625in or 63.5mm.")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


@dataclass(frozen=True)
class Stock:
    """A sheet of labels: ``cols`` x ``rows`` labels of ``width`` x ``height``, ``pitch`` apart."""

    name: str
    paper: str
    cols: int
    rows: int
    width: float
    height: float
    top: float
    left: float
    hpitch: float
    vpitch: float

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def positions(self) -> list[tuple[float, float]]:
        """Lower-left corner of every label on one sheet, in reading order."""
        _, page_h = PAPERS[self.paper]
        return [
            (self.left + c * self.hpitch, page_h - self.top - r * self.vpitch - self.height)
            for r in range(self.rows)
            for c in range(self.cols)
        ]

    def check(self) -> Stock:
        """The stock itself, or BadInput saying what does not fit."""
        page_w, page_h = PAPERS[self.paper]
        if self.cols < 1 or self.rows < 1:
            raise BadInput(f"Layout {self.name}: cols and rows must be at least 1.")
        if self.width < MIN_LABEL[0] or self.height < MIN_LABEL[1]:
            raise BadInput(
                f"Layout {self.name}: labels of {self.width / INCH:.2f} x {self.height / INCH:.2f} in are too small "
                f"for a barcode with its tag and serial (at least {MIN_LABEL[0] / INCH} x {MIN_LABEL[1] / INCH} in)."
            )
        if self.hpitch < self.width - 0.01 or self.vpitch < self.height - 0.01:
            raise BadInput(f"Layout {self.name}: the labels overlap (a gap cannot be negative).")
        right = self.left + (self.cols - 1) * self.hpitch + self.width
        bottom = self.top + (self.rows - 1) * self.vpitch + self.height
        if self.left < 0 or self.top < 0 or right > page_w + 0.01 or bottom > page_h + 0.01:
            raise BadInput(
                f"Layout {self.name}: {self.cols} x {self.rows} labels do not fit on {self.paper} paper "
                f"({right / INCH:.2f} x {bottom / INCH:.2f} in needed)."
            )
        return self


def _avery(name, paper_name, cols, rows, w, h, top, left, hpitch, vpitch, unit) -> Stock:
    return Stock(
        name, paper_name, cols, rows, w * unit, h * unit, top * unit, left * unit, hpitch * unit, vpitch * unit
    )


STOCKS = {
    # US letter, inches: Avery 5160 (30 per sheet, 1 x 2-5/8 in), 5161 (20, 1 x 4 in), 5163 (10, 2 x 4 in).
    "5160": _avery("5160", "letter", 3, 10, 2.625, 1, 0.5, 0.1875, 2.75, 1, INCH),
    "5161": _avery("5161", "letter", 2, 10, 4, 1, 0.5, 0.15625, 4.1875, 1, INCH),
    "5163": _avery("5163", "letter", 2, 5, 4, 2, 0.5, 0.15625, 4.1875, 2, INCH),
    # A4, millimetres: Avery L7160 (21 per sheet, 63.5 x 38.1 mm) and L7163 (14, 99.1 x 38.1 mm).
    "l7160": _avery("L7160", "a4", 3, 7, 63.5, 38.1, 15.15, 7.25, 66.04, 38.1, MM),
    "l7163": _avery("L7163", "a4", 2, 7, 99.1, 38.1, 15.15, 4.65, 101.6, 38.1, MM),
}
_CUSTOM_KEYS = {"paper", "cols", "rows", "width", "height", "top", "left", "hgap", "vgap"}


def stock(spec: str) -> Stock:
    """A named stock (``5160``, ``L7160``, ...) or a custom one written as ``key=value`` pairs.

    Custom: ``paper=a4,cols=3,rows=8,width=63.5mm,height=33.9mm`` and optionally
    ``top``, ``left`` (default: the labels centred on the sheet), ``hgap``,
    ``vgap`` (default 0).
    """
    named = STOCKS.get(spec.strip().lower())
    if named is not None:
        return named
    if "=" not in spec:
        raise BadInput(
            f"Unknown label layout {spec!r}; use one of {', '.join(s.name for s in STOCKS.values())} "
            "or describe the sheet: paper=a4,cols=3,rows=8,width=63.5mm,height=33.9mm[,top=,left=,hgap=,vgap=]."
        )
    values: dict[str, str] = {}
    for part in spec.split(","):
        key, _, value = part.partition("=")
        key = key.strip().lower()
        if key not in _CUSTOM_KEYS:
            raise BadInput(f"Layout {spec!r}: unknown key {key!r}; the keys are {', '.join(sorted(_CUSTOM_KEYS))}.")
        values[key] = value.strip()
    missing = [k for k in ("cols", "rows", "width", "height") if k not in values]
    if missing:
        raise BadInput(f"Layout {spec!r} lacks {', '.join(missing)}.")
    paper_name = values.get("paper", "letter").lower()
    page_w, page_h = paper(paper_name)
    try:
        cols, rows = int(values["cols"]), int(values["rows"])
    except ValueError:
        raise BadInput(f"Layout {spec!r}: cols and rows must be whole numbers.") from None
    w, h = length(values["width"], "width"), length(values["height"], "height")
    hgap = length(values["hgap"], "hgap") if "hgap" in values else 0.0
    vgap = length(values["vgap"], "vgap") if "vgap" in values else 0.0
    left = length(values["left"], "left") if "left" in values else (page_w - cols * w - (cols - 1) * hgap) / 2
    top = length(values["top"], "top") if "top" in values else (page_h - rows * h - (rows - 1) * vgap) / 2
    return Stock("custom", paper_name, cols, rows, w, h, top, left, w + hgap, h + vgap).check()


@dataclass(frozen=True)
class Grid:
    """A sheet cut into equal cards (case tags, location cards), with margins."""

    paper: str
    cols: int
    rows: int
    margin: float = 0.5 * INCH

    @property
    def cell(self) -> tuple[float, float]:
        page_w, page_h = PAPERS[self.paper]
        return (page_w - 2 * self.margin) / self.cols, (page_h - 2 * self.margin) / self.rows

    def positions(self) -> list[tuple[float, float]]:
        """Lower-left corner of every card, in reading order."""
        _, page_h = PAPERS[self.paper]
        w, h = self.cell
        return [
            (self.margin + c * w, page_h - self.margin - (r + 1) * h)
            for r in range(self.rows)
            for c in range(self.cols)
        ]


GRIDS = {1: (1, 1), 2: (1, 2), 4: (2, 2), 6: (2, 3), 8: (2, 4)}
"""Cards per page -> (columns, rows) on a portrait sheet."""


def grid(paper_name: str, per_page: int) -> Grid:
    if per_page not in GRIDS:
        raise BadInput(f"{per_page} per page is not offered; use one of {', '.join(map(str, GRIDS))}.")
    paper(paper_name)
    cols, rows = GRIDS[per_page]
    return Grid(paper_name.lower(), cols, rows)


def pages(count: int, per_page: int) -> int:
    return max(1, math.ceil(count / per_page))


def batched(items: list, size: int) -> list[list]:
    """``items`` in consecutive runs of ``size`` (the last may be shorter)."""
    return [items[i : i + size] for i in range(0, len(items), size)]
