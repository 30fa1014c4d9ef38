"""circulation.issue: every check, every message, the silent move and idempotency (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.dto import Actor
from kiosk.errors import (
    CategoryAlreadyHeld,
    DeviceAlreadyIssued,
    DeviceNotIssuable,
    FeesOwed,
    InactivePerson,
    Ineligible,
    NeedsConfirmation,
    PermissionDenied,
    UnknownCode,
)
from kiosk.services import circulation
from models import CatalogItem, Loan, Operator, Person
from tests.integration.helpers import add_fee, assert_check_clean, details, device, device_rows, events, loan_rows


def issue(d, student, tag, *, actor=None, config=None, **kw):
    return circulation.issue(actor or d.operator, student, tag, config=config or d.config, **kw)


def test_issue_moves_the_device_from_storage_to_the_students_school(district):
    result = issue(district, "S100", "CB1")
    assert (result.device.asset_tag, result.device.status, result.device.holder) == ("CB1", "issued", "S100")
    assert result.device.site == "HS" and result.device.holder_name == "Ana Lopez"
    assert result.moved_from == "STORE"
    assert result.student.devices == ("CB1",) and result.student.id == "S100"
    assert result.confirmed == () and result.replayed is False
    row = device("CB1")
    assert (row.status, row.site.code, row.holder.district_id) == ("issued", "HS", "S100")
    assert [e.kind for e in events(asset_tag="CB1")] == ["device.added", "device.moved", "issued"]
    moved = events("device.moved", asset_tag="CB1")[0]
    assert (moved.from_site, moved.to_site, moved.operator) == ("STORE", "HS", "OP1")
    assert events("issued")[0].uuid == result.event_id
    loan = Loan.get(Loan.device == row)
    assert (loan.person.district_id, loan.issued_by, loan.issued_station, loan.returned_at) == (
        "S100", "OP1", "test-station", None,
    )  # fmt: skip
    assert_check_clean()


def test_issue_without_a_move_when_the_device_is_already_at_the_school(district):
    circulation.transfer(district.technician, ["HOT1"], "HS")
    result = issue(district, "S100", "HOT1")
    assert result.moved_from is None
    assert [e.kind for e in events(asset_tag="HOT1")] == ["device.added", "device.moved", "issued"]
    assert_check_clean()


def test_the_move_is_undone_with_a_refused_issue(district):
    """The move and the loan are one transaction: an issue refused at the last step leaves the device where it was."""
    # A loan row that bypassed the program: the partial unique index refuses the second open loan.
    Loan.create(device=device("CB1"), person=Person.get(Person.district_id == "S101"), issued_by="X")
    with pytest.raises(DeviceAlreadyIssued, match=r"CB1 is already issued to Ben Okafor \(S101\)"):
        issue(district, "S100", "CB1")
    assert device("CB1").site.code == "STORE"
    assert events("device.moved") == [] and events("issued") == []


def test_unknown_student(district):
    with pytest.raises(UnknownCode, match="No student or staff member has ID S999"):
        issue(district, "S999", "CB1")


def test_unknown_device(district):
    with pytest.raises(UnknownCode, match="No device has asset tag or serial CB99. Set it aside"):
        issue(district, "S100", "CB99")


def test_a_serial_number_is_accepted_for_the_device(district):
    result = issue(district, "S100", "5CD00003")
    assert result.device.asset_tag == "CB3"


def test_inactive_student(district):
    with pytest.raises(InactivePerson, match=r"Dev Patel \(S300\) is not active; send them to the office"):
        issue(district, "S300", "CB1")
    assert events("issued") == []


def test_device_already_issued_names_the_holder(district):
    issue(district, "S100", "CB1")
    with pytest.raises(DeviceAlreadyIssued) as err:
        issue(district, "S101", "CB1")
    assert "CB1 is already issued to Ana Lopez (S100) since " in err.value.message
    assert err.value.message.endswith("Return it first.")
    assert device("CB1").holder.district_id == "S100"
    assert_check_clean()


@pytest.mark.parametrize(("status", "shown"), [("damaged", "damaged"), ("lost", "lost"), ("in_repair", "in repair")])
def test_device_not_issuable(district, status, shown):
    circulation.set_status(district.technician, "CB2", status)
    with pytest.raises(DeviceNotIssuable, match=f"CB2 is {shown}; it cannot be issued. Set it aside"):
        issue(district, "S100", "CB2")
    assert device("CB2").status == status and device("CB2").holder is None


def test_ineligible_model_warns_then_issues_when_confirmed(district):
    with pytest.raises(NeedsConfirmation) as warning:
        issue(district, "S200", "CB1")
    assert warning.value.codes == ("ineligible",)
    assert "HP Chromebook 11 G9 EE is not meant for grade 03" in warning.value.message
    assert "$CONFIRM" in warning.value.message
    assert events("issued") == [] and device("CB1").status == "available"
    result = issue(district, "S200", "CB1", confirmed=("ineligible",))
    assert result.confirmed == ("ineligible",)
    assert result.device.site == "ES" and result.moved_from == "STORE"
    assert details(events("issued")[0]) == {"confirmed": ["ineligible"]}
    assert_check_clean()


def test_ineligible_for_the_school(district):
    CatalogItem.update(eligible_schools="ES").where(CatalogItem.name == "Kajeet SmartSpot").execute()
    with pytest.raises(NeedsConfirmation, match="not meant for school HS"):
        issue(district, "S100", "HOT1")


def test_eligibility_block_refuses(district):
    config = replace(district.config, eligibility="block")
    with pytest.raises(Ineligible, match="not meant for grade 10 .*Choose a device of the right model"):
        issue(district, "S100", "TB1", config=config)
    with pytest.raises(Ineligible):
        issue(district, "S100", "TB1", config=config, confirmed=("ineligible",))
    assert events("issued") == []


def test_category_already_held_blocks_an_operator(district):
    issue(district, "S100", "CB1")
    with pytest.raises(CategoryAlreadyHeld, match="Ana Lopez already holds chromebook CB1. Return it first, or call"):
        issue(district, "S100", "CB2")
    with pytest.raises(CategoryAlreadyHeld):
        issue(district, "S100", "CB2", confirmed=("category",))
    assert device("CB2").status == "available"
    # another category is fine
    assert issue(district, "S100", "HOT1").device.holder == "S100"


def test_category_already_held_is_a_warning_a_technician_overrides(district):
    issue(district, "S100", "CB1")
    with pytest.raises(NeedsConfirmation) as warning:
        issue(district, "S100", "CB2", actor=district.technician)
    assert warning.value.codes == ("category",)
    assert "already holds chromebook CB1" in warning.value.message
    result = issue(district, "S100", "CB2", actor=district.technician, confirmed=("category",))
    assert result.student.devices == ("CB1", "CB2")
    assert_check_clean()


def test_fees_owed_warn(district):
    add_fee("S101", 2500, station=district.config.station)
    with pytest.raises(NeedsConfirmation) as warning:
        issue(district, "S101", "CB1")
    assert warning.value.codes == ("fees",)
    assert warning.value.message == "Ben Okafor owes $25.00. Scan $CONFIRM to issue anyway."
    result = issue(district, "S101", "CB1", confirmed=("fees",))
    assert result.student.fees_owed_cents == 2500
    assert_check_clean()


def test_fees_owed_block(district):
    add_fee("S101", 1234, station=district.config.station)
    config = replace(district.config, owed_fees="block")
    with pytest.raises(FeesOwed, match=r"Ben Okafor owes \$12.34. Send the family to the office first"):
        issue(district, "S101", "CB1", config=config, confirmed=("fees",))
    assert device("CB1").status == "available"


def test_fees_owed_ignore_and_threshold(district):
    add_fee("S101", 2500, station=district.config.station)
    assert issue(district, "S101", "CB1", config=replace(district.config, owed_fees="ignore")).device.holder == "S101"
    # at or under the threshold nobody is warned
    assert issue(district, "S101", "HOT1", config=replace(district.config, owed_threshold_cents=2500)).confirmed == ()
    assert_check_clean()


def test_paid_fees_do_not_warn(district):
    add_fee("S101", 2500, station=district.config.station, status="waived")
    assert issue(district, "S101", "CB1").confirmed == ()


def test_every_pending_warning_is_named_and_each_must_be_confirmed(district):
    add_fee("S200", 500, station=district.config.station)
    with pytest.raises(NeedsConfirmation) as warning:
        issue(district, "S200", "CB1")
    assert warning.value.codes == ("ineligible", "fees") and len(warning.value.warnings) == 2
    with pytest.raises(NeedsConfirmation) as rest:
        issue(district, "S200", "CB1", confirmed=("ineligible",))
    assert rest.value.codes == ("fees",)
    assert issue(district, "S200", "CB1", confirmed=("ineligible", "fees")).confirmed == ("ineligible", "fees")
    assert_check_clean()


def test_idempotency_key_applies_an_issue_once(district):
    first = issue(district, "S100", "CB1", idem_key="scan-1")
    again = issue(district, "S100", "CB1", idem_key="scan-1")
    assert first.replayed is False and again.replayed is True
    assert again.event_id == first.event_id and again.device.holder == "S100"
    assert Loan.select().count() == 1 and len(events("issued")) == 1 and len(events("device.moved")) == 1
    assert_check_clean()


def test_issue_permissions_follow_the_database_not_the_actor(district):
    ghost = Actor("NOBODY", "No Body", "admin", district.config.station)
    with pytest.raises(PermissionDenied, match="Operator badge NOBODY is not active"):
        issue(district, "S100", "CB1", actor=ghost)
    Operator.update(active=False).where(Operator.badge == "OP1").execute()
    with pytest.raises(PermissionDenied, match="sign in again"):
        issue(district, "S100", "CB1")
    assert loan_rows() == [] and ("CB1", "available", "STORE", None) in device_rows()
