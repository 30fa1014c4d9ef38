"""The hash that chains a station's events."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.ledger import GENESIS, canonical_details, event_hash

ROW = {
    "uuid": "0b6c1f0e-0000-4000-8000-000000000001",
    "station": "desk-1",
    "seq": 1,
    "at": dt.datetime(2026, 8, 20, 14, 3, 7, 120000),
    "operator": "OP1",
    "kind": "issued",
    "asset_tag": "CB1",
    "person": "S100",
    "from_site": None,
    "to_site": "HS",
    "details": "{}",
    "idem_key": "k1",
    "prev_hash": GENESIS,
}


def test_the_hash_is_a_stable_sha256():
    digest = event_hash(ROW)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert event_hash(dict(ROW)) == digest


@pytest.mark.parametrize(
    ("field", "value"),
    [("uuid", "x"), ("station", "desk-2"), ("seq", 2), ("at", dt.datetime(2026, 8, 20, 14, 3, 7, 120001)),
     ("operator", "OP2"), ("operator", None), ("kind", "returned"), ("asset_tag", "CB2"), ("person", "S101"),
     ("from_site", "STORE"), ("to_site", "ES"), ("details", '{"a":1}'), ("idem_key", None), ("prev_hash", "1" * 64)],
)  # fmt: skip
def test_every_field_is_covered(field, value):
    assert event_hash({**ROW, field: value}) != event_hash(ROW)


def test_a_time_read_back_without_microseconds_hashes_the_same():
    whole = {**ROW, "at": dt.datetime(2026, 8, 20, 14, 3, 7)}
    assert event_hash(whole) == event_hash({**whole, "at": dt.datetime(2026, 8, 20, 14, 3, 7, 0)})
    assert event_hash({**ROW, "details": None}) == event_hash({**ROW, "details": "{}"})


def test_canonical_details():
    assert canonical_details({"b": 1, "a": [2, "é"]}) == '{"a":[2,"é"],"b":1}'
    assert canonical_details(None) == canonical_details({}) == "{}"
    assert canonical_details({"at": dt.date(2026, 1, 2)}) == '{"at":"2026-01-02"}'
    assert canonical_details({"scan": "CB\x001"}) == '{"scan":"CB\\u00001"}'
    # a lone surrogate (a garbled byte read with surrogateescape) is kept visible, never a crash at INSERT
    stored = canonical_details({"scan": "\udcffCB1"})
    stored.encode("utf-8")
    assert stored == '{"scan":"\\udcffCB1"}'
