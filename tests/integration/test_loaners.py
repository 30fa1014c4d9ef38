"""Loaners through the scan workflow: lent while the student's own device is in repair, collected when it is back."""

from __future__ import annotations

from kiosk.services import circulation, tickets
from kiosk.workflow import Workflow
from models import Loan
from tests.integration.helpers import assert_check_clean, details, events, problems


def scans(w: Workflow, *codes: str):
    return [w.handle(code) for code in codes]


def repaired(d, tag="CB1"):
    tickets.update_ticket(d.technician, tag, config=d.config, status="repaired")


def test_the_loaner_flow(district):
    w = Workflow(district.operator, district.config)
    scans(w, "S100", "CB1", "$RETURN", "$DAMAGED", "CB1")  # Ana's own Chromebook goes to repair
    student, loaner = scans(w, "$ISSUE", "S100", "CB2")[1:]
    assert student.message == "Ana Lopez: scan the device to issue."
    assert (
        loaner.level == "done"
        and loaner.message
        == "Issued CB2 to Ana Lopez as a LOANER while CB1 is in repair (moved here from STORE). Next student."
    )
    loan = Loan.get(Loan.returned_at.is_null())
    assert loan.loaner and loan.ticket.device.asset_tag == "CB1"
    assert details(events("issued")[-1])["covers"] == "CB1" and tickets.list_tickets()[0].loaner == "CB2"
    assert_check_clean()
    repaired(district)
    offer = scans(w, "S100", "CB1")[1]
    # The loaner does not count as a second Chromebook: the own device goes back, and the loaner is asked for.
    assert (offer.level, offer.event, offer.pending) == ("warn", "issued", True)
    assert offer.message == "Issued CB1 back to Ana Lopez. Collect loaner CB2: scan it (or $CONFIRM), or $CANCEL."
    assert sorted(offer.student.devices) == ["CB1", "CB2"]
    collected = w.handle("CB2")
    assert (collected.level, collected.event, collected.pending) == ("done", "returned", False)
    assert collected.message == "Loaner CB2 collected from Ana Lopez. Next student."
    assert collected.student.devices == ("CB1",) and collected.device.status == "available"
    assert w.tally.returned == 2 and w.tally.issued == 3
    assert_check_clean()


def test_the_offer_may_be_confirmed_or_declined(district):
    w = Workflow(district.operator, district.config)
    scans(w, "S100", "CB1", "$RETURN", "$DAMAGED", "CB1", "$ISSUE", "S100", "CB2")
    repaired(district)
    scans(w, "S100", "CB1")
    refused = w.handle("CB3")
    assert not refused.ok and "A warning is waiting" in refused.message
    declined = w.handle("$CANCEL")
    assert declined.event == "cancelled"
    assert Loan.get((Loan.returned_at.is_null()) & (Loan.loaner == True)).device.asset_tag == "CB2"
    # Later, at a return table, the loaner comes back like any device.
    back = scans(w, "$RETURN", "CB2")[1]
    assert back.event == "returned" and back.student.devices == ("CB1",)
    assert_check_clean()


def test_confirm_collects_the_loaner(district):
    w = Workflow(district.operator, district.config)
    scans(w, "S100", "CB1", "$RETURN", "$DAMAGED", "CB1", "$ISSUE", "S100", "CB2")
    repaired(district)
    scans(w, "S100", "CB1")
    assert w.handle("$CONFIRM").message == "Loaner CB2 collected from Ana Lopez. Next student."
    assert_check_clean()


def test_no_ticket_no_loaner(district):
    w = Workflow(district.operator, district.config)
    issued = scans(w, "S100", "CB1")[1]
    assert "LOANER" not in issued.message and not Loan.get().loaner
    # A device of another category is not a loaner for a Chromebook in repair.
    scans(w, "$RETURN", "$DAMAGED", "CB1", "$ISSUE")
    hotspot = scans(w, "S100", "HOT1")[1]
    assert hotspot.level == "done" and "LOANER" not in hotspot.message
    # The student's own repaired device without a loaner out: issued plainly, nothing to collect.
    repaired(district)
    back = scans(w, "S100", "CB1")[1]
    assert (back.level, back.pending) == ("done", False) and "LOANER" not in back.message
    assert_check_clean()


def test_a_loaner_returned_damaged_opens_its_own_ticket_and_charges_the_student(district):
    w = Workflow(district.operator, district.config)
    scans(w, "S100", "CB1", "$RETURN", "$DAMAGED", "CB1", "$ISSUE", "S100", "CB2")
    out = scans(w, "$RETURN", "$DAMAGED", "CB2")[2]
    assert "Damage fee $25.00 charged to Ana Lopez." in out.message
    assert [t.asset_tag for t in tickets.list_tickets()] == ["CB1", "CB2"]
    assert_check_clean()


def test_a_lost_loaner_is_charged_and_closes_its_loan(district):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    circulation.return_device(district.operator, "CB1", config=district.config, condition="damaged")
    circulation.issue(district.operator, "S100", "CB2", config=district.config)
    result = circulation.set_status(district.technician, "CB2", "lost", config=district.config)
    assert result.charge == "Loss fee $289.00 charged to Ana Lopez."
    assert_check_clean()


def test_check_sees_a_loaner_flag_changed_behind_the_programs_back(district):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    circulation.return_device(district.operator, "CB1", config=district.config, condition="damaged")
    circulation.issue(district.operator, "S100", "CB2", config=district.config)
    Loan.update(loaner=False, ticket=None).where(Loan.returned_at.is_null()).execute()
    assert any(p.startswith("loaner CB2: the ledger says it covers ticket") for p in problems())
