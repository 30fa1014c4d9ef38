"""The scan state machine: whole scan sequences, one outcome per scan, check() clean afterwards."""

from __future__ import annotations

import pytest

from kiosk.errors import DatabaseUnavailable
from kiosk.outcome import Outcome
from kiosk.services import cases, circulation
from kiosk.workflow import Mode, Workflow
from models import Loan
from tests.integration.helpers import assert_check_clean, details, device, events


def session(d, who: str = "operator") -> Workflow:
    return Workflow(getattr(d, who), d.config)


def scan(w: Workflow, *codes: str) -> list[Outcome]:
    outcomes = [w.handle(code) for code in codes]
    assert all(isinstance(o, Outcome) and o.message for o in outcomes)
    return outcomes


def rejected_reasons() -> list[str]:
    return [details(e)["reason"] for e in events("rejected")]


def test_issue_flow(district):
    w = session(district)
    student, issued = scan(w, "S100", "CB1")
    assert (student.event, student.level, student.ok, student.mode) == ("student", "info", True, "ISSUE")
    assert student.student.id == "S100" and student.message == "Ana Lopez: scan the device to issue."
    assert (issued.event, issued.level) == ("issued", "done")
    assert issued.message == "Issued CB1 to Ana Lopez (moved here from STORE). Next student."
    assert issued.device.holder == "S100" and issued.student.devices == ("CB1",)
    assert issued.event_id == events("issued")[0].uuid
    assert w.student is None and w.tally.issued == 1 and w.tally.scans == 2
    as_json = issued.as_json()
    assert (as_json["event"], as_json["device"]["holder"], as_json["student"]["devices"]) == ("issued", "S100", ["CB1"])
    assert as_json["event_id"] == issued.event_id and "pending" not in as_json
    # the next device needs the next student
    refused = w.handle("CB2")
    assert (refused.ok, refused.level, refused.event) == (False, "error", "error")
    assert refused.message == "Scan the student's ID first, then the device."
    assert rejected_reasons() == [refused.message]
    assert_check_clean()


def test_a_storage_case_selects_its_student_for_issue(district):
    cases.assign_case(district.technician, "S101", config=district.config, number=4)
    w = session(district)
    selected, issued = scan(w, "CASE-4", "CB1")
    assert selected.event == "student" and selected.student.id == "S101"
    assert issued.event == "issued" and issued.device.holder == "S101"
    empty = w.handle("CASE-5")
    assert not empty.ok and empty.message == "CASE-5 is empty; scan the student's ID instead."


def test_an_inactive_student_is_refused_at_the_first_scan(district):
    out = session(district).handle("S300")
    assert not out.ok and out.message == "Dev Patel is not active; send them to the office."


def test_a_warning_confirmed(district):
    w = session(district)
    _, warning = scan(w, "S200", "CB1")
    assert (warning.level, warning.event, warning.ok, warning.pending) == ("warn", "confirm", True, True)
    assert "not meant for grade 03" in warning.message and warning.device.asset_tag == "CB1"
    assert events("issued") == [] and events("rejected") == []
    confirmed = w.handle("$CONFIRM")
    assert (confirmed.event, confirmed.level, confirmed.pending) == ("issued", "done", False)
    assert confirmed.device.holder == "S200" and w.pending is None
    assert details(events("issued")[0]) == {"confirmed": ["ineligible"]}
    assert_check_clean()


def test_a_warning_cancelled(district):
    w = session(district)
    scan(w, "S200", "CB1")
    cancelled = w.handle("$CANCEL")
    assert (cancelled.event, cancelled.ok, cancelled.pending) == ("cancelled", True, False)
    assert "nothing was recorded" in cancelled.message
    assert device("CB1").status == "available" and events("issued") == []
    assert w.handle("$CONFIRM").message == "Nothing is waiting for confirmation."
    assert_check_clean()


def test_a_scan_while_a_warning_waits_is_refused(district):
    w = session(district)
    scan(w, "S200", "CB1")
    for code in ("CB2", "S100", "$RETURN"):
        out = w.handle(code)
        assert not out.ok and out.pending
        assert out.message.startswith("A warning is waiting: HP Chromebook 11 G9 EE is not meant for grade 03")
        assert out.message.endswith("Scan $CONFIRM or $CANCEL first.")
    assert w.mode is Mode.ISSUE and len(events("rejected")) == 3
    issued = w.handle("$CONFIRM")
    assert issued.device.asset_tag == "CB1" and device("CB2").status == "available"
    assert_check_clean()


def test_lock_works_even_while_a_warning_waits(district):
    w = session(district)
    scan(w, "S200", "CB1")
    locked = w.handle("$LOCK")
    assert (locked.event, locked.ok, locked.pending, locked.student) == ("lock", True, False, None)
    assert locked.message == "Station locked. Sign in to continue."
    assert events("issued") == [] and events("rejected") == []
    assert w.handle("CB1").message == "Scan the student's ID first, then the device."


def test_category_override_by_a_technician_through_the_workflow(district):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    op = session(district)
    refused = scan(op, "S100", "CB2")[1]
    assert not refused.ok and "call a technician to override" in refused.message
    tech = session(district, "technician")
    warning = scan(tech, "S100", "CB2")[1]
    assert warning.level == "warn" and "$CONFIRM to override" in warning.message
    assert tech.handle("$CONFIRM").student.devices == ("CB1", "CB2")
    assert_check_clean()


def test_return_with_an_armed_condition_applies_to_the_next_device_only(district):
    for tag in ("CB1", "HOT1"):
        circulation.issue(district.operator, "S100", tag, config=district.config)
    w = session(district)
    mode, armed, damaged, good = scan(w, "$RETURN", "$DAMAGED", "CB1", "HOT1")
    assert (mode.event, mode.mode, mode.armed) == ("mode", "RETURN", "good")
    assert (armed.event, armed.armed, armed.message) == ("armed", "damaged", "Next device returns as DAMAGED.")
    assert (damaged.event, damaged.level, damaged.armed) == ("returned", "warn", "good")
    assert damaged.message.startswith("Returned CB1 from Ana Lopez as DAMAGED. Ticket ")
    assert "opened; it goes to repair. Free break used: no fee (0 left in " in damaged.message
    assert damaged.device.status == "in_repair"
    assert (good.level, good.message, good.device.status) == ("done", "Returned HOT1 from Ana Lopez.", "available")
    assert w.tally.returned == 2
    assert_check_clean()


def test_a_refused_return_clears_the_armed_condition(district):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    w = session(district)
    refused = scan(w, "$RETURN", "$DAMAGED", "CB2")[2]
    assert not refused.ok and refused.armed == "good"
    assert refused.message == (
        "CB2 is not on loan (it is available at STORE); nothing to return. "
        "The DAMAGED mark was cleared; scan it again before the next device."
    )
    assert w.handle("CB1").device.status == "available"
    assert_check_clean()


def test_return_mode_shows_a_student_and_cancel_disarms(district):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    w = session(district)
    student = scan(w, "$RETURN", "$LOST", "S100")[2]
    assert student.message == "Ana Lopez holds CB1. Scan the device." and student.armed == "lost"
    cancelled = w.handle("$CANCEL")
    assert cancelled.armed == "good" and cancelled.message == "Cleared. Scan the next device."
    assert w.handle("CB1").device.status == "available"


def test_transfer_with_a_destination_devices_and_done(district):
    w = session(district, "technician")
    mode, early, dest, first, second, done = scan(w, "$TRANSFER", "CB1", "LOC-ES", "CB1", "CB2", "$DONE")
    assert mode.mode == "TRANSFER" and mode.message == "TRANSFER mode. Scan the LOC- card of the destination."
    assert not early.ok and early.message == "Scan the LOC- card of the destination first."
    assert dest.event == "location" and dest.destination.code == "ES"
    assert dest.message == "Moving devices to Oak Elementary. Scan them, then $DONE."
    assert first.message == "CB1 moved to Oak Elementary (1 so far)." and first.moved == ("CB1",)
    assert second.moved == ("CB1", "CB2") and second.device.site == "ES"
    assert (done.event, done.level, done.message) == ("done", "done", "Transfer to Oak Elementary finished: 2 devices.")
    assert done.location.code == "ES" and done.destination is None and done.moved == ()
    assert (device("CB1").site.code, device("CB2").site.code) == ("ES", "ES")
    assert w.tally.transferred == 2
    assert_check_clean()


def test_a_device_already_at_the_destination_is_not_counted(district):
    w = session(district, "technician")
    first, again, there = scan(w, "$TRANSFER", "LOC-ES", "CB1", "CB1", "TB1")[2:]
    assert first.moved == ("CB1",) and again.moved == ("CB1",)
    assert again.message == "CB1 is already at Oak Elementary; nothing to move." and again.level == "info"
    assert there.message == "TB1 is already at Oak Elementary; nothing to move."
    assert w.handle("$DONE").message == "Transfer to Oak Elementary finished: 1 device."
    assert w.tally.transferred == 1 and len(events("device.moved")) == 1


def test_transfer_refusals_and_cancel(district):
    circulation.issue(district.operator, "S100", "CB3", config=district.config)
    w = session(district, "technician")
    unknown_site, _, on_loan, student, moved, cancel = scan(
        w, "$TRANSFER", "LOC-MARS", "LOC-ES", "CB3", "S100", "CB1", "$CANCEL"
    )[1:]
    assert unknown_site.message == "No location has code MARS. Scan a LOC- card printed by kiosk."
    assert on_loan.message == "CB3 is on loan to Ana Lopez; return it before moving it."
    assert student.message == "That was a student ID; TRANSFER mode expects a LOC- card, then devices."
    assert moved.ok and cancel.message == "Transfer closed after 1 device; what was moved stays moved."
    assert device("CB1").site.code == "ES" and device("CB3").site.code == "HS"
    assert_check_clean()


def test_lookup_mode(district):
    cases.assign_case(district.technician, "S100", config=district.config, number=1)
    w = session(district)
    mode, student, dev, case, loc, unknown, back = scan(
        w, "$LOOKUP", "S100", "CB1", "CASE-1", "LOC-HS", "NOTHING", "$ISSUE"
    )
    assert mode.mode == "LOOKUP" and mode.message == "LOOKUP mode. Scan anything to see it."
    assert (student.event, student.message, student.student.case_number) == ("lookup", "Student found.", 1)
    assert (dev.message, dev.device.asset_tag, dev.student) == ("Device found.", "CB1", None)
    assert case.case.student.id == "S100" and loc.location.code == "HS"
    assert not unknown.ok and "NOTHING is not a known student" in unknown.message
    assert back.mode == "ISSUE"
    assert events("issued") == []


def test_case_mode_both_directions(district):
    cases.assign_case(district.technician, "S101", config=district.config, number=4)
    w = session(district)
    mode, has, tag, empty, none, wrong = scan(w, "$CASE", "S101", "CASE-4", "CASE-5", "S100", "CB1")
    assert mode.mode == "CASE"
    assert has.message == "Ben Okafor: CASE 4." and has.case.number == 4
    assert tag.message == "CASE-4 belongs to Ben Okafor." and tag.student.id == "S101"
    assert empty.message == "CASE-5 is empty." and empty.case.student is None and empty.student is None
    assert none.message == "Ana Lopez has no storage case." and none.case is None
    assert not wrong.ok and wrong.message == "That was a device; CASE mode expects a student ID or a CASE- tag."
    out_of_range = w.handle("CASE-999")
    assert not out_of_range.ok and "outside the storage range 1-20" in out_of_range.message


def test_status_mode(district):
    circulation.issue(district.operator, "S100", "CB3", config=district.config)
    w = session(district, "technician")
    mode, early, armed, first, issued = scan(w, "$STATUS", "CB1", "$LOST", "CB1", "CB3")
    assert mode.message == "STATUS mode. Scan a status code, then the devices."
    assert not early.ok and early.message.startswith("Scan a status code ($LOST, $STOLEN")
    assert (armed.armed, armed.message) == ("lost", "Devices scanned now become LOST.")
    assert first.message == "CB1: available -> lost." and first.armed == "lost"
    # The holder pays the loss: the model's replacement cost ($289.00), no depreciation by default.
    assert (
        issued.message == "CB3: issued -> lost. Loss fee $289.00 charged to Ana Lopez." and issued.device.holder is None
    )
    repair, on_loan = scan(w, "$INREPAIR", "CB1")
    assert repair.armed == "in_repair" and on_loan.message == "CB1: lost -> in repair."
    assert not w.handle("CB1").ok  # already in repair
    assert Loan.get().returned_at is not None
    assert_check_clean()


@pytest.mark.parametrize("code", ["$TRANSFER", "$STATUS", "$AUDIT"])
def test_modes_refused_for_an_operator(district, code):
    w = session(district)
    out = w.handle(code)
    assert not out.ok and out.mode == "ISSUE" and w.mode is Mode.ISSUE
    assert out.message == f"{code[1:]} needs a technician; call one over."
    assert rejected_reasons() == [out.message]


def test_switch_follows_the_same_rules(district):
    w = session(district)
    assert w.switch(Mode.RETURN).mode == "RETURN"
    assert not w.switch(Mode.TRANSFER).ok and w.mode is Mode.RETURN


def test_unknown_commands_and_codes_out_of_place(district):
    w = session(district)
    unknown, good, done, loc = scan(w, "$FOO", "$GOOD", "$DONE", "LOC-HS")
    assert unknown.message == "$FOO is not a kiosk command code; use the printed command sheet."
    assert good.message == "$GOOD does nothing in ISSUE mode."
    assert done.ok and done.message == "Done. Scan the next student."
    assert loc.message == "That was a LOC- card; ISSUE mode expects a student ID, then a device."
    w.handle("$STATUS")  # refused for an operator: still ISSUE
    assert w.handle("$return").mode == "RETURN"  # commands are read case-insensitively
    assert w.handle("LOC-HS").message == "That was a LOC- card; RETURN mode expects a device."
    assert w.handle("CASE-1").message == "That was a CASE- tag; RETURN mode expects a device."
    assert w.handle("$INREPAIR").message == "$INREPAIR does nothing in RETURN mode."
    assert len(rejected_reasons()) == 7
    assert_check_clean()


def test_lock(district):
    w = session(district)
    w.handle("S100")
    locked = w.handle("$LOCK")
    assert (locked.event, locked.ok, locked.student) == ("lock", True, None)
    assert w.student is None


def test_a_retried_scan_is_applied_once(district):
    """A station that lost its connection sends the same scan again with the same idempotency key."""
    w = session(district)
    w.handle("S100")
    first = w.handle("CB1", idem_key="scan-42")
    w.handle("S100")
    again = w.handle("CB1", idem_key="scan-42")
    assert first.event == again.event == "issued" and first.event_id == again.event_id
    assert Loan.select().count() == 1 and len(events("issued")) == 1
    refused = w.handle("CB1", idem_key="scan-43")
    w.handle("S100")
    retried = w.handle("CB1", idem_key="scan-43")
    assert refused.message == "Scan the student's ID first, then the device."
    assert retried.message == refused.message and not retried.ok
    assert len(events("rejected")) == 1
    assert_check_clean()


def test_one_outcome_per_scan_over_a_whole_shift(district):
    codes = [
        "S100", "CB1", "S101", "CB1", "CB2", "$RETURN", "$NOCHARGER", "CB1", "CB1", "$DAMAGED", "CB2",
        "$LOOKUP", "CB2", "HS", "$ISSUE", "S200", "TB1", "$CANCEL", "S200", "TB1", "$CONFIRM", "",
        "\x07", "$CASE", "S100", "$LOCK",
    ]  # fmt: skip
    w = session(district)
    outcomes = scan(w, *codes)
    assert len(outcomes) == len(codes) == w.tally.scans
    refused = [o for o in outcomes if not o.ok]
    assert len(refused) == len(events("rejected")) == w.tally.refused
    assert [details(e)["reason"] for e in events("rejected")] == [o.message for o in refused]
    assert w.tally.issued == 3 and w.tally.returned == 2
    assert_check_clean()


def _fail_once(monkeypatch, name):
    """The database drops the connection during the next call of circulation.<name>, then answers again."""
    real = getattr(circulation, name)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseUnavailable("The database did not answer: gone. Nothing was recorded; scan again.")
        return real(*args, **kwargs)

    monkeypatch.setattr(circulation, name, flaky)


def test_a_warning_survives_a_database_hiccup_on_confirm(district, monkeypatch):
    w = session(district)
    scan(w, "S200", "CB1")
    _fail_once(monkeypatch, "issue")
    hiccup = w.handle("$CONFIRM")
    assert (hiccup.ok, hiccup.pending) == (False, True) and "Nothing was recorded; scan again" in hiccup.message
    assert events("rejected") == []  # nothing could be written; the outcome still says what happened
    assert w.handle("$CONFIRM").event == "issued"
    assert_check_clean()


def test_an_armed_condition_survives_a_database_hiccup(district, monkeypatch):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    w = session(district)
    scan(w, "$RETURN", "$DAMAGED")
    _fail_once(monkeypatch, "return_device")
    hiccup = w.handle("CB1")
    assert not hiccup.ok and hiccup.armed == "damaged"
    assert w.handle("CB1").device.status == "in_repair"
    assert_check_clean()
