"""Physical audits through the scan workflow: every result category, duplicates, cases, abandoning, refusals."""

from __future__ import annotations

import pytest
from peewee import IntegrityError

from kiosk.db import atomic
from kiosk.errors import PermissionDenied
from kiosk.services import audits, cases, circulation
from kiosk.workflow import Mode, Workflow
from models import Audit, AuditScan, Site
from tests.integration.helpers import assert_check_clean, details, device_rows, events

OPEN_ELSEWHERE = (
    "The audit of Central Storage is open: scan $DONE to finish it (or $CANCEL to abandon it) before starting another."
)


def tech(d) -> Workflow:
    return Workflow(d.technician, d.config)


def scan(w: Workflow, *codes: str):
    return [w.handle(code) for code in codes]


def counts(outcome) -> dict:
    return dict(outcome.audit.counts)


def test_a_full_audit_of_storage_finds_every_category_and_changes_nothing(district):
    circulation.issue(district.operator, "S100", "CB3", config=district.config)  # on loan, yet on the shelf
    before = device_rows()
    w = tech(district)
    mode, start = scan(w, "$AUDIT", "LOC-STORE")
    assert mode.mode == "AUDIT" and "LOC- card of the site to audit" in mode.message
    assert start.message.startswith("Audit of Central Storage started: 5 devices expected.")
    assert counts(start) == {"verified": 0, "missing": 5, "misplaced": 0, "on_loan": 0, "unknown": 0}
    verified, again, by_serial, misplaced, on_loan, unknown = scan(w, "CB1", "CB1", "5CD00002", "TB1", "CB3", "X-404")
    assert (verified.level, verified.message) == ("done", "Verified: CB1 (HP Chromebook 11 G9 EE). 1 verified so far.")
    assert again.level == "info" and again.message == "CB1 was already counted (HP Chromebook 11 G9 EE)."
    assert by_serial.message.startswith("Verified: CB2")  # the serial number is the same device
    assert misplaced.level == "warn" and misplaced.message.startswith("Misplaced: TB1 (recorded available at ES)")
    assert on_loan.level == "warn" and on_loan.message.startswith("On loan but found: CB3 (issued to S100)")
    assert unknown.message == "Unknown: X-404 is not in the inventory; set it aside for review."
    assert counts(unknown) == {"verified": 2, "missing": 3, "misplaced": 1, "on_loan": 1, "unknown": 1}
    assert [line.code for line in unknown.audit.recent[:2]] == ["X-404", "CB3"]
    (done,) = scan(w, "$DONE")
    assert (done.level, done.event) == ("done", "done")
    assert done.message == (
        "Audit of Central Storage finished: 2 verified, 3 missing, 1 misplaced, 1 on loan but found, 1 unknown."
    )
    assert done.audit.status == "finished" and w.auditor.audit is None
    result = audits.audit_result(done.audit.id)
    assert [line.code for line in result.category("missing")] == ["CB4", "CB5", "HOT1"]
    assert [line.code for line in result.category("verified")] == ["CB1", "CB2"]
    assert result.card.expected == 5
    assert AuditScan.select().where(AuditScan.code == "CB1").count() == 1
    assert device_rows() == before
    started, finished = events("audit.started"), events("audit.finished")
    assert len(started) == 1 and started[0].to_site == "STORE" and details(started[0]) == {"audit": done.audit.id}
    assert details(finished[0])["missing"] == 3 and details(finished[0])["unknown"] == 1
    assert_check_clean()


def test_the_outcome_carries_the_counts_as_json(district):
    w = tech(district)
    *_, out = scan(w, "$AUDIT", "LOC-ES", "TB1")
    body = out.as_json()["audit"]
    assert body["site"] == "ES" and body["counts"]["verified"] == 1 and body["status"] == "open"
    assert body["recent"][0]["code"] == "TB1"


def test_an_abandoned_audit_records_nothing_as_resolved(district):
    before = device_rows()
    w = tech(district)
    scan(w, "$AUDIT", "LOC-STORE", "CB1", "TB1")
    left = w.handle("$ISSUE")
    assert "The audit of Central Storage stays open: scan LOC-STORE in AUDIT mode to go on." in left.message
    other = tech(district)  # another station (or the same one after a lock) goes on with it
    _, joined = scan(other, "$AUDIT", "LOC-STORE")
    assert joined.message.startswith("Audit of Central Storage goes on (1 verified, 5 missing, 1 misplaced")
    ask = other.handle("$CANCEL")
    assert ask.level == "warn" and ask.pending and ask.message.startswith("Abandon the audit of Central Storage")
    kept = other.handle("$CANCEL")
    assert kept.ok and Audit.get().status == "open"
    other.handle("$CANCEL")
    gone = other.handle("$CONFIRM")
    assert gone.message == "Audit of Central Storage abandoned; nothing was changed."
    audit = Audit.get()
    assert audit.status == "abandoned" and audit.finished_by == "TE1"
    assert AuditScan.select().where(AuditScan.result == "missing").count() == 0
    assert AuditScan.select().where(AuditScan.resolution.is_null(False)).count() == 0
    assert device_rows() == before
    assert len(events("audit.abandoned")) == 1
    assert audits.latest_audit("STORE") is None
    again = other.handle("CB2")
    assert not again.ok and again.message == "Scan the LOC- card of the site to audit first."
    assert_check_clean()


def test_a_finished_audit_refuses_the_other_station_still_scanning_into_it(district):
    first, second = tech(district), tech(district)
    scan(first, "$AUDIT", "LOC-STORE")
    scan(second, "$AUDIT", "LOC-STORE", "CB1")
    scan(first, "$DONE")
    late = second.handle("CB2")
    assert not late.ok and "was finished by TE1; scan LOC-STORE to start a new one" in late.message
    assert AuditScan.get_or_none(AuditScan.code == "CB2").result == "missing"


def test_storage_cases_hold_the_device_the_records_say(district):
    cases.assign_case(district.technician, "S100", config=district.config, number=7)
    circulation.issue(district.operator, "S100", "CB3", config=district.config)
    w = tech(district)
    start = scan(w, "$AUDIT", "LOC-STORE")[-1]
    assert "Scan a CASE- tag before the device in it." in start.message
    armed = w.handle("CASE-7")
    assert armed.message == "CASE-7 (Ana Lopez's): scan the device in it." and armed.audit.case == 7
    assert not w.handle("S100").ok  # a refused scan leaves the case armed for the device
    right = w.handle("CB3")
    assert right.level == "done" and right.message.startswith("Verified: CB3 (in CASE-7)")
    wrong = scan(w, "CASE-7", "CB4")[-1]
    assert wrong.level == "warn"
    assert "CASE-7 is Ana Lopez's (S100) but the device is not on loan" in wrong.message
    empty = scan(w, "CASE-3", "CB5")[-1]
    assert "CASE-3 is empty in the records" in empty.message
    cleared = scan(w, "CASE-3", "$CANCEL")[-1]
    assert cleared.message == "Case cleared. Scan the next device or CASE- tag." and not cleared.pending
    (done,) = scan(w, "$DONE")
    result = audits.audit_result(done.audit.id)
    assert [(line.code, line.case_number) for line in result.case_problems] == [("CB4", 7), ("CB5", 3)]
    assert [line.code for line in result.category("verified")] == ["CB3", "CB4", "CB5"]


def test_cases_are_checked_only_in_storage_audits(district):
    w = tech(district)
    out = scan(w, "$AUDIT", "LOC-ES", "CASE-1")[-1]
    assert (
        not out.ok and out.message == "Oak Elementary is not a storage site; cases are checked only in storage audits."
    )


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["LOC-NOWHERE"], "No location has code NOWHERE. Scan a LOC- card printed by kiosk."),
        (["LOC-STORE", "S100"], "S100 is a student ID; AUDIT mode counts devices. Scan the next device."),
        (
            ["LOC-STORE", "LOC-ES"],
            OPEN_ELSEWHERE,
        ),
        (["LOC-STORE", "CASE-999"], "CASE-999 is outside the storage range 1-20; check the tag."),
        (["$DAMAGED"], "$DAMAGED does nothing in AUDIT mode."),
    ],
)
def test_bad_scans_are_refused_with_a_reason_and_logged(district, codes, message):
    w = tech(district)
    w.handle("$AUDIT")
    *_, out = scan(w, *codes)
    assert not out.ok and out.level == "error" and out.message == message
    assert details(events("rejected")[-1])["reason"] == message
    assert AuditScan.select().count() == 0


def test_a_retried_scan_is_counted_once(district):
    w = tech(district)
    scan(w, "$AUDIT", "LOC-STORE")
    first = w.handle("CB1", idem_key="k-1")
    retry = w.handle("CB1", idem_key="k-1")
    assert first.message == retry.message and retry.level == "done"
    assert AuditScan.select().count() == 1


def test_operators_may_not_audit(district):
    with pytest.raises(PermissionDenied, match="A technician is needed for audit"):
        audits.start_audit(district.operator, "STORE")
    assert Workflow(district.operator, district.config).switch(Mode.AUDIT).message == (
        "AUDIT needs a technician; call one over."
    )


def test_audit_history_and_the_latest_audit_of_a_site(district):
    w = tech(district)
    scan(w, "$AUDIT", "LOC-ES", "TB1", "$DONE")
    scan(w, "LOC-ES", "$DONE")
    scan(w, "LOC-ES")  # still open: not the latest finished one
    history = audits.list_audits("ES")
    assert [(card.status, card.count("verified"), card.count("missing")) for card in history] == [
        ("open", 0, 1), ("finished", 0, 1), ("finished", 1, 0),
    ]  # fmt: skip
    latest = audits.latest_audit("es")
    assert latest.card.id == history[1].id and [line.code for line in latest.category("missing")] == ["TB1"]
    assert audits.latest_audit("HS") is None


def test_the_database_refuses_a_second_open_audit_of_a_site(district):
    audits.start_audit(district.technician, "STORE")
    with pytest.raises(IntegrityError), atomic():
        Audit.create(site=Site.get(Site.code == "STORE"), started_by="TE1")
    assert audits.start_audit(district.technician, "STORE")[1] is True  # joined, not a second audit
