"""Repair tickets from a damaged return or a technician, through their whole life cycle (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from peewee import IntegrityError

from kiosk.db import atomic
from kiosk.errors import BadInput, DeviceAlreadyIssued, DeviceNotIssuable, PermissionDenied, UnknownCode
from kiosk.services import circulation, inventory, tickets
from kiosk.services.tickets import TicketRefused
from models import Device, Ticket
from tests.integration.helpers import assert_check_clean, details, device, events, problems


def damaged_return(d, student="S100", tag="CB1"):
    circulation.issue(d.operator, student, tag, config=d.config, confirmed=("fees",))
    return circulation.return_device(d.operator, tag, config=d.config, condition="damaged")


def update(d, ref="CB1", **kw):
    return tickets.update_ticket(d.technician, ref, config=d.config, **kw)


def test_a_damaged_return_opens_a_ticket_and_puts_the_device_in_repair(district):
    result = damaged_return(district)
    ticket = Ticket.get()
    assert result.ticket == ticket.id and result.device.status == "in_repair"
    assert (ticket.status, ticket.person.district_id, ticket.problem, ticket.opened_by) == (
        "open", "S100", "returned damaged", "OP1",
    )  # fmt: skip
    opened = events("ticket.opened")[0]
    assert (opened.asset_tag, opened.person, opened.uuid) == ("CB1", "S100", ticket.opened_event)
    assert details(opened) == {"problem": "returned damaged", "status": "open"}
    assert details(events("returned")[0]) == {"condition": "damaged", "status": "in_repair"}
    assert_check_clean()


def test_life_cycle_to_repaired_with_parts_and_labour(district):
    inventory.add_site("DEPOT", "Repair Depot", "repair")
    damaged_return(district)
    sent = update(district, status="sent_out", vendor="Acme Repair", site="DEPOT", note="screen cracked")
    assert (sent.previous, sent.ticket.status, sent.ticket.device_site) == ("open", "sent_out", "DEPOT")
    parts = update(district, status="awaiting_parts", parts_cents=3450)
    assert parts.ticket.parts_cents == 3450
    update(district, status="in_repair", labour_cents=2000, note="screen replaced")
    done = update(district, status="repaired", parts_cents=550, site="HS")
    card = done.ticket
    assert (card.status, card.parts_cents, card.labour_cents, card.cost_cents) == ("repaired", 4000, 2000, 6000)
    assert (card.vendor, card.notes) == ("Acme Repair", "screen cracked\nscreen replaced")
    assert card.resolved is not None and (card.device_status, card.device_site) == ("available", "HS")
    assert [details(e)["status"] for e in events("ticket.updated")] == [
        "sent_out", "awaiting_parts", "in_repair", "repaired",
    ]  # fmt: skip
    assert [(e.from_site, e.to_site) for e in events("device.moved", asset_tag="CB1")][-2:] == [
        ("HS", "DEPOT"), ("DEPOT", "HS"),
    ]  # fmt: skip
    assert details(events("status", asset_tag="CB1")[-1]) == {"status": "available", "previous": "in_repair",
                                                               "ticket": card.id}  # fmt: skip
    # available again: it can be issued to the next student
    assert circulation.issue(district.operator, "S101", "CB1", config=district.config).device.holder == "S101"
    assert_check_clean()


def test_unrepairable_disposes_of_the_device(district):
    damaged_return(district)
    result = update(district, status="unrepairable", labour_cents=1500, note="board dead")
    assert result.ticket.device_status == "disposed" and device("CB1").status == "disposed"
    assert result.ticket.resolved is not None
    with pytest.raises(TicketRefused, match=r"Ticket \d+ is already unrepairable; open a new one if needed"):
        update(district, ref=str(result.ticket.id), note="more")
    assert_check_clean()


def test_moves_the_life_cycle_refuses(district):
    damaged_return(district)
    number = Ticket.get().id
    update(district, ref=f"T{number}", status="in_repair")
    with pytest.raises(TicketRefused, match=rf"Ticket {number} is in repair; it cannot go back to open"):
        update(district, status="open")
    with pytest.raises(TicketRefused, match=rf"Ticket {number} is already in repair"):
        update(district, status="in_repair")
    with pytest.raises(BadInput, match="Unknown ticket status 'fixed'"):
        update(district, status="fixed")
    with pytest.raises(BadInput, match="Nothing to change"):
        update(district)
    with pytest.raises(BadInput, match="Parts and labour costs are zero or more"):
        update(district, parts_cents=-1)
    with pytest.raises(UnknownCode, match="No location has code MARS"):
        update(district, status="repaired", site="MARS")
    with pytest.raises(UnknownCode, match="CB2 has no open ticket"):
        update(district, ref="CB2", note="x")
    with pytest.raises(UnknownCode, match="No ticket is numbered ZZ and no device has that asset tag"):
        update(district, ref="ZZ", note="x")
    assert Ticket.get().status == "in_repair" and len(events("ticket.updated")) == 1
    assert_check_clean()


def test_a_technician_opens_a_ticket_for_a_device_in_stock(district):
    result = tickets.open_ticket(district.technician, "CB3", problem="keyboard sticks")
    assert (result.ticket.status, result.ticket.student, result.ticket.device_status) == ("open", None, "in_repair")
    assert details(events("status", asset_tag="CB3")[0])["previous"] == "available"
    with pytest.raises(TicketRefused, match=rf"CB3 already has ticket {result.ticket.id} \(open\)"):
        tickets.open_ticket(district.technician, "CB3", problem="again")
    circulation.issue(district.operator, "S100", "CB4", config=district.config)
    with pytest.raises(DeviceAlreadyIssued, match="CB4 is on loan to Ana Lopez; return it as \\$DAMAGED"):
        tickets.open_ticket(district.technician, "CB4", problem="x")
    with pytest.raises(PermissionDenied, match="A technician is needed for ticket"):
        tickets.open_ticket(district.operator, "CB5", problem="x")
    with pytest.raises(BadInput, match="Say what is wrong"):
        tickets.open_ticket(district.technician, "CB5", problem=" ")
    circulation.set_status(district.technician, "CB5", "lost")
    with pytest.raises(TicketRefused, match="CB5 is lost; only a device in stock can be repaired"):
        tickets.open_ticket(district.technician, "CB5", problem="x")
    assert Ticket.select().count() == 1
    assert_check_clean()


def test_status_mode_cannot_end_a_repair_behind_its_ticket(district):
    damaged_return(district)
    for status, end in (("available", "repaired"), ("disposed", "unrepairable")):
        with pytest.raises(DeviceNotIssuable, match=rf"CB1 has open repair ticket \d+; close the ticket instead "
                                                     rf"\(kiosk tickets update CB1 --status {end}\)"):  # fmt: skip
            circulation.set_status(district.technician, "CB1", status, config=district.config)
    assert device("CB1").status == "in_repair"
    circulation.set_status(district.technician, "CB1", "lost", config=district.config)  # it went missing at the depot
    with pytest.raises(TicketRefused, match="CB1 is lost, not in repair"):
        update(district, status="repaired")
    assert_check_clean()


def test_the_database_refuses_a_second_open_ticket_for_a_device(district):
    damaged_return(district)
    with pytest.raises(IntegrityError), atomic():
        Ticket.create(device=Device.get(Device.asset_tag == "CB1"), opened_event="x")


def test_the_list_shows_open_tickets_oldest_first(district):
    damaged_return(district, "S100", "CB1")
    tickets.open_ticket(district.technician, "CB3", problem="hinge")
    update(district, ref="CB3", status="repaired")
    damaged_return(district, "S101", "CB2")
    listed = tickets.list_tickets(actor=district.technician)
    assert [(t.asset_tag, t.student, t.status) for t in listed] == [("CB1", "S100", "open"), ("CB2", "S101", "open")]
    assert [t.asset_tag for t in tickets.list_tickets(include_closed=True)] == ["CB1", "CB3", "CB2"]
    with pytest.raises(PermissionDenied):
        tickets.list_tickets(actor=district.operator)


def test_check_sees_a_ticket_changed_behind_the_programs_back(district):
    damaged_return(district)
    Ticket.update(status="repaired", parts_cents=100).execute()
    assert any(p.startswith("ticket ") and "the ledger says" in p for p in problems())
