"""Student lists: grouped by school and homeroom, every ID scannable, names readable, nothing overlapping."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from kiosk.errors import BadInput, DomainError, PermissionDenied
from kiosk.labels.students import rows_per_page, write_student_lists
from kiosk.services import inventory
from models import Person
from tests.integration.test_labels_support import assert_clean_layout, decode, decode_pages, mode, pages

LONG_FIRST = "Maria José Guadalupe de los Ángeles"
LONG_LAST = "Fernández-Castellanos y Villaseñor de la Vega"
ACCENTED = [("S500", "Łucja", "Żółkiewska"), ("S501", "Thị Minh", "Nguyễn"), ("S502", "Zoë", "Ødegård-Müller")]


@pytest.fixture
def folder(tmp_path):
    """An empty folder for the PDFs (the test database lives in tmp_path)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def _crowd(n: int, homeroom: str = "H-2", school: str = "HS") -> list[str]:
    ids = [f"21{i:05d}" for i in range(n)]
    for i, code in enumerate(ids):
        inventory.add_person(code, f"First{i}", f"Last{i:03d}", grade="09", school=school, homeroom=homeroom)
    return ids


def test_lists_per_school_and_homeroom_scan_every_id_and_nothing_else(district, tmp_path):
    crowd = _crowd(rows_per_page("letter") + 5)  # a homeroom that needs two pages
    out = tmp_path / "students.pdf"
    written = write_student_lists(out, district="Riverside Unified")
    expected = Counter(["S100", "S101", "S200", *crowd])  # S300 is inactive: left out
    assert decode(out) == expected
    assert written.count == len(expected) and written.pages == 5
    assert "4 homeroom lists" in written.sentence and str(out) in written.sentence
    assert mode(out) == 0o600
    text = pages(out)
    headers = [re.sub(r"\s+", " ", p.text) for p in text]
    # School, homeroom and "Page x of y" within the homeroom; ES sorts before HS.
    assert "Oak Elementary (ES) · Homeroom E-3A" in headers[0] and "Page 1 of 1" in headers[0]
    assert "Central High School (HS) · Homeroom H-2" in headers[1] and "Page 1 of 2" in headers[1]
    assert "Homeroom H-2" in headers[2] and "Page 2 of 2" in headers[2]
    assert "Homeroom H-101" in headers[3] and "Lopez, Ana" in headers[3] and "Page 1 of 1" in headers[3]
    assert "Homeroom H-102" in headers[4] and "Okafor, Ben" in headers[4] and "Sheet 5 of 5" in headers[4]
    assert "Nguyen, Cara" in headers[0] and " 03 " in headers[0] and "S200" in headers[0]
    assert "Patel" not in " ".join(headers)
    # Each page's barcodes are the IDs printed on that page.
    for page, codes in zip(text, decode_pages(out), strict=True):
        assert codes and all(code in page.text.split() for code in codes)
    assert_clean_layout(text)


def test_filters_by_site_homeroom_and_grade(district, tmp_path):
    inventory.add_person("S600", "Gil", "Moreno", grade="10", school="HS", homeroom="H-102")
    inventory.add_person("T900", "Tess", "Teacher", role="staff", school="HS", homeroom="H-102")
    out = tmp_path / "s.pdf"
    write_student_lists(out, site="hs")
    assert set(decode(out)) == {"S100", "S101", "S600"}
    write_student_lists(out, site="DIST")  # a district prints every school under it
    assert set(decode(out)) == {"S100", "S101", "S200", "S600"}
    write_student_lists(out, homeroom="h-102")
    assert set(decode(out)) == {"S101", "S600"}
    write_student_lists(out, grade="10", site="HS")
    assert set(decode(out)) == {"S100", "S600"}
    write_student_lists(out, grade="3")
    assert set(decode(out)) == {"S200"}


def test_long_and_accented_names_fit_their_column_and_read_back_exactly(district, tmp_path):
    inventory.add_person("S400", LONG_FIRST, LONG_LAST, grade="12", school="HS", homeroom="H-101")
    inventory.add_person("S401", "A" * 60, "B" * 70, grade="12", school="HS", homeroom="H-101")
    for code, first, last in ACCENTED:
        inventory.add_person(code, first, last, grade="11", school="HS", homeroom="H-101")
    out = tmp_path / "names.pdf"
    write_student_lists(out, site="HS", homeroom="H-101")
    assert decode(out) == Counter(["S100", "S400", "S401", "S500", "S501", "S502"])
    all_pages = pages(out)
    assert_clean_layout(all_pages)
    text = " ".join(p.text for p in all_pages)
    for word in ("Żółkiewska,", "Łucja", "Nguyễn,", "Thị", "Zoë", "Ødegård-Müller,", "José", "Ángeles", "Villaseñor"):
        assert word in text.split(), word
    # The long name keeps left of the grade column: wrapped or shrunk, never over it.
    page = all_pages[0]
    grade_x = min(w.x0 for w in page.words if w.text == "12")
    name_words = [w for w in page.words if w.text in LONG_LAST.split() + LONG_FIRST.split()]
    assert name_words and max(w.x1 for w in name_words) < grade_x


def test_an_id_code128_cannot_carry_is_listed_without_a_barcode_and_reported(district, tmp_path):
    inventory.add_person("S-Ñ1", "Eñe", "Peña", grade="10", school="HS", homeroom="H-101")
    out = tmp_path / "s.pdf"
    written = write_student_lists(out, site="HS", homeroom="H-101")
    assert decode(out) == Counter(["S100"])
    assert len(written.warnings) == 1 and "S-Ñ1" in written.warnings[0] and "Code 128" in written.warnings[0]
    assert "no barcode: type the ID" in pages(out)[0].text


def test_a4_paper_fits_more_rows(district, tmp_path):
    crowd = _crowd(rows_per_page("a4"))
    out = tmp_path / "a4.pdf"
    written = write_student_lists(out, site="HS", homeroom="H-2", paper_name="a4")
    assert written.pages == 1 and rows_per_page("a4") > rows_per_page("letter")
    page = pages(out)[0]
    assert (round(page.width), round(page.height)) == (595, 842)
    assert decode(out) == Counter(crowd)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"site": "NOPE"}, BadInput, "No site has code NOPE"),
        ({"grade": "13"}, BadInput, "is not a grade"),
        ({"homeroom": "Z-9"}, DomainError, "No active student matches --homeroom Z-9"),
        ({"site": "STORE"}, DomainError, "No active student matches --site STORE"),
        ({"paper_name": "legal"}, BadInput, "Unknown paper"),
    ],
)
def test_bad_filters_are_refused_and_write_nothing(district, folder, kwargs, error, words):
    out = folder / "s.pdf"
    with pytest.raises(error, match=words):
        write_student_lists(out, **kwargs)
    assert list(folder.iterdir()) == []


def test_the_output_must_be_a_pdf_in_a_folder_that_exists(district, folder):
    with pytest.raises(BadInput, match="ending in .pdf"):
        write_student_lists(folder / "kiosk.db")
    with pytest.raises(BadInput, match="does not exist"):
        write_student_lists(folder / "missing" / "s.pdf")
    assert list(folder.iterdir()) == []


def test_an_existing_file_is_replaced_whole_and_kept_private(district, folder):
    out = folder / "s.pdf"
    out.write_text("old")
    out.chmod(0o644)
    write_student_lists(out, site="ES")
    assert out.read_bytes().startswith(b"%PDF") and mode(out) == 0o600
    assert [p.name for p in folder.iterdir()] == ["s.pdf"]


def test_at_a_station_only_an_admin_may_print_the_lists(district, tmp_path):
    out = tmp_path / "s.pdf"
    with pytest.raises(PermissionDenied, match="An admin is needed for printing student lists"):
        write_student_lists(out, actor=district.technician)
    assert not out.exists()
    Person.update(active=False).where(Person.district_id != "S100").execute()
    write_student_lists(out, actor=district.admin)
    assert decode(out) == Counter(["S100"])
