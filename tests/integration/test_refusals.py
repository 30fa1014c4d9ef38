"""Every refused scan is logged once with its reason; garbled scans get clear messages and change nothing."""

from __future__ import annotations

import pytest

from kiosk.services import circulation
from kiosk.services.refusals import record_refusal
from kiosk.workflow import Workflow
from models import Event, Station
from tests.integration.helpers import assert_check_clean, details, device_rows, events, loan_rows

# (set-up scans, the refused scan, words its message must contain)
REFUSALS = [
    ((), "NOTHING-HERE", "is not a known student, device, location or case"),
    ((), "CB1", "Scan the student's ID first"),
    ((), "S300", "is not active"),
    ((), "$FOO", "is not a kiosk command code"),
    ((), "$TRANSFER", "needs a technician"),
    ((), "$NOCHARGER", "does nothing in ISSUE mode"),
    ((), "LOC-HS", "That was a LOC- card"),
    ((), "CASE-0", "outside the storage range"),
    ((), "CASE-2", "is empty"),
    (("S100",), "CB9", "CB9 is not a known student, device"),
    (("S100",), "LOC-NOWHERE", "That was a LOC- card"),
    (("S101",), "CB5", "already issued to Ana Lopez (S100)"),
    (("S200", "CB2"), "CB3", "A warning is waiting"),
    (("$RETURN",), "CB2", "is not on loan"),
    (("$RETURN",), "S100", None),  # not a refusal: shows what the student holds
    (("$LOOKUP",), "LOC-MOON", "No location has code MOON"),
    (("$CASE",), "CB1", "That was a device; CASE mode expects"),
    ((), "", "The scan was empty"),
]


@pytest.mark.parametrize(("setup", "code", "words"), REFUSALS, ids=[r[1] or "empty" for r in REFUSALS])
def test_each_refused_scan_writes_exactly_one_rejected_event(district, setup, code, words):
    circulation.issue(district.operator, "S100", "CB5", config=district.config)
    w = Workflow(district.operator, district.config)
    for s in setup:
        w.handle(s)
    before = events("rejected")
    devices, loans = device_rows(), loan_rows()
    out = w.handle(code)
    after = events("rejected")
    if words is None:
        assert out.ok and after == before
        return
    assert not out.ok and (out.level, out.event) == ("error", "error")
    assert words in out.message
    assert len(after) == len(before) + 1
    new = after[-1]
    assert details(new) == {"scan": code, "reason": out.message, "mode": out.mode}
    assert (new.operator, new.station) == ("OP1", district.config.station)
    assert (device_rows(), loan_rows()) == (devices, loans)
    assert_check_clean()


GARBLED = [
    ("CB\x001", "The scan contained control characters, so it was garbled; scan it again."),
    ("\x1b[2~", "The scan contained control characters, so it was garbled; scan it again."),
    ("S1\u200b00", "The scan contained control characters, so it was garbled; scan it again."),
    ("\ud800CB1", "The scan contained control characters, so it was garbled; scan it again."),
    ("A" * 10_000, "The scan was 10000 characters long, more than any code kiosk knows; scan again, slowly."),
    ("", "The scan was empty; scan the barcode again."),
    (" \t\r\n", "The scan was empty; scan the barcode again."),
]


@pytest.mark.parametrize(
    ("raw", "message"), GARBLED, ids=["nul", "escape", "zero-width", "surrogate", "long", "empty", "blank"]
)
def test_garbled_scans_get_their_own_message_and_change_nothing(district, raw, message):
    w = Workflow(district.operator, district.config)
    w.handle("S100")
    devices, loans = device_rows(), loan_rows()
    count = Event.select().count()
    out = w.handle(raw)
    assert not out.ok and out.message == message
    assert (device_rows(), loan_rows()) == (devices, loans)
    assert Event.select().count() == count + 1
    logged = details(events("rejected")[-1])
    assert logged["reason"] == message and len(logged["scan"]) <= 201
    # the selected student survives a bad scan
    assert w.handle("CB1").event == "issued"
    assert_check_clean()


def test_a_refusal_is_logged_once_per_idempotency_key(district):
    first = record_refusal(district.operator, "XYZ", "no such code", mode="ISSUE", idem_key="r-1")
    again = record_refusal(district.operator, "XYZ", "no such code", mode="ISSUE", idem_key="r-1")
    assert first == again and len(events("rejected")) == 1
    long = record_refusal(district.operator, "Q" * 500, "too long", mode="ISSUE")
    logged = Event.get(Event.uuid == long)
    assert details(logged)["scan"] == "Q" * 200 + "…"
    assert Station.get(Station.name == district.config.station).last_hash == logged.hash
    assert_check_clean()
