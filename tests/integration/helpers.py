"""Helpers for the service and workflow tests: table snapshots, fees, events and a clean check()."""

from __future__ import annotations

import json

from kiosk import clock, ledger
from kiosk.db import atomic
from kiosk.services import check
from models import Device, Event, Fee, Loan, Person


def assert_check_clean() -> None:
    report = check.check()
    assert report.ok, report.problems


def problems() -> tuple[str, ...]:
    return check.check().problems


def add_fee(person_code: str, cents: int, *, station: str, status: str = "owed") -> Fee:
    """A fee row and its ``fee.assessed`` event, written together as a use case would."""
    person = Person.get(Person.district_id == person_code)
    year = clock.school_year(clock.today())
    with atomic():
        event = ledger.record(
            "fee.assessed",
            station=station,
            person=person_code,
            details={"kind": "damage", "amount_cents": cents, "school_year": year, "reason": "test"},
        )
        return Fee.create(
            person=person, kind="damage", amount_cents=cents, school_year=year, reason="test",
            created_event=event.uuid, status=status,
        )  # fmt: skip


def device_rows() -> list[tuple]:
    """(asset tag, status, site code, holder id) for every device."""
    return sorted(
        (d.asset_tag, d.status, d.site.code if d.site else None, d.holder.district_id if d.holder else None)
        for d in Device.select()
    )


def loan_rows() -> list[tuple]:
    return sorted(
        (loan.device.asset_tag, loan.person.district_id, loan.returned_at is not None, loan.condition_in)
        for loan in Loan.select()
    )


def device(tag: str) -> Device:
    return Device.get(Device.asset_tag == tag)


def events(kind: str | None = None, **where) -> list[Event]:
    query = Event.select().order_by(Event.id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    for field, value in where.items():
        query = query.where(getattr(Event, field) == value)
    return list(query)


def details(event: Event) -> dict:
    return json.loads(event.details)
