"""Resolving audits: moving misplaced devices, marking devices missing N audits in a row lost, needs review."""

from __future__ import annotations

import pytest

from kiosk.errors import BadInput, DomainError, PermissionDenied
from kiosk.services import audit_resolve, circulation, inventory
from kiosk.workflow import Workflow
from models import AuditScan, Fee, Loan
from tests.integration.helpers import assert_check_clean, details, device, device_rows, events


def audit(d, site: str, *codes: str) -> int:
    """One finished audit of ``site`` in which ``codes`` were scanned; returns its number."""
    w = Workflow(d.technician, d.config)
    for code in ("$AUDIT", f"LOC-{site}", *codes):
        assert w.handle(code).ok
    done = w.handle("$DONE")
    assert done.event == "done", done.message
    return done.audit.id


def resolve(d, number: int, action: str, *codes: str, **kw):
    return audit_resolve.resolve(d.technician, number, action, codes, config=d.config, **kw)


def test_move_brings_misplaced_devices_here_with_their_events(district):
    number = audit(district, "STORE", "TB1", "CB1")
    result = resolve(district, number, "move")
    assert result.done == (("TB1", "moved from ES to STORE"),) and result.skipped == ()
    assert device("TB1").site.code == "STORE"
    (moved,) = events("device.moved", asset_tag="TB1")
    assert (moved.from_site, moved.to_site, details(moved)) == ("ES", "STORE", {"audit": number, "reason": "audit"})
    row = AuditScan.get(AuditScan.code == "TB1")
    assert (row.resolution, row.resolved_by, row.resolved_event) == ("moved", "TE1", moved.uuid)
    assert resolve(district, number, "move").done == ()  # resolved lines are not resolved twice
    assert_check_clean()


def test_move_skips_a_device_issued_since_the_audit(district):
    number = audit(district, "STORE", "TB1")
    circulation.issue(district.operator, "S200", "TB1", config=district.config, confirmed=("ineligible",))
    result = resolve(district, number, "move")
    assert result.done == () and result.skipped == (("TB1", "on loan to Cara Nguyen now; return it first"),)
    with pytest.raises(DomainError, match="Nothing was changed: TB1 is on loan to Cara Nguyen now"):
        resolve(district, number, "move", "TB1")


def test_named_codes_must_all_be_resolvable_or_nothing_changes(district):
    number = audit(district, "STORE", "TB1", "CB1")
    before = device_rows()
    with pytest.raises(DomainError) as refused:
        resolve(district, number, "move", "TB1", "CB1", "NOPE")
    assert str(refused.value) == (
        f"Nothing was changed: CB1 is verified, not misplaced; NOPE is not in audit {number}."
    )
    assert device_rows() == before and not events("device.moved")
    with pytest.raises(BadInput, match="Unknown resolution 'fix'; use move, lost or review."):
        resolve(district, number, "fix")
    with pytest.raises(DomainError, match="There is no audit number 999"):
        resolve(district, 999, "move")


def test_open_and_abandoned_audits_cannot_be_resolved(district):
    w = Workflow(district.technician, district.config)
    for code in ("$AUDIT", "LOC-STORE", "TB1"):
        w.handle(code)
    number = w.auditor.audit.id
    with pytest.raises(DomainError, match=f"Audit {number} of STORE is open; only a finished audit can be resolved."):
        resolve(district, number, "move")
    w.handle("$CANCEL")
    w.handle("$CONFIRM")
    with pytest.raises(DomainError, match="is abandoned; only a finished audit"):
        resolve(district, number, "move")
    assert device("TB1").site.code == "ES"


def test_missing_three_audits_in_a_row_is_lost_without_a_fee_in_district_hands(district):
    everything = ("CB1", "CB2", "CB3", "CB4", "HOT1")
    audit(district, "STORE", *everything)
    audit(district, "STORE", *everything[:-1])
    third = audit(district, "STORE", *everything[:-1])
    result = resolve(district, third, "lost")
    assert result.done == (("CB5", "marked lost"),)  # CB5 was never scanned
    assert result.skipped == (("HOT1", "missing in 2 audits in a row; 3 are needed"),)
    assert device("CB5").status == "lost" and device("HOT1").status == "available"
    (status,) = events("status", asset_tag="CB5")
    assert details(status)["status"] == "lost" and "missing in 3 audits of STORE in a row" in details(status)["note"]
    assert status.person is None and not Fee.select().exists()
    assert resolve(district, third, "lost", lost_after=2).done == (("HOT1", "marked lost"),)
    assert_check_clean()


def test_lost_applies_the_fee_policy_to_the_holder_when_the_device_is_on_loan(district):
    for _ in range(3):
        last = audit(district, "STORE", "CB1", "CB2", "CB3", "CB4", "HOT1")
    circulation.issue(district.operator, "S101", "CB5", config=district.config)
    result = resolve(district, last, "lost", "CB5")
    assert result.done[0][0] == "CB5" and "Loss fee" in result.done[0][1] and "Ben Okafor" in result.done[0][1]
    fee = Fee.get()
    assert (fee.person.district_id, fee.kind, fee.amount_cents > 0) == ("S101", "loss", True)
    assert not Loan.select().where(Loan.returned_at.is_null()).exists()
    assert (device("CB5").status, device("CB5").holder) == ("lost", None)
    assert_check_clean()


def test_lost_is_resolved_from_the_latest_audit_only(district):
    first = audit(district, "STORE")
    audit(district, "STORE")
    with pytest.raises(DomainError, match=f"Audit {first} is not the latest audit of STORE"):
        resolve(district, first, "lost")


def test_unknown_tags_go_to_the_needs_review_list(district):
    number = audit(district, "ES", "TB1", "Z-1", "Z-2")
    result = resolve(district, number, "review", "z-1")
    assert result.done == (("Z-1", "sent to the needs-review list"),)
    (event,) = events("audit.review")
    assert details(event) == {"audit": number, "code": "Z-1"} and event.asset_tag is None
    assert [(i.code, i.site, i.audit, i.sent_by) for i in audit_resolve.review_list()] == [("Z-1", "ES", number, "TE1")]
    assert resolve(district, number, "review").done == (("Z-2", "sent to the needs-review list"),)
    inventory.add_device("Z-1", "SER-Z1", "Kajeet SmartSpot", "ES", station=district.config.station)
    assert [i.code for i in audit_resolve.review_list()] == ["Z-2"]
    assert [i.now_known for i in audit_resolve.review_list(include_known=True)] == [False, True]
    assert_check_clean()


def test_only_technicians_resolve(district):
    number = audit(district, "STORE", "TB1")
    with pytest.raises(PermissionDenied):
        audit_resolve.resolve(district.operator, number, "move", config=district.config)
    assert device("TB1").site.code == "ES"
