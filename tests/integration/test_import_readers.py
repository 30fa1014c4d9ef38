"""Reading files and cells without a database: encodings, delimiters, XLSX, headers, dates, money, names."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from kiosk.errors import BadInput
from kiosk.io import mapping, readers, values
from kiosk.io.chromeos import OuMap, read_ou_map
from kiosk.io.devices import COMMON_FIELDS
from kiosk.services.catalog_names import (
    alias_key,
    alias_text,
    guess_category,
    normalise_manufacturer,
    normalise_name,
    similarity,
)
from tests.integration.import_support import DATA


def table(data: bytes, name="t.csv"):
    return readers.table_from_bytes(data, name)


@pytest.mark.parametrize(
    "data, encoding",
    [
        ("Tag,Name\nA1,José\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "Tag,Name\nA1,José\n".encode(), "utf-8-sig"),
        ("Tag,Name\nA1,José\n".encode("cp1252"), "cp1252"),
        ("Tag\tName\nA1\tJosé\n".encode("utf-16"), "utf-16"),
    ],
)
def test_encodings_are_detected_and_names_survive(data, encoding):
    t = table(data)
    assert t.encoding == encoding
    assert t.headers == ["Tag", "Name"]
    assert t.rows == [(2, ["A1", "José"])]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(delimiter):
    text = delimiter.join(["Asset Tag", "Serial", "Notes"]) + "\n"
    text += delimiter.join(["A1", "S1", '"a, b; c"']) + "\n"
    t = table(text.encode())
    assert t.delimiter == delimiter
    assert t.rows[0][1][2] == "a, b; c"


def test_decomposed_accents_are_composed():
    t = table("Name\nJose\u0301\n".encode())
    assert t.rows == [(2, ["Jos\u00e9"])]


def test_excel_sep_line_quoted_commas_and_blank_rows():
    t = table(b'sep=;\r\nTag;Notes\r\n\r\nA1;"Cart 3, slot 12"\r\nA2;"two\r\nlines"\r\n')
    assert t.delimiter == ";"
    assert t.rows == [(3, ["A1", "Cart 3, slot 12"]), (4, ["A2", "two\r\nlines"])]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty"),
        (b"  \r\n\r\n", "is empty"),
        (b"\x00\x01\x02binary\x00" * 50, "binary data"),
        (b"%PDF-1.7\n...", "binary data"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel .xls"),
        (b"PK\x03\x04not really a zip", "not a readable XLSX"),
        (b"Tag,Name\nA1,\x81\x8d\x8f\x90\x9d\n", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_unreadable_files_are_refused_with_a_sentence(data, message):
    with pytest.raises(BadInput, match=message):
        table(data)


def test_xlsx_is_read_in_read_only_mode_with_dates_numbers_and_formulas_as_text(tmp_path):
    path = tmp_path / "inv.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Assets")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["Asset Tag", "Serial", "Purchase Date", "Cost", "Model"])
    sheet.write_number(1, 0, 100234)
    sheet.write_string(1, 1, "5CD001")
    sheet.write_datetime(1, 2, dt.datetime(2024, 3, 15), date_format)
    sheet.write_number(1, 3, 289.5)
    sheet.write_formula(1, 4, '=HYPERLINK("http://example.invalid","x")', None, "x")
    book.close()
    t = readers.read_table(path)
    assert t.headers == ["Asset Tag", "Serial", "Purchase Date", "Cost", "Model"]
    assert t.rows == [(2, ["100234", "5CD001", "2024-03-15", "289.5", '=HYPERLINK("http://example.invalid","x")'])]
    assert readers.read_table(path, sheet="Assets").source.endswith("[Assets]")
    with pytest.raises(BadInput, match="no sheet 'Nope'"):
        readers.read_table(path, sheet="Nope")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-03-15", dt.date(2024, 3, 15)),
        ("2024-03-15T08:00:00Z", dt.date(2024, 3, 15)),
        ("2024-03-15 00:00:00", dt.date(2024, 3, 15)),
        ("3/15/2024", dt.date(2024, 3, 15)),
        ("03/05/2024", dt.date(2024, 3, 5)),
        ("15-Mar-2024", dt.date(2024, 3, 15)),
        ("15 March 2024", dt.date(2024, 3, 15)),
        ("Mar 15, 2024", dt.date(2024, 3, 15)),
        ("", None),
    ],
)
def test_dates_in_three_families(text, expected):
    assert values.parse_date(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [("15/03/2024", "not a real date"), ("3/15/24", "two-digit year"), ("2024-02-30", "not a real date"),
     ("someday", "not a date kiosk reads"), ("15-Foo-2024", "not a month name")],
)  # fmt: skip
def test_unreadable_dates_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        values.parse_date(text)


def test_aue_dates_take_months_and_epoch_milliseconds():
    assert values.parse_date("2029-06", month_only=True) == dt.date(2029, 6, 30)
    assert values.parse_date("Jun 2029", month_only=True) == dt.date(2029, 6, 30)
    ms = int(dt.datetime(2029, 6, 30, 12, tzinfo=dt.UTC).timestamp() * 1000)
    assert values.parse_date(str(ms), month_only=True) == dt.date(2029, 6, 30)
    with pytest.raises(ValueError):
        values.parse_date("Jun 2029")


@pytest.mark.parametrize("text, cents", [("$1,234.50", 123450), ("289", 28900), ("289.00 USD", 28900),
                                         ("0.995", 100), ("", None), ("-0", 0)])  # fmt: skip
def test_money(text, cents):
    assert values.parse_cents(text) == cents


@pytest.mark.parametrize("text", ["289,00", "1,28", "12,3456"])
def test_a_decimal_comma_is_not_mistaken_for_thousands(text):
    with pytest.raises(ValueError, match="write it as 289.00"):
        values.parse_cents(text)


@pytest.mark.parametrize("text", ["-289.00", "(15.00)", "$-1"])
def test_negative_costs_are_refused(text):
    with pytest.raises(ValueError, match="negative cost"):
        values.parse_cents(text)


@given(st.integers(min_value=0, max_value=10**9))
def test_money_round_trips_whole_cents(cents):
    assert values.parse_cents(f"${cents / 100:,.2f}") == cents


@pytest.mark.parametrize("text", ['=HYPERLINK("x","y")', "=1+2", "@SUM(A1:A2)", "+cmd(1)", "-FOO(2)"])
def test_formulas_are_recognised(text):
    assert values.looks_like_formula(text)


@pytest.mark.parametrize("text", ["-5", "+1 555 0100", "a=b", "HP 11 G9", "@home", ""])
def test_ordinary_text_is_not_a_formula(text):
    assert not values.looks_like_formula(text)


@pytest.mark.parametrize("text, status", [("Ready to Deploy", "available"), ("OUT FOR REPAIR", "in_repair"),
                                          ("Lost/Stolen", "lost"), ("Deployed", "issued"), ("archived", "retired"),
                                          ("in_repair", "in_repair"), ("", None)])  # fmt: skip
def test_statuses(text, status):
    assert values.parse_status(text) == status


def test_headers_match_by_alias_case_and_punctuation_and_map_wins():
    t = table(b"TAG #,serial_number,Item Name,Bldg\nA1,S1,HP,HS\n")
    cols = mapping.resolve(t, COMMON_FIELDS, required=(("asset_tag", "serial"),),
                           overrides=mapping.parse_map(["Bldg=site"], COMMON_FIELDS))  # fmt: skip
    assert cols.index == {"site": 3, "asset_tag": 0, "serial": 1, "model": 2}
    with pytest.raises(BadInput, match="not a field here"):
        mapping.parse_map(["Bldg=building"], COMMON_FIELDS)
    with pytest.raises(BadInput, match="does not have"):
        mapping.resolve(t, COMMON_FIELDS, overrides={"nope": "site"})


def test_a_doubled_header_names_its_columns():
    t = readers.read_table(DATA / "bad" / "duplicate_header.csv")
    with pytest.raises(BadInput, match=r"header 'Serial' twice \(columns B and E\)"):
        mapping.resolve(t, COMMON_FIELDS)


def test_ou_map_longest_prefix_and_bare_names():
    ou = read_ou_map(readers.read_table(DATA / "chromeos" / "ou_map.csv"))
    assert ou.site_for("/Storage") == "STORE"
    assert ou.site_for("/storage/Cart 3/") == "STORE"
    assert ou.site_for("/Students/Oak/Grade 3") == "ES"
    assert ou.site_for("/Old/Retired") == "STORE"
    assert ou.site_for("/Students") is None
    assert OuMap().site_for("/x") is None


@pytest.mark.parametrize(
    "spelling, manufacturer, name",
    [("hp chrome book 11 g9 ee", "HP Inc.", "HP Chromebook 11 G9 EE"),
     ("Chromebook 11 G9 EE", "Hewlett-Packard", "HP Chromebook 11 G9 EE"),
     ("LENOVO 100E CHROMEBOOK GEN 3", None, "Lenovo 100e Chromebook Gen 3"),
     ("acer  CB 314", "Acer Inc.", "Acer Chromebook 314"),
     ("Kajeet SmartSpot™", "", "Kajeet SmartSpot")],
)  # fmt: skip
def test_names_are_normalised(spelling, manufacturer, name):
    assert normalise_name(spelling, manufacturer) == name


@pytest.mark.parametrize("text, maker", [("HP Inc.", "HP"), ("Hewlett-Packard", "HP"), ("Dell Technologies", "Dell"),
                                         ("ASUSTeK Computer Inc.", "ASUS"), ("apple inc", "Apple"),
                                         ("Acme Widgets LLC", "Acme Widgets")])  # fmt: skip
def test_manufacturers_are_normalised(text, maker):
    assert normalise_manufacturer(text) == maker


def test_keys_fold_spellings_of_one_model_but_keep_numbers():
    assert alias_key("Apple iPad (9th Generation)") == alias_key("apple ipad gen9") == "apple ipad gen 9"
    assert alias_key("HP CB 11 G9 EE") == alias_key("HP Chrome-Book 11 G9 EE")
    assert alias_key("Apple iPad 10.2") != alias_key("Apple iPad 102")
    assert alias_text("  HP   Chromebook 11 ") == "hp chromebook 11"
    assert similarity("HP Chromebook 11 G9 EE", "HP CB 11 G9") > 0.9
    assert guess_category("Apple iPad 9th gen") == "tablet"
    assert guess_category("Franklin T10", "Hotspots") == "hotspot"


@given(st.text(max_size=40))
def test_alias_key_is_idempotent(text):
    assert alias_key(alias_key(text)) == alias_key(text)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_only_on_a_terminal():
    from kiosk.io.progress import ProgressBar

    pipe = io.StringIO()
    ProgressBar(pipe)("writing devices", 5, 10)
    assert pipe.getvalue() == ""
    tty = _Tty()
    bar = ProgressBar(tty)
    bar("writing devices", 10, 10)
    bar.close()
    assert "writing devices" in tty.getvalue() and "10/10" in tty.getvalue() and tty.getvalue().endswith("\r\x1b[K")
