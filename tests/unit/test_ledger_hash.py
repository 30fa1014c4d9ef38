"""The hash that chains a station's events."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid as uuidlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.ledger import GENESIS, canonical_details, event_hash, new_uuid

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


def _reference_hash(row: dict) -> str:
    """The hash as first defined: json.dumps of the field list (kept here to pin the format)."""
    at = row["at"]
    payload = [row["uuid"], row["station"], row["seq"], at.isoformat(timespec="microseconds"), row.get("operator"),
               row["kind"], row.get("asset_tag"), row.get("person"), row.get("from_site"), row.get("to_site"),
               row.get("details") or "{}", row.get("idem_key"), row["prev_hash"]]  # fmt: skip
    return hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()


_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    uuid=_text,
    station=_text,
    seq=st.integers(min_value=0, max_value=2**62),
    operator=st.none() | _text,
    kind=_text,
    asset_tag=st.none() | _text,
    details=st.dictionaries(_text, st.none() | _text | st.integers() | st.booleans(), max_size=4),
    idem_key=st.none() | _text,
)
def test_the_hash_bytes_never_change(uuid, station, seq, operator, kind, asset_tag, details, idem_key):
    row = dict(ROW, uuid=uuid, station=station, seq=seq, operator=operator, kind=kind, asset_tag=asset_tag,
               details=canonical_details(details), idem_key=idem_key)  # fmt: skip
    assert event_hash(row) == _reference_hash(row)


def test_canonical_details_match_sorted_compact_json():
    details = {"b": 1, "a": "José", "c": None, "d": [1, "x"], "e": dt.date(2026, 1, 2)}
    expected = json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    assert canonical_details(details) == expected
    assert canonical_details({}) == canonical_details(None) == "{}"


def test_event_uuids_are_version_7_and_sort_by_time():
    first = new_uuid()
    time.sleep(0.002)
    later = [new_uuid() for _ in range(1000)]
    parsed = uuidlib.UUID(first)
    assert parsed.version == 7 and parsed.variant == uuidlib.RFC_4122
    assert str(parsed) == first
    assert all(first < value for value in later)
    assert len(set(later)) == 1000
    millis = int(first.replace("-", "")[:12], 16)
    assert abs(millis - time.time() * 1000) < 60_000
