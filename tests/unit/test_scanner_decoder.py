"""Recorded evdev event streams replayed through the pure decoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.errors import BadInput
from kiosk.scanner.decoder import Decoder, KeyEvent, decode
from kiosk.scanner.settings import ScannerSettings, load_layout, parse_settings

DATA = Path(__file__).resolve().parents[1] / "data" / "scanner"


def replay(name: str) -> tuple[list[str], list[str]]:
    """(codes, discarded partials) from a recording; an ``{"unplug": true}`` line is the device vanishing."""
    decoder, codes, discarded = Decoder(), [], []
    for line in (DATA / name).read_text().splitlines():
        row = json.loads(line)
        if row.get("unplug"):
            discarded.append(decoder.reset())
            continue
        code = decoder.feed(KeyEvent(row["sec"], row["usec"], row["type"], row["code"], row["value"]))
        if code is not None:
            codes.append(code)
    return codes, discarded


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("normal_burst.jsonl", ["S100234", "CB-00917"]),
        ("shifted.jsonl", ["$RETURN", "ABc!"]),
        ("keypad.jsonl", ["1230", "789"]),
        ("iso_alt.jsonl", ["x<>\u00e9A"]),
        ("garbage_repeat.jsonl", ["S139"]),
    ],
)
def test_recordings_decode_to_exactly_the_expected_codes(name, codes):
    assert replay(name) == (codes, [])


def test_a_code_cut_by_an_unplug_is_discarded_and_the_next_one_is_whole():
    assert replay("cut_by_unplug.jsonl") == (["S100234", "CB-00917"], ["CB-009"])


def test_decode_drops_a_trailing_partial_code():
    events = [KeyEvent(0, 0, 1, 2, 1), KeyEvent(0, 0, 1, 2, 0)]
    assert decode(events) == []
    assert decode([*events, KeyEvent(0, 0, 1, 28, 1)]) == ["1"]


def test_alt_code_outside_unicode_is_dropped():
    events = [KeyEvent(0, 0, 1, 56, 1)] + [KeyEvent(0, 0, 1, 73, 1)] * 8 + [KeyEvent(0, 0, 1, 56, 0)]
    assert decode([*events, KeyEvent(0, 0, 1, 2, 1), KeyEvent(0, 0, 1, 28, 1)]) == ["1"]


def test_settings_parse_and_validate():
    assert parse_settings(None) == ScannerSettings(enabled=False)
    s = parse_settings({"vendor_product": "0C2E:0b61", "grab": False})
    assert s.enabled and s.ids == (0x0C2E, 0x0B61) and not s.grab
    with pytest.raises(BadInput, match="grab must be true or false, not 'yes'"):
        parse_settings({"grab": "yes"})
    with pytest.raises(BadInput, match="device must be a string, not 3"):
        parse_settings({"device": 3})
    with pytest.raises(BadInput, match="unknown key 'port'"):
        parse_settings({"port": "x"})
    with pytest.raises(BadInput, match="vendor_product must be four hex digits"):
        parse_settings({"vendor_product": "12345"})
    with pytest.raises(BadInput, match=r"\[scanner\] must be a table"):
        parse_settings("yes")


def test_other_layouts_need_xkbcommon():

    try:
        import xkbcommon  # noqa: F401
    except ImportError:
        with pytest.raises(BadInput, match=r"needs the optional xkbcommon package.*kiosk\[xkb\]"):
            load_layout("de")
    else:
        assert load_layout("de").char(21, shift=False, caps=False) == "z"  # German Y/Z swap
