"""circulation.return_device, transfer and set_status (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.errors import (
    BadInput,
    DeviceAlreadyIssued,
    DeviceNotIssuable,
    DeviceNotOnLoan,
    DomainError,
    PermissionDenied,
    UnknownCode,
)
from kiosk.services import circulation
from kiosk.services.refusals import record_refusal
from models import Loan
from tests.integration.helpers import assert_check_clean, details, device, device_rows, events, loan_rows


def lend(d, student="S100", tag="CB1"):
    return circulation.issue(d.operator, student, tag, config=d.config, confirmed=("ineligible",))


def give_back(d, tag="CB1", condition="good", **kw):
    return circulation.return_device(d.operator, tag, config=d.config, condition=condition, **kw)


# -- return ---------------------------------------------------------------------


def test_good_return_makes_the_device_available_at_the_station_site(district):
    lend(district, "S200", "TB1")  # TB1 is at ES, where S200 goes to school
    result = give_back(district, "TB1")
    assert (result.device.status, result.device.site, result.device.holder) == ("available", "HS", None)
    assert result.condition == "good" and result.replayed is False
    assert result.student.id == "S200" and result.student.devices == ()
    loan = Loan.get()
    assert loan.returned_at is not None and (loan.returned_by, loan.condition_in) == ("OP1", "good")
    event = events("returned")[0]
    assert (event.person, event.from_site, event.to_site) == ("S200", "ES", "HS")
    assert details(event) == {"condition": "good", "status": "available"}
    assert result.event_id == event.uuid
    assert_check_clean()


@pytest.mark.parametrize(
    ("condition", "status", "site"),
    [("damaged", "in_repair", "HS"), ("nocharger", "available", "HS"), ("lost", "lost", "HS")],
)
def test_return_conditions(district, condition, status, site):
    lend(district)
    result = give_back(district, condition=condition)
    assert (result.device.status, result.device.site, result.device.holder) == (status, site, None)
    assert Loan.get().condition_in == condition
    assert details(events("returned")[0])["condition"] == condition
    assert_check_clean()


def test_a_device_returned_as_lost_is_not_said_to_be_at_the_station(district):
    """It never reached the desk: it stays recorded where it was issued (behaviour fixed: it used to 'arrive' here)."""
    lend(district, "S200", "TB1")
    result = give_back(district, "TB1", condition="lost")
    assert (result.device.status, result.device.site) == ("lost", "ES")
    assert_check_clean()


def test_returning_a_device_not_on_loan(district):
    with pytest.raises(DeviceNotOnLoan, match=r"CB1 is not on loan \(it is available at STORE\); nothing to return"):
        give_back(district)
    lend(district)
    give_back(district)
    with pytest.raises(DeviceNotOnLoan, match="it is available at HS"):
        give_back(district)
    assert len(events("returned")) == 1


def test_return_of_an_unknown_device_or_condition(district):
    with pytest.raises(UnknownCode, match="No device has asset tag or serial ZZ9"):
        give_back(district, "ZZ9")
    with pytest.raises(BadInput, match="Unknown return condition 'broken'"):
        give_back(district, condition="broken")


def test_return_idempotency_key(district):
    lend(district)
    first = give_back(district, condition="damaged", idem_key="ret-1")
    again = give_back(district, condition="damaged", idem_key="ret-1")
    assert again.replayed is True and again.event_id == first.event_id
    assert again.condition == "damaged" and again.device.status == "in_repair"
    assert len(events("returned")) == 1 and loan_rows() == [("CB1", "S100", True, "damaged")]
    assert_check_clean()


def test_return_without_a_station_site_leaves_the_device_where_it_was(district):
    lend(district)
    config = replace(district.config, station_site=None)
    result = circulation.return_device(district.operator, "CB1", config=config)
    assert result.device.site == "HS" and events("returned")[0].to_site is None
    assert_check_clean()


# -- transfer -------------------------------------------------------------------


def test_transfer_moves_every_device(district):
    result = circulation.transfer(district.technician, ["CB1", "CB2", "HOT1"], "ES")
    assert [c.site for c in result.devices] == ["ES", "ES", "ES"]
    assert result.destination.code == "ES" and dict(result.destination.devices_by_status) == {"available": 4}
    moved = events("device.moved")
    assert [(e.asset_tag, e.from_site, e.to_site) for e in moved] == [
        ("CB1", "STORE", "ES"), ("CB2", "STORE", "ES"), ("HOT1", "STORE", "ES"),
    ]  # fmt: skip
    assert tuple(e.uuid for e in moved) == result.event_ids
    # a device already there is not moved again and writes nothing
    again = circulation.transfer(district.technician, ["CB1"], "es")
    assert again.event_ids == () and len(events("device.moved")) == 3
    assert_check_clean()


def test_transfer_is_all_or_nothing(district):
    lend(district, "S100", "CB2")
    before = device_rows()
    with pytest.raises(DeviceAlreadyIssued, match="CB2 is on loan to Ana Lopez; return it before moving it"):
        circulation.transfer(district.technician, ["CB1", "CB2", "CB3"], "ES")
    assert device_rows() == before
    assert events("device.moved", asset_tag="CB1") == []
    with pytest.raises(UnknownCode, match="No device has asset tag or serial NOPE"):
        circulation.transfer(district.technician, ["CB1", "NOPE"], "ES")
    assert device_rows() == before
    assert_check_clean()


def test_transfer_to_an_unknown_site(district):
    with pytest.raises(UnknownCode, match="No location has code MARS. Scan a LOC- card printed by kiosk"):
        circulation.transfer(district.technician, ["CB1"], "MARS")
    with pytest.raises(BadInput, match="at least one device"):
        circulation.transfer(district.technician, [], "ES")


def test_transfer_needs_a_technician(district):
    with pytest.raises(PermissionDenied, match="A technician is needed for transfer; call one over"):
        circulation.transfer(district.operator, ["CB1"], "ES")
    assert device("CB1").site.code == "STORE"


def test_transfer_idempotency_key(district):
    first = circulation.transfer(district.technician, ["CB1", "CB2"], "ES", idem_key="t-1")
    again = circulation.transfer(district.technician, ["CB1", "CB2"], "ES", idem_key="t-1")
    assert again.replayed is True and again.event_ids[0] == first.event_ids[0]
    assert len(events("device.moved")) == 2
    assert_check_clean()


# -- set_status -----------------------------------------------------------------


@pytest.mark.parametrize("status", ["lost", "stolen"])
def test_lost_or_stolen_closes_the_open_loan(district, status):
    lend(district)
    result = circulation.set_status(district.technician, "CB1", status, note="reported by family")
    assert result.previous == "issued"
    assert (result.device.status, result.device.holder) == (status, None)
    assert loan_rows() == [("CB1", "S100", True, status)]
    event = events("status")[0]
    assert event.person == "S100"
    assert details(event) == {"status": status, "previous": "issued", "loan_closed": True, "note": "reported by family"}
    assert_check_clean()


@pytest.mark.parametrize("status", ["available", "damaged", "in_repair", "disposed", "retired"])
def test_other_statuses_on_an_issued_device_are_refused(district, status):
    lend(district)
    with pytest.raises(
        DeviceAlreadyIssued,
        match=f"CB1 is on loan to Ana Lopez; return it before marking it {status.replace('_', ' ')}",
    ):
        circulation.set_status(district.technician, "CB1", status)
    assert device("CB1").status == "issued" and events("status") == []


def test_status_changes_on_a_device_in_stock(district):
    assert circulation.set_status(district.technician, "CB1", "in_repair").previous == "available"
    assert circulation.set_status(district.technician, "CB1", "available").device.status == "available"
    with pytest.raises(DeviceNotIssuable, match="CB1 is already available"):
        circulation.set_status(district.technician, "CB1", "available")
    with pytest.raises(BadInput, match="Unknown status 'issued'"):
        circulation.set_status(district.technician, "CB1", "issued")
    assert_check_clean()


def test_status_needs_a_technician(district):
    with pytest.raises(PermissionDenied, match="A technician is needed for status"):
        circulation.set_status(district.operator, "CB1", "lost")
    assert device("CB1").status == "available"


def test_status_idempotency_key(district):
    lend(district)
    first = circulation.set_status(district.admin, "CB1", "lost", idem_key="s-1")
    again = circulation.set_status(district.admin, "CB1", "lost", idem_key="s-1")
    assert again.replayed and again.event_id == first.event_id and again.previous == "issued"
    assert len(events("status")) == 1
    assert_check_clean()


def test_a_key_spent_on_another_change_is_not_misread(district):
    circulation.issue(district.operator, "S100", "CB1", config=district.config, idem_key="k-1")
    with pytest.raises(DomainError, match=r"This scan was already recorded \(issued\); nothing more was done"):
        give_back(district, idem_key="k-1")
    assert device("CB1").status == "issued" and events("returned") == []
    record_refusal(district.operator, "CB2", "CB2 is not on loan.", mode="RETURN", idem_key="k-2")
    with pytest.raises(DomainError, match="^CB2 is not on loan.$"):
        give_back(district, "CB1", idem_key="k-2")
    assert device("CB1").status == "issued" and len(events("rejected")) == 1
    assert_check_clean()


def test_a_station_site_missing_from_the_database_is_named_as_a_config_problem(district):
    lend(district)
    config = replace(district.config, station_site="ANNEX")
    with pytest.raises(UnknownCode, match=r"This station's site ANNEX \(station_site in the config\) is not a known"):
        circulation.return_device(district.operator, "CB1", config=config)
    assert device("CB1").status == "issued"
