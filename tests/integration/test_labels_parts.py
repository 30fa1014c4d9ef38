"""The parts under every sheet: Code 128 bars and quiet zones, label stock geometry, fitting text."""

from __future__ import annotations

import pytest
from reportlab.pdfgen.canvas import Canvas

from kiosk.errors import BadInput
from kiosk.labels import code128, fonts
from kiosk.labels.layout import INCH, MM, PAPERS, STOCKS, chosen_paper, grid, length, stock
from tests.integration.test_labels_support import decode


def test_bars_merge_runs_of_modules():
    assert code128.bars("1101000111") == [(0, 2), (3, 1), (7, 3)]
    pattern = code128.modules("CASE-1500")
    assert pattern.startswith("11010010000")  # start code B
    assert pattern.endswith("1100011101011")  # stop pattern
    assert sum(width for _, width in code128.bars(pattern)) == pattern.count("1")


def test_a_symbol_is_as_wide_as_its_modules_plus_ten_module_quiet_zones():
    symbol = code128.fit("A100003", 200, 20, max_module=1.0)
    assert symbol.module == 1.0
    assert symbol.width == len(symbol.pattern) + 2 * code128.QUIET_MODULES
    narrow = code128.fit("A100003", 90, 20)
    assert narrow.width == pytest.approx(90) and narrow.module < 1.0


def test_codes_that_cannot_be_printed_say_why():
    with pytest.raises(code128.Unprintable, match="characters Code 128 cannot carry"):
        code128.fit("Ñ1", 200, 20)
    with pytest.raises(code128.Unprintable, match="too long for a barcode 0.50 in wide"):
        code128.fit("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 36, 20)
    with pytest.raises(code128.Unprintable, match="empty"):
        code128.modules("")


class _Recorder:
    """Collects the rectangles a symbol draws."""

    def __init__(self):
        self.rects = []

    def saveState(self, *args):
        pass

    restoreState = setFillGray = saveState

    def rect(self, x, y, w, h, stroke=0, fill=1):
        self.rects.append((x, y, w, h))


def test_bars_keep_out_of_the_ten_module_quiet_zones_and_scan(tmp_path):
    symbol = code128.fit("LOC-STOR", 300, 40)
    recorder = _Recorder()
    symbol.draw(recorder, 50, 30)
    quiet = code128.QUIET_MODULES * symbol.module
    assert min(x for x, *_ in recorder.rects) == pytest.approx(50 + quiet)
    assert max(x + w for x, _, w, _ in recorder.rects) == pytest.approx(50 + symbol.width - quiet)
    assert all(y == 30 and h == 40 for _, y, _, h in recorder.rects)
    path = tmp_path / "one.pdf"
    canvas = Canvas(str(path), pagesize=(400, 100))
    symbol.draw(canvas, 50, 30)
    canvas.save()
    assert decode(path) == {"LOC-STOR": 1}


@pytest.mark.parametrize("name", sorted(STOCKS))
def test_every_named_stock_fits_its_paper(name):
    sheet = STOCKS[name].check()
    width, height = PAPERS[sheet.paper]
    spots = sheet.positions()
    assert len(spots) == sheet.per_page
    assert all(
        0 <= x and x + sheet.width <= width + 0.01 and 0 <= y and y + sheet.height <= height + 0.01 for x, y in spots
    )


def test_avery_5160_is_thirty_labels_of_one_by_two_and_five_eighths_inches():
    sheet = stock("5160")
    assert (sheet.per_page, sheet.width, sheet.height, sheet.paper) == (30, 2.625 * INCH, 1 * INCH, "letter")
    assert sheet.positions()[0] == (0.1875 * INCH, 11 * INCH - 0.5 * INCH - 1 * INCH)
    assert stock("l7160").per_page == 21 and stock("L7160").paper == "a4"


def test_custom_stock_is_centred_unless_told_otherwise():
    sheet = stock("paper=a4, cols=3, rows=8, width=63.5mm, height=33.9mm, hgap=2.5mm")
    assert sheet.per_page == 24 and sheet.paper == "a4"
    assert sheet.left == pytest.approx((210 - 3 * 63.5 - 2 * 2.5) / 2 * MM)
    assert sheet.top == pytest.approx((297 - 8 * 33.9) / 2 * MM)
    placed = stock("cols=2,rows=2,width=3in,height=2in,top=1in,left=0.5in,vgap=0.25in")
    assert placed.positions()[2] == (0.5 * INCH, 11 * INCH - 1 * INCH - 2.25 * INCH - 2 * INCH)


def test_lengths_and_papers():
    assert length("2.625in", "width") == 2.625 * 72
    assert length(" 10 MM ", "width") == pytest.approx(10 * MM)
    assert length("1cm", "width") == pytest.approx(10 * MM) and length("12pt", "x") == 12
    with pytest.raises(BadInput, match="write a number and a unit"):
        length("12", "width")
    assert chosen_paper({}) == "letter" and chosen_paper({"labels": {"paper": "A4"}}) == "a4"
    assert chosen_paper({"labels": {"paper": "a4"}}, "letter") == "letter"
    with pytest.raises(BadInput, match="must be letter or a4"):
        chosen_paper({"labels": {"paper": "legal"}})
    assert grid("a4", 6).cols == 2 and len(grid("letter", 8).positions()) == 8


def test_text_fits_its_box_by_shrinking_then_wrapping_then_an_ellipsis():
    regular, bold = fonts.register()
    name = "Maria José Guadalupe de los Ángeles Fernández-Castellanos"
    size = fonts.fit_size("Ana Lopez", bold, 200, 11, 7)
    assert size == 11
    size, lines = fonts.fit_lines(name, bold, 150, 11, 7, 2)
    assert len(lines) == 2 and all(fonts.width(line, bold, size) <= 150 for line in lines)
    assert " ".join(lines) == name
    size, lines = fonts.fit_lines("W" * 200, regular, 100, 11, 7, 2)
    assert size == 7 and len(lines) == 2 and lines[-1].endswith(fonts.ELLIPSIS)
    assert all(fonts.width(line, regular, 7) <= 100 for line in lines)


def test_a_font_that_cannot_be_read_is_refused_by_name(tmp_path):
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font")
    with pytest.raises(BadInput, match="broken.ttf cannot be used"):
        fonts.fonts_from({"labels": {"font": str(bad)}})
