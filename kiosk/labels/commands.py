"""The command sheet: every ``$`` code the station reads, large, with its meaning and its key.

Two columns; in each cell the barcode sits on the outer side and the words on
the inner side, so two barcodes never stand side by side where one sweep of a
scanner could cross both.
"""

from __future__ import annotations

import os

from kiosk.labels import code128
from kiosk.labels.fonts import ellipsize, fit_lines, fit_size, fonts_from
from kiosk.labels.layout import INCH, paper
from kiosk.labels.output import Progress, Written, check_target, no_progress, pdf, plural, printed_on
from kiosk.services.codes import COMMANDS

MEANINGS: dict[str, tuple[str, str]] = {
    "$ISSUE": ("F2", "ISSUE mode: scan the student, then the device."),
    "$RETURN": ("F3", "RETURN mode: scan the device; a condition code first."),
    "$TRANSFER": ("F4", "TRANSFER (technicians): LOC- card, devices, then $DONE."),
    "$LOOKUP": ("F5", "LOOKUP: see a student, device, LOC- card or CASE- tag."),
    "$CASE": ("F6", "CASE (storage room): a student's case or a tag's owner."),
    "$STATUS": ("F7", "STATUS (technicians): a status code, then the devices."),
    "$AUDIT": ("", "AUDIT (technicians): count the devices at a location."),
    "$DONE": ("F8", "Finish a transfer, or clear the student."),
    "$CONFIRM": ("F9", "Go ahead after a yellow warning."),
    "$CANCEL": ("Esc", "Drop a warning, or clear the current student."),
    "$LOCK": ("F12", "Lock the station; the next person signs in."),
    "$GOOD": ("", "RETURN: the next device is in good shape (the default)."),
    "$DAMAGED": ("", "RETURN: the next device is damaged. STATUS: damaged."),
    "$NOCHARGER": ("", "RETURN: the next device comes back without its charger."),
    "$LOST": ("", "RETURN: the next device is lost. STATUS: lost."),
    "$STOLEN": ("", "STATUS: the devices scanned next become stolen."),
    "$INREPAIR": ("", "STATUS: the devices scanned next go in for repair."),
    "$AVAILABLE": ("", "STATUS: the devices scanned next become available."),
    "$DISPOSED": ("", "STATUS: the devices scanned next are disposed of."),
    "$RETIRED": ("", "STATUS: the devices scanned next are retired."),
}
"""Key and meaning of every command code, in the order of the sheet."""

MARGIN = 0.5 * INCH
HEADER = 44.0
MIN_CELL = 0.8 * INCH
GUTTER = 30.0


def _cell(c, fonts: tuple[str, str], code: str, x: float, top: float, w: float, h: float) -> None:
    """The barcode across the top of the cell; under it the code, its key and what it does."""
    regular, bold = fonts
    key, meaning = MEANINGS.get(code, ("", "A station command; see the README."))
    bar_h = h * 0.34
    symbol = code128.fit(code, w, bar_h, max_module=1.3)
    symbol.draw(c, x, top - 4 - bar_h)
    size = fit_size(code, bold, w * 0.7, 15, 9)
    baseline = top - 4 - bar_h - 4 - size * 0.9
    c.setFont(bold, size)
    c.drawString(x, baseline, code)
    if key:
        c.setFont(bold, 10)
        c.drawRightString(x + w, baseline, f"key {key}")
    first = baseline - size * 0.3 - 8 * 1.15
    msize, lines = fit_lines(meaning, regular, w, 8, 6, max(1, int((first - (top - h + 3)) // (8 * 1.15)) + 1))
    c.setFont(regular, msize)
    for n, line in enumerate(lines):
        c.drawString(x, first - n * msize * 1.15, line)
    c.setStrokeGray(0.8)
    c.setLineWidth(0.4)
    c.line(x, top - h + 1, x + w, top - h + 1)
    c.setStrokeGray(0)


def ordered() -> list[str]:
    """Every command code the station reads: the known ones in sheet order, any newer ones after them."""
    return [c for c in MEANINGS if c in COMMANDS] + sorted(COMMANDS - set(MEANINGS))


def write_command_sheet(
    output: str | os.PathLike,
    *,
    paper_name: str = "letter",
    district: str = "School District",
    extra: dict | None = None,
    progress: Progress = no_progress,
) -> Written:
    """Write the command sheet to ``output`` (one page; a second only if the codes ever outgrow it)."""
    target = check_target(output)
    page_w, page_h = paper(paper_name)
    regular, bold = fonts_from(extra or {})
    codes = ordered()
    rows_fit = max(1, int((page_h - 2 * MARGIN - HEADER) // MIN_CELL))
    rows = min(rows_fit, -(-len(codes) // 2))
    cell_w = (page_w - 2 * MARGIN - GUTTER) / 2
    cell_h = min(1.2 * INCH, (page_h - 2 * MARGIN - HEADER) / rows)
    per_page = rows * 2
    total = -(-len(codes) // per_page)
    with pdf(target, "Command codes", pagesize=(page_w, page_h)) as c:
        for page in range(total):
            c.setFont(bold, 16)
            c.drawString(MARGIN, page_h - MARGIN - 16, "Station command codes")
            c.setFont(regular, 8.5)
            sub = f"{district} · scan a code, or press its key · printed {printed_on()}"
            c.drawString(MARGIN, page_h - MARGIN - 32, ellipsize(sub, regular, 8.5, page_w - 2 * MARGIN))
            for i, code in enumerate(codes[page * per_page : (page + 1) * per_page]):
                x = MARGIN + (i % 2) * (cell_w + GUTTER)
                top = page_h - MARGIN - HEADER - (i // 2) * cell_h
                _cell(c, (regular, bold), code, x, top, cell_w, cell_h)
            c.showPage()
            progress((page + 1) / total, f"Page {page + 1} of {total}")
    sentence = f"Wrote the {plural(len(codes), 'command code')} ({plural(total, 'page')}) to {target}."
    return Written(target, total, len(codes), sentence)
