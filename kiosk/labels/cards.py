"""Cards cut from plain sheets: storage-case tags (``CASE-n``) and location cards (``LOC-code``).

Both put one to eight cards on a page (``--per-page``, default 4: a quarter
sheet), with light dashed cut lines. A case tag shows its number as large as
the card allows, the same size on every tag of the file (four digits on a
quarter letter sheet stand over three quarters of an inch tall, readable
across a storage room; one per page, over three inches), and the ``CASE-n``
barcode under it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from kiosk.errors import BadInput
from kiosk.labels import code128
from kiosk.labels.data import SiteCard, site_cards
from kiosk.labels.fonts import ellipsize, fit_lines, fit_size, fonts_from, width
from kiosk.labels.layout import PAPERS, Grid, grid, pages
from kiosk.labels.output import Progress, Written, check_target, no_progress, pdf, plural

MAX_CASES = 100_000
CAP = 0.73
"""Height of a digit as a fraction of the font size (DejaVu Sans and Vera)."""
LOCATION_HINT = "TRANSFER: scan to send devices here. LOOKUP: scan to see what is here."


class _Cards:
    def __init__(self, canvas, sheet: Grid, district: str, fonts: tuple[str, str]):
        self.c = canvas
        self.grid = sheet
        self.district = district
        self.regular, self.bold = fonts
        self.w, self.h = sheet.cell
        self.pad = min(18.0, self.w * 0.07)
        self.inner = self.w - 2 * self.pad
        self.warnings: list[str] = []

    def centred(self, x: float, y: float, text: str, size: float, *, bold: bool = False, minimum: float = 6) -> None:
        font = self.bold if bold else self.regular
        size = fit_size(text, font, self.inner, size, minimum)
        self.c.setFont(font, size)
        self.c.drawCentredString(x + self.w / 2, y, ellipsize(text, font, size, self.inner))

    def cut_lines(self, x: float, y: float) -> None:
        self.c.saveState()
        self.c.setStrokeGray(0.75)
        self.c.setLineWidth(0.5)
        self.c.setDash(3, 3)
        self.c.rect(x, y, self.w, self.h, stroke=1, fill=0)
        self.c.restoreState()

    def barcode(self, x: float, bottom: float, code: str, height: float, max_module: float) -> float:
        """Draw ``code`` centred with its text under it from ``bottom`` up; returns the top of the bars."""
        text_size = min(14.0, max(8.0, height * 0.22))
        self.centred(x, bottom, code, text_size, bold=True)
        bars = bottom + text_size * 1.1
        try:
            symbol = code128.fit(code, self.inner, height, max_module=max_module)
        except code128.Unprintable as exc:
            self.warnings.append(f"{code}: {exc}")
            self.centred(x, bars + height / 2, "no barcode: type the code", 9)
            return bars + height
        symbol.draw(self.c, x + (self.w - symbol.width) / 2, bars)
        return bars + height

    def case_tag(self, x: float, y: float, number: int, size: float) -> None:
        self.cut_lines(x, y)
        top = y + self.h - self.pad
        head = min(12.0, self.h * 0.06)
        self.centred(x, top - head, self.district, head * 0.8)
        self.centred(x, top - 2.3 * head, "Storage case", head)
        bar_height = min(60.0, self.h * 0.16)
        bars_top = self.barcode(x, y + self.pad, f"CASE-{number}", bar_height, max_module=2.0)
        # The number is centred in the space left between the heading and the barcode.
        space_top, space_bottom = top - 2.3 * head - head * 0.6, bars_top + head * 0.6
        baseline = (space_top + space_bottom) / 2 - size * CAP / 2
        self.c.setFont(self.bold, size)
        self.c.drawCentredString(x + self.w / 2, baseline, str(number))

    def number_size(self, widest: str) -> float:
        """One size for every number of the file: the widest one fills the card's width or half its height."""
        head = min(12.0, self.h * 0.06)
        room = self.h - 2 * self.pad - 2.3 * head - head * 1.2 - min(60.0, self.h * 0.16) - 16
        by_height = room / CAP
        by_width = self.inner * 0.95 / (width(widest, self.bold, 100) / 100)
        return max(12.0, min(by_height, by_width, 400.0))

    def location(self, x: float, y: float, site: SiteCard) -> None:
        self.cut_lines(x, y)
        top = y + self.h - self.pad
        head = min(12.0, self.h * 0.06)
        self.centred(x, top - head, self.district, head * 0.8)
        self.centred(x, top - 2.3 * head, "Location", head)
        hint_size, hint = fit_lines(LOCATION_HINT, self.regular, self.inner, head * 0.8, 6, 2)
        self.c.setFont(self.regular, hint_size)
        for i, line in enumerate(reversed(hint)):
            self.c.drawCentredString(x + self.w / 2, y + self.pad + i * hint_size * 1.2, line)
        bar_height = min(54.0, self.h * 0.15)
        bars_top = self.barcode(x, y + self.pad + len(hint) * hint_size * 1.2 + 6, f"LOC-{site.code}", bar_height, 1.8)
        # The name takes what is left between the heading and the kind line above the barcode.
        where = site.kind.replace("_", " ") + (f" in {site.parent}" if site.parent else "")
        room = (top - 2.3 * head - head) - (bars_top + head * 3)
        size = min(30.0, self.h * 0.09)
        while True:
            size, lines = fit_lines(site.name, self.bold, self.inner, size, 6, 3)
            if len(lines) * size * 1.2 <= room or size <= 6:
                break
            size -= 1
        cursor = top - 2.3 * head - head
        self.c.setFont(self.bold, size)
        for line in lines:
            cursor -= size
            self.c.drawCentredString(x + self.w / 2, cursor, line)
            cursor -= size * 0.2
        self.centred(x, cursor - head * 1.4, where, head)


def _write(
    target, title: str, sheet: Grid, items: Sequence, draw: Callable, district: str, extra: dict, progress: Progress
) -> tuple[int, list[str]]:
    fonts = fonts_from(extra)
    spots = sheet.positions()
    total = pages(len(items), len(spots))
    with pdf(target, title, pagesize=PAPERS[sheet.paper]) as canvas:
        cards = _Cards(canvas, sheet, district, fonts)
        size = cards.number_size(str(max(items))) if title == "Storage case tags" else 0.0
        for n, item in enumerate(items):
            slot = n % len(spots)
            if n and slot == 0:
                canvas.showPage()
                progress(n / len(items), f"Page {n // len(spots)} of {total}")
            draw(cards, *spots[slot], item, size)
        canvas.showPage()
    return total, cards.warnings


def write_case_tags(
    output: str | os.PathLike,
    *,
    first: int,
    last: int,
    paper_name: str = "letter",
    per_page: int = 4,
    district: str = "School District",
    extra: dict | None = None,
    progress: Progress = no_progress,
) -> Written:
    """Write the tags ``CASE-first`` .. ``CASE-last`` to ``output``."""
    target = check_target(output)
    if first < 0 or last < 0:
        raise BadInput("Case numbers cannot be negative.")
    if first > last:
        raise BadInput(f"--from {first} is greater than --to {last}; nothing was written.")
    if last - first + 1 > MAX_CASES:
        raise BadInput(f"{last - first + 1:,} tags are more than {MAX_CASES:,} at once; print them in parts.")
    sheet = grid(paper_name, per_page)
    numbers = range(first, last + 1)
    total, warnings = _write(
        target, "Storage case tags", sheet, numbers,
        lambda cards, x, y, number, size: cards.case_tag(x, y, number, size), district, extra or {}, progress,
    )  # fmt: skip
    sentence = (
        f"Wrote {plural(len(numbers), 'case tag')} (CASE-{first} to CASE-{last}, {plural(total, 'page')}) to {target}."
    )
    return Written(target, total, len(numbers), sentence, tuple(warnings))


def write_location_cards(
    output: str | os.PathLike,
    *,
    site: str | None = None,
    paper_name: str = "letter",
    per_page: int = 4,
    district: str = "School District",
    extra: dict | None = None,
    progress: Progress = no_progress,
) -> Written:
    """Write a ``LOC-`` card for every site (or ``site`` and the sites under it) to ``output``."""
    target = check_target(output)
    sheet = grid(paper_name, per_page)
    cards = site_cards(site=site)
    total, warnings = _write(
        target, "Location cards", sheet, cards,
        lambda c, x, y, card, _: c.location(x, y, card), district, extra or {}, progress,
    )  # fmt: skip
    sentence = f"Wrote {plural(len(cards), 'location card')} ({plural(total, 'page')}) to {target}."
    return Written(target, total, len(cards), sentence, tuple(warnings))
