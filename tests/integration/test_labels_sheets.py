"""Storage-case tags, the command sheet and location cards, read back from the PDF."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from kiosk.errors import BadInput, DomainError
from kiosk.labels.cards import write_case_tags, write_location_cards
from kiosk.labels.commands import MEANINGS, write_command_sheet
from kiosk.services import inventory
from kiosk.services.codes import COMMANDS
from tests.integration.test_labels_support import assert_clean_layout, decode, decode_pages, mode, pages

LONG_SITE = "Drive-through pickup point at the East Valley Community Recreation Center parking lot"


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "out"
    path.mkdir()
    return path


def test_fifteen_hundred_case_tags_scan_and_lay_out_without_overlap(folder):
    out = folder / "cases.pdf"
    written = write_case_tags(out, first=1, last=1500, per_page=8, district="Riverside Unified")
    assert written.count == 1500 and written.pages == 188
    assert decode(out) == Counter(f"CASE-{n}" for n in range(1, 1501))
    all_pages = pages(out)
    assert_clean_layout(all_pages)
    numbers = Counter(w.text for p in all_pages for w in p.words if w.text.isdigit())
    assert numbers == Counter(str(n) for n in range(1, 1501))
    # Every number has the one size of the file, large enough to read across a room.
    heights = {round(w.y1 - w.y0, 1) for p in all_pages for w in p.words if w.text.isdigit()}
    assert len(heights) == 1 and heights.pop() > 60
    assert mode(out) == 0o600


def test_case_tags_on_a_quarter_sheet_carry_numbers_readable_across_a_room(folder):
    out = folder / "cases.pdf"
    write_case_tags(out, first=1495, last=1502, district="Riverside Unified")
    per_page = decode_pages(out)
    assert [sorted(p) for p in per_page] == [sorted(f"CASE-{n}" for n in range(a, a + 4)) for a in (1495, 1499)]
    all_pages = pages(out)
    assert_clean_layout(all_pages)
    digits = [w for w in all_pages[0].words if w.text == "1495"]
    # pdftotext's box is the font's em; the digits themselves stand 0.73 of it: over three quarters of an inch.
    assert len(digits) == 1 and (digits[0].y1 - digits[0].y0) * 0.73 > 0.75 * 72


@pytest.mark.parametrize(
    ("first", "last", "words"),
    [(5, 2, "--from 5 is greater than --to 2"), (-1, 3, "cannot be negative"), (1, 200_000, "print them in parts")],
)
def test_bad_case_ranges_are_refused(folder, first, last, words):
    with pytest.raises(BadInput, match=words):
        write_case_tags(folder / "c.pdf", first=first, last=last)
    with pytest.raises(BadInput, match="3 per page is not offered"):
        write_case_tags(folder / "c.pdf", first=1, last=2, per_page=3)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_command_sheet_holds_every_code_once_with_its_meaning_on_one_page(folder, paper):
    out = folder / "commands.pdf"
    written = write_command_sheet(out, paper_name=paper, district="Riverside Unified")
    assert written.pages == 1 and written.count == len(COMMANDS)
    assert decode(out) == Counter(COMMANDS)
    page = pages(out)[0]
    assert_clean_layout([page])
    text = re.sub(r"\s+", " ", page.text)
    for code, (key, meaning) in MEANINGS.items():
        assert code in text.split() and meaning in text, code
        if key:
            assert f"key {key}" in text


def test_every_command_the_station_reads_has_a_meaning_on_the_sheet():
    assert set(MEANINGS) == set(COMMANDS)


def test_a_location_card_per_site_with_its_name_and_loc_code(district, folder):
    inventory.add_site("PU-EAST", LONG_SITE, "pickup", parent="DIST")
    out = folder / "loc.pdf"
    written = write_location_cards(out, district="Riverside Unified")
    assert written.count == 5 and written.pages == 2
    assert decode(out) == Counter(["LOC-DIST", "LOC-ES", "LOC-HS", "LOC-PU-EAST", "LOC-STORE"])
    all_pages = pages(out)
    assert_clean_layout(all_pages)
    text = " ".join(re.sub(r"\s+", " ", p.text) for p in all_pages)
    for words in ("Central High School", "Oak Elementary", "Recreation Center", "school in Demo District Office"):
        assert words in text
    sub = folder / "hs.pdf"
    write_location_cards(sub, site="HS", per_page=1)
    assert decode(sub) == Counter(["LOC-HS"])


@pytest.mark.parametrize("per_page", [1, 2, 6, 8])
def test_location_cards_fit_every_card_size(district, folder, per_page):
    inventory.add_site("PU-EAST", LONG_SITE, "pickup", parent="DIST")
    out = folder / "loc.pdf"
    write_location_cards(out, per_page=per_page, paper_name="a4")
    assert decode(out) == Counter(["LOC-DIST", "LOC-ES", "LOC-HS", "LOC-PU-EAST", "LOC-STORE"])
    assert_clean_layout(pages(out))


def test_location_cards_refuse_an_unknown_site(district, folder):
    with pytest.raises(BadInput, match="No site has code XX"):
        write_location_cards(folder / "l.pdf", site="XX")
    assert list(folder.iterdir()) == []


def test_no_sites_no_cards(database, folder):
    with pytest.raises(DomainError, match="no site to print a card for"):
        write_location_cards(folder / "l.pdf")
    assert list(folder.iterdir()) == []
