"""codes.clean and the prefix rules of codes.classify (no database needed for either)."""

from __future__ import annotations

import pytest

from kiosk.config import Config
from kiosk.errors import GarbledScan, UnknownCode
from kiosk.services.codes import COMMANDS, classify, clean

PLAIN = Config()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("S100", "S100"),
        ("  CB1 \r\n", "CB1"),
        ("]C0CB1", "CB1"),  # AIM symbology identifier (Code 128)
        ("]Q1S100", "S100"),
        ("élève-7", "élève-7"),
        ("LOC-HS", "LOC-HS"),
        ("A" * 128, "A" * 128),
    ],
)
def test_clean_keeps_the_code(raw, code):
    assert clean(raw, PLAIN) == code


def test_clean_strips_the_configured_prefix_and_suffix():
    config = Config(scan_prefix="#", scan_suffix="!")
    assert clean("#CB1!", config) == "CB1"
    assert clean("CB1", config) == "CB1"
    assert clean("]C0CB1", Config(strip_aim_id=False)) == "]C0CB1"


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "]C0", "#!"])
def test_clean_refuses_empty_scans(raw):
    with pytest.raises(GarbledScan, match="The scan was empty; scan the barcode again."):
        clean(raw, Config(scan_prefix="#", scan_suffix="!"))


def test_clean_refuses_over_long_scans():
    with pytest.raises(GarbledScan, match="The scan was 129 characters long, more than any code kiosk knows"):
        clean("A" * 129, PLAIN)
    with pytest.raises(GarbledScan, match="10000 characters"):
        clean("x" * 10_000, PLAIN)
    assert clean("A" * 20, Config(max_scan_length=20)) == "A" * 20


@pytest.mark.parametrize("raw", ["CB\x001", "S1\t00", "\x1b[A", "CB\u200b1", "CB1\x7f", "\udcffCB1", "CB\u00851"])
def test_clean_refuses_control_characters(raw):
    with pytest.raises(GarbledScan, match="control characters, so it was garbled; scan it again"):
        clean(raw, PLAIN)


@pytest.mark.parametrize("code", sorted(COMMANDS))
def test_every_command_is_a_command_in_any_case(code):
    assert classify(code.lower(), PLAIN).kind == "command"
    assert classify(code, PLAIN).code == code


def test_unknown_commands_locations_and_cases():
    with pytest.raises(UnknownCode, match=r"\$ISSUE2 is not a kiosk command code; use the printed command sheet"):
        classify("$ISSUE2", PLAIN)
    assert classify("LOC-HS", PLAIN).code == "HS" and classify("loc-es", PLAIN).kind == "location"
    found = classify("CASE-0042", PLAIN)
    assert (found.kind, found.case_number) == ("case", 42)
    with pytest.raises(UnknownCode, match="CASE-X is not a storage case; case tags read CASE- and a number"):
        classify("CASE-X", PLAIN)
    with pytest.raises(UnknownCode):
        classify("CASE-", PLAIN)
