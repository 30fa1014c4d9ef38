"""check(): clean after real activity; every kind of tampering is reported."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.dto import Actor
from kiosk.services import cases, check, circulation
from kiosk.workflow import Workflow
from models import Device, Event, Fee, Loan, Person, Station, utcnow
from tests.integration.helpers import add_fee, problems


@pytest.fixture
def busy(district):
    """A district after a morning of work at two stations."""
    w = Workflow(district.technician, district.config)
    for code in ("S100", "CB1", "S101", "CB2", "$RETURN", "$DAMAGED", "CB2", "$TRANSFER", "LOC-ES", "CB3", "$DONE",
                 "$STATUS", "$LOST", "CB4", "NOT-A-CODE"):  # fmt: skip
        outcome = w.handle(code)
        assert outcome.ok == (code != "NOT-A-CODE"), outcome.message
    other = Actor("OP1", "Olive Operator", "operator", "desk-2")
    circulation.issue(other, "S101", "HOT1", config=district.config)
    cases.assign_case(district.technician, "S200", config=district.config)
    add_fee("S101", 4000, station="desk-2")
    return district


def test_clean_after_activity(busy):
    report = check.check()
    assert report.ok, report.problems
    assert report.devices == 7 and report.stations == 2 and report.events == Event.select().count()


def test_a_device_status_changed_behind_the_programs_back(busy):
    Device.update(status="retired").where(Device.asset_tag == "CB5").execute()
    found = problems()
    assert any(p.startswith("device CB5: the ledger says available at STORE") and "retired" in p for p in found)


def test_an_event_deleted_from_the_middle_of_the_chain(busy):
    victim = Event.select().where((Event.station == busy.config.station) & (Event.kind == "issued")).first()
    Event.delete().where(Event.id == victim.id).execute()
    found = problems()
    assert any(f"expected #{victim.seq}" in p and "missing" in p for p in found)
    assert any("chain broken" in p for p in found)


def test_the_last_event_deleted(busy):
    last = Event.select().where(Event.station == "desk-2").order_by(Event.seq.desc()).first()
    Event.delete().where(Event.id == last.id).execute()
    found = problems()
    assert any(
        p.startswith("station desk-2: its chain ends at #") and "events deleted from the end" in p for p in found
    )


def test_an_events_details_edited(busy):
    event = Event.get(Event.kind == "returned")
    Event.update(details=event.details.replace("damaged", "good")).where(Event.id == event.id).execute()
    found = problems()
    assert any(event.uuid in p and "does not match its hash (altered after it was written)" in p for p in found)


def test_an_events_time_edited(busy):
    event = Event.get(Event.kind == "issued", Event.asset_tag == "CB1")
    Event.update(at=event.at - dt.timedelta(days=1)).where(Event.id == event.id).execute()
    assert any(event.uuid in p and "altered" in p for p in problems())


def test_an_extra_open_loan(busy):
    Loan.create(device=Device.get(Device.asset_tag == "CB5"), person=Person.get(Person.district_id == "S200"),
                issued_by="ghost")  # fmt: skip
    assert "device CB5 is available yet has a holder or an open loan." in problems()


def test_a_loan_closed_behind_the_programs_back(busy):
    Loan.update(returned_at=utcnow()).where(Loan.returned_at.is_null()).execute()
    found = problems()
    assert "device CB1 is issued but its holder and its open loan do not agree." in found


def test_a_case_number_changed(busy):
    Person.update(case_number=17).where(Person.district_id == "S100").execute()
    found = problems()
    assert "storage case of S100: the ledger says None, the records say 17." in found
    Person.update(case_number=None).where(Person.district_id == "S200").execute()
    assert "storage case of S200: the ledger says 1, the records say None." in problems()


def test_a_fee_changed_or_invented(busy):
    Fee.update(amount_cents=1).execute()
    assert any(p.startswith("fee ") and "the ledger says" in p for p in problems())
    Fee.create(person=Person.get(Person.district_id == "S100"), amount_cents=500, created_event="made-up")
    assert any("has no fee.assessed event" in p for p in problems())


def test_a_device_added_without_its_event(busy):
    Device.create(asset_tag="SNEAK", serial="SN-1", item=Device.get(Device.asset_tag == "CB1").item)
    assert "device SNEAK is in the inventory but has no history in the ledger." in problems()


def test_a_station_head_rewound(busy):
    Station.update(last_seq=1).where(Station.name == "desk-2").execute()
    assert any(p.startswith("station desk-2") for p in problems())


def test_a_case_number_swapped_is_reported_once_per_student(busy):
    Person.update(case_number=9).where(Person.district_id == "S200").execute()
    found = [p for p in problems() if p.startswith("storage case")]
    assert found == ["storage case of S200: the ledger says 1, the records say 9."]


def test_a_station_head_row_deleted(busy):
    Station.delete().where(Station.name == "desk-2").execute()
    assert "station desk-2: the ledger holds its events but the head of its chain is missing." in problems()
