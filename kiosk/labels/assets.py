"""Asset tags on label stock: the district's name, the tag's barcode, the tag and the serial.

The default stock is Avery 5160 (US letter, 30 per sheet); ``--layout`` names
another (see :data:`kiosk.labels.layout.STOCKS`) or describes one. Text and
bars scale with the label's height. After the PDF is written each device gets
a ``device.labeled`` event, so ``--unlabeled`` leaves it out next time.
"""

from __future__ import annotations

import os

from kiosk.errors import BadInput
from kiosk.labels import code128
from kiosk.labels.data import AssetLabel, asset_labels, record_labeled
from kiosk.labels.fonts import ellipsize, fit_size, fonts_from
from kiosk.labels.layout import PAPERS, Stock, pages, stock
from kiosk.labels.output import Progress, Written, check_target, no_progress, pdf, plural


class _Labels:
    def __init__(self, canvas, sheet: Stock, district: str, fonts: tuple[str, str]):
        self.c = canvas
        self.stock = sheet
        self.district = district
        self.regular, self.bold = fonts
        self.scale = min(sheet.height / 72.0, sheet.width / 189.0, 2.0)
        self.warnings: list[str] = []

    def centred(self, x: float, w: float, y: float, text: str, size: float, minimum: float, *, bold=False) -> None:
        font = self.bold if bold else self.regular
        size = fit_size(text, font, w, size, minimum)
        self.c.setFont(font, size)
        self.c.drawCentredString(x + w / 2, y, ellipsize(text, font, size, w))

    def label(self, item: AssetLabel, x: float, y: float) -> None:
        s, w, h = self.scale, self.stock.width, self.stock.height
        padx, pady = 7 * s, 4 * s
        inner = w - 2 * padx
        small, big = 6.5 * s, 10 * s
        self.centred(x + padx, inner, y + h - pady - small * 0.8, self.district, small, 5)
        serial_y = y + pady + 1
        tag_y = serial_y + small + 1.5 * s
        self.centred(x + padx, inner, serial_y, f"S/N {item.serial}", small, 5)
        self.centred(x + padx, inner, tag_y, item.asset_tag, big, 6, bold=True)
        bar_bottom = tag_y + big * 0.95 + 1.5 * s
        bar_top = y + h - pady - small - 2 * s
        try:
            symbol = code128.fit(item.asset_tag, w - 2 * padx, bar_top - bar_bottom, max_module=1.0 * s)
        except code128.Unprintable as exc:
            self.warnings.append(f"{item.asset_tag}: {exc}")
            self.centred(x + padx, inner, (bar_top + bar_bottom) / 2, "no barcode: type the tag", small, 5)
            return
        symbol.draw(self.c, x + (w - symbol.width) / 2, bar_bottom)


def write_asset_labels(
    output: str | os.PathLike,
    *,
    site: str | None = None,
    tags: list[str] | None = None,
    unlabeled: bool = False,
    layout: str = "5160",
    skip: int = 0,
    mark: bool = True,
    district: str = "School District",
    station: str = "station-1",
    operator: str | None = None,
    extra: dict | None = None,
    progress: Progress = no_progress,
) -> Written:
    """Write asset labels for the devices chosen (see :func:`kiosk.labels.data.asset_labels`) to ``output``.

    ``skip`` leaves the first labels of the first sheet blank (a sheet already
    partly used). With ``mark`` every printed device is recorded as labeled.
    """
    target = check_target(output)
    sheet = stock(layout)
    if not 0 <= skip < sheet.per_page:
        raise BadInput(f"--skip must be between 0 and {sheet.per_page - 1} for layout {sheet.name}.")
    fonts = fonts_from(extra or {})
    progress(0.0, "Reading the devices")
    items = asset_labels(site=site, tags=tags, unlabeled=unlabeled)
    spots = sheet.positions()
    total = pages(len(items) + skip, sheet.per_page)
    with pdf(target, "Asset labels", pagesize=PAPERS[sheet.paper]) as canvas:
        labels = _Labels(canvas, sheet, district, fonts)
        slot = skip
        for n, item in enumerate(items):
            if slot == sheet.per_page:
                canvas.showPage()
                slot = 0
                progress(n / len(items), f"Sheet {canvas.getPageNumber() - 1} of {total}")
            labels.label(item, *spots[slot])
            slot += 1
        canvas.showPage()
    sentence = f"Wrote {plural(len(items), 'asset label')} on {plural(total, 'sheet')} of {sheet.name} to {target}."
    if mark:
        progress(1.0, "Recording the labels")
        record_labeled(
            [i.asset_tag for i in items], station=station, layout=sheet.name, file=target.name, operator=operator
        )
        sentence += " They no longer count as unlabeled."
    return Written(target, total, len(items), sentence, tuple(labels.warnings))
