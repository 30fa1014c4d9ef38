"""A day of activity built through the services, and reading workbooks back with openpyxl."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass

import openpyxl

from kiosk import ledger
from kiosk.config import Config
from kiosk.db import atomic
from kiosk.dto import Actor
from kiosk.reports.scope import today
from kiosk.services import circulation, inventory
from kiosk.workflow import Workflow
from models import Device, Event, Fee, Loan, Person

TZ = "America/Chicago"
INJECTION = "=cmd|' /C calc'!A0"


def assess(actor: Actor, student: str, tag: str | None, cents: int, reason: str) -> Fee:
    """A fee as the ledger defines it: a ``fee.assessed`` event and its Fee row, in one transaction."""
    with atomic():
        event = ledger.record(
            "fee.assessed",
            station=actor.station,
            operator=actor.badge,
            asset_tag=tag,
            person=student,
            details={"kind": "damage", "amount_cents": cents, "school_year": 2026, "reason": reason},
        )
        return Fee.create(
            person=Person.get(Person.district_id == student),
            device=Device.get_or_none(Device.asset_tag == tag),
            kind="damage",
            amount_cents=cents,
            status="owed",
            school_year=2026,
            reason=reason,
            created_event=event.uuid,
        )


def pay(actor: Actor, fee: Fee, cents: int) -> None:
    with atomic():
        event = ledger.record(
            "fee.paid",
            station=actor.station,
            operator=actor.badge,
            person=fee.person.district_id,
            details={"fee": fee.created_event, "amount_cents": cents, "method": "cash"},
        )
        paid = fee.paid_cents + cents
        status = "paid" if paid >= fee.amount_cents else "owed"
        Fee.update(paid_cents=paid, status=status, settled_event=event.uuid if status == "paid" else None).where(
            Fee.id == fee.id
        ).execute()


def waive(actor: Actor, fee: Fee, reason: str) -> None:
    """A waiver whose event does not say the amount (the report reads it from the fee)."""
    with atomic():
        event = ledger.record(
            "fee.waived",
            station=actor.station,
            operator=actor.badge,
            person=fee.person.district_id,
            details={"fee": fee.created_event, "reason": reason},
        )
        Fee.update(status="waived", settled_event=event.uuid).where(Fee.id == fee.id).execute()


def shift_back(days: int = 1) -> None:
    """Move everything recorded so far ``days`` earlier, as if it had happened then."""
    delta = dt.timedelta(days=days)
    for eid, at in Event.select(Event.id, Event.at).tuples():
        Event.update(at=at - delta).where(Event.id == eid).execute()
    for lid, issued, returned in Loan.select(Loan.id, Loan.issued_at, Loan.returned_at).tuples():
        Loan.update(issued_at=issued - delta, returned_at=returned - delta if returned else None).where(
            Loan.id == lid
        ).execute()
    for fid, created in Fee.select(Fee.id, Fee.created_at).tuples():
        Fee.update(created_at=created - delta).where(Fee.id == fid).execute()


@dataclass
class Day:
    config: Config
    day: dt.date
    desk2: Actor


def build_day(district) -> Day:
    """Yesterday: CB1 to S100, CB2 to S101, a fee for S101. Today at test-station: CB1 back damaged,
    a fee assessed, part-paid, the old one waived; CB3 to S100 (who owes), CB5 to a student named like a
    formula, TB1 to a third-grader (confirmed), CB4 moved to ES, CB2 marked lost, two refused scans.
    At desk-2: HOT1 to S101. CB6 sits in storage untouched. Fees the district's fee policy assesses on its
    own (damage, loss) come on top; tests read them from the ledger."""
    config = district.config.with_overrides(timezone=TZ)
    op, tech, admin = district.operator, district.technician, district.admin
    inventory.add_device("CB6", "5CD00006", "HP Chromebook 11 G9 EE", "STORE", station=config.station)
    inventory.add_person("S400", INJECTION, "Injection", grade="10", school="HS", homeroom="H-101")
    circulation.issue(op, "S100", "CB1", config=config)
    circulation.issue(op, "S101", "CB2", config=config)
    old_fee = assess(op, "S101", None, 2500, "lost charger")
    shift_back(1)

    circulation.return_device(op, "CB1", config=config, condition="damaged")
    fee = assess(op, "S100", "CB1", 4000, "cracked screen")
    pay(op, fee, 1500)
    waive(admin, old_fee, "hardship")
    circulation.issue(op, "S100", "CB3", config=config, confirmed=("fees",))
    circulation.issue(op, "S400", "CB5", config=config, confirmed=("fees",))
    circulation.issue(tech, "S200", "TB1", config=config, confirmed=("ineligible", "fees"))
    circulation.transfer(tech, ["CB4"], "ES")
    circulation.set_status(tech, "CB2", "lost")
    flow = Workflow(op, config)
    assert not flow.handle("NOPE-1").ok
    flow.handle("S101")
    assert not flow.handle("CB1").ok
    desk2 = Actor(op.badge, op.name, op.role, "desk-2")
    circulation.issue(desk2, "S101", "HOT1", config=config, confirmed=("fees",))
    return Day(config, today(config), desk2)


def day_events(day: Day, station: str | None = None) -> list[Event]:
    from kiosk.reports.scope import day_scope

    scope = day_scope(day.config, day.day)
    query = Event.select().where((Event.at >= scope.start) & (Event.at < scope.end))
    if station:
        query = query.where(Event.station == station)
    return list(query.order_by(Event.id))


def table(ws, prefix: str) -> list[dict]:
    """The rows of the sheet's table whose name starts with ``prefix``, as dicts by header."""
    matches = [ref for name, ref in ws.tables.items() if name.startswith(prefix)]
    assert len(matches) == 1, (prefix, list(ws.tables))
    rows = [list(r) for r in ws[matches[0]]]
    header = [c.value for c in rows[0]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in rows[1:]]


def cells(ws, prefix: str) -> list[list]:
    """The cell objects of a table's data rows (to check types and formats)."""
    ref = next(ref for name, ref in ws.tables.items() if name.startswith(prefix))
    return [list(r) for r in ws[ref]][1:]


def load(path):
    return openpyxl.load_workbook(path)


def has_formula(path) -> bool:
    """Whether any sheet of the workbook holds a formula cell (an ``<f>`` element)."""
    with zipfile.ZipFile(path) as z:
        return any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
