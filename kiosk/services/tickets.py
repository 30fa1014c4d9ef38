"""Repair tickets: opened by a damaged return or a technician, moved along their life cycle, resolved.

A ticket is named by its number, or by its device's asset tag (a device has at
most one unresolved ticket, which the database enforces). Its life:
open -> sent out / in repair -> awaiting parts -> repaired (the device is
available again at a site) or unrepairable (the device is disposed). Parts and
labour costs add up over the updates. Device changes are written as the usual
``status`` and ``device.moved`` events next to the ``ticket.*`` event.
"""

from __future__ import annotations

from peewee import JOIN

from kiosk import clock, ledger
from kiosk.accountability import TicketCard, TicketResult
from kiosk.config import Config
from kiosk.db import atomic, for_update, unavailable_as_error
from kiosk.dto import Actor
from kiosk.errors import BadInput, DeviceAlreadyIssued, DomainError, UnknownCode
from kiosk.services.common import authorize, require_device, require_site, site_by_code
from models import CatalogItem, Device, Loan, Person, Site, Station, Ticket, utcnow
from models.circulation import TICKET_CLOSED, TICKET_STATUSES

NEXT = {
    "open": ("sent_out", "in_repair", "awaiting_parts", "repaired", "unrepairable"),
    "sent_out": ("in_repair", "awaiting_parts", "repaired", "unrepairable"),
    "in_repair": ("sent_out", "awaiting_parts", "repaired", "unrepairable"),
    "awaiting_parts": ("sent_out", "in_repair", "repaired", "unrepairable"),
}
"""Where each unresolved status may go next; repaired and unrepairable are final."""
OPENABLE = ("available", "damaged", "in_repair")
MAX_TEXT = 500


class TicketRefused(DomainError):
    """A ticket that cannot be opened or moved the way asked."""


def shown(status: str) -> str:
    return status.replace("_", " ")


def _loaners(ticket_ids) -> dict[int, str]:
    query = (
        Loan.select(Loan.ticket, Device.asset_tag)
        .join(Device)
        .where(Loan.ticket.in_(ticket_ids) & Loan.returned_at.is_null())
        .tuples()
    )
    return dict(query)


def ticket_card(ticket: Ticket, loaner: str | None = None, *, look_up_loaner: bool = True) -> TicketCard:
    device, person = ticket.device, ticket.person
    if look_up_loaner:
        loaner = _loaners([ticket.id]).get(ticket.id)
    return TicketCard(
        id=ticket.id,
        asset_tag=device.asset_tag,
        model=device.item.name,
        status=ticket.status,
        problem=ticket.problem,
        student=person.district_id if person else None,
        student_name=person.full_name if person else None,
        opened=clock.show(ticket.opened_at),
        opened_by=ticket.opened_by,
        parts_cents=ticket.parts_cents,
        labour_cents=ticket.labour_cents,
        vendor=ticket.vendor,
        notes=ticket.notes,
        resolved=clock.show(ticket.resolved_at) if ticket.resolved_at else None,
        device_status=device.status,
        device_site=device.site.code if device.site else None,
        loaner=loaner,
        event_id=ticket.opened_event,
    )


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT or any(ord(ch) < 32 for ch in text):
        raise BadInput(f"{what} is at most {MAX_TEXT} printable characters on one line.")
    return text


def open_for(actor: Actor, device: Device, person: Person | None, problem: str) -> Ticket:
    """Open a ticket inside the caller's transaction (a damaged return); the caller sets the device status."""
    existing = Ticket.get_or_none((Ticket.device == device) & Ticket.resolved_at.is_null())
    if existing is not None:
        return existing
    event = ledger.record(
        "ticket.opened",
        station=actor.station,
        operator=actor.badge,
        asset_tag=device.asset_tag,
        person=person.district_id if person else None,
        details={"problem": problem, "status": "open"},
    )
    return Ticket.create(device=device, person=person, status="open", problem=problem, opened_event=event.uuid,
                         opened_by=actor.badge)  # fmt: skip


def _status_event(actor: Actor, device: Device, status: str, ticket: Ticket) -> None:
    previous = device.status
    device.status = status
    device.save()
    ledger.record(
        "status",
        station=actor.station,
        operator=actor.badge,
        asset_tag=device.asset_tag,
        details={"status": status, "previous": previous, "ticket": ticket.id},
    )


def _move(actor: Actor, device: Device, site, reason: str) -> None:
    if site is None or device.site_id == site.id:
        return
    from_site = device.site.code if device.site else None
    device.site = site
    device.save()
    ledger.record(
        "device.moved",
        station=actor.station,
        operator=actor.badge,
        asset_tag=device.asset_tag,
        from_site=from_site,
        to_site=site.code,
        details={"reason": reason},
    )


def open_ticket(actor: Actor, device_code: str, *, problem: str) -> TicketResult:
    """A technician opens a ticket for a device in stock; the device goes in repair."""
    problem = _text(problem, "The problem")
    if not problem:
        raise BadInput("Say what is wrong with the device (--problem); nothing was recorded.")
    with unavailable_as_error(), atomic():
        authorize(actor, "ticket")
        device = require_device(device_code)
        device = for_update(Device.select().where(Device.id == device.id)).get()
        if device.status == "issued":
            raise DeviceAlreadyIssued(
                f"{device.asset_tag} is on loan to {device.holder.full_name}; return it as $DAMAGED, which opens "
                "a ticket."
            )
        if device.status not in OPENABLE:
            raise TicketRefused(
                f"{device.asset_tag} is {shown(device.status)}; only a device in stock can be repaired."
            )
        existing = Ticket.get_or_none((Ticket.device == device) & Ticket.resolved_at.is_null())
        if existing is not None:
            raise TicketRefused(f"{device.asset_tag} already has ticket {existing.id} ({shown(existing.status)}).")
        ticket = open_for(actor, device, None, problem)
        if device.status != "in_repair":
            _status_event(actor, device, "in_repair", ticket)
        return TicketResult(ticket_card(ticket), None, ticket.opened_event)


def find_ticket(ref: str) -> Ticket:
    """The ticket numbered ``ref`` (``12`` or ``T12``), else the unresolved ticket of the device ``ref``."""
    text = ref.strip()
    number = text[1:] if text[:1] in ("T", "t") and text[1:].isdigit() else text
    if number.isdigit():
        ticket = Ticket.get_or_none(Ticket.id == int(number))
        if ticket is not None:
            return ticket
    try:
        device = require_device(text)
    except UnknownCode as exc:
        raise UnknownCode(f"No ticket is numbered {text} and no device has that asset tag or serial.") from exc
    ticket = Ticket.get_or_none((Ticket.device == device) & Ticket.resolved_at.is_null())
    if ticket is None:
        raise UnknownCode(f"{device.asset_tag} has no open ticket; see `kiosk tickets --all` for resolved ones.")
    return ticket


def _resolved_site(actor: Actor, config: Config, site_code: str | None, device: Device):
    if site_code:
        return require_site(site_code)
    if config.station_site:
        site = site_by_code(config.station_site)
        if site is not None:
            return site
    station = Station.get_or_none(Station.name == actor.station)
    return (station.site if station else None) or device.home_site or device.site


def update_ticket(
    actor: Actor,
    ref: str,
    *,
    config: Config,
    status: str | None = None,
    parts_cents: int = 0,
    labour_cents: int = 0,
    vendor: str | None = None,
    note: str = "",
    site: str | None = None,
) -> TicketResult:
    """Move a ticket along, add parts and labour costs or a note. Repaired makes the device available at ``site``
    (else this station's site, else its home site); unrepairable disposes of it; sent out may move it to ``site``."""
    if status is not None and status not in TICKET_STATUSES:
        raise BadInput(f"Unknown ticket status {status!r}; use one of {', '.join(TICKET_STATUSES)}.")
    if parts_cents < 0 or labour_cents < 0:
        raise BadInput("Parts and labour costs are zero or more.")
    note = _text(note, "The note")
    vendor = _text(vendor, "The vendor") if vendor is not None else None
    if status is None and not (parts_cents or labour_cents or note or vendor):
        raise BadInput("Nothing to change: give --status, --parts, --labour, --vendor or --note.")
    with unavailable_as_error(), atomic():
        authorize(actor, "ticket")
        ticket = find_ticket(ref)
        ticket = for_update(Ticket.select().where(Ticket.id == ticket.id)).get()
        previous = ticket.status
        if previous in TICKET_CLOSED:
            raise TicketRefused(f"Ticket {ticket.id} is already {shown(previous)}; open a new one if needed.")
        if status is not None and status != previous and status not in NEXT[previous]:
            raise TicketRefused(f"Ticket {ticket.id} is {shown(previous)}; it cannot go back to {shown(status)}.")
        if status == previous and not (parts_cents or labour_cents or note or vendor):
            raise TicketRefused(f"Ticket {ticket.id} is already {shown(previous)}.")
        device = for_update(Device.select().where(Device.id == ticket.device_id)).get()
        new = status or previous
        details: dict = {"ticket": ticket.opened_event, "status": new, "previous": previous}
        if parts_cents or labour_cents:
            details.update(parts_cents=parts_cents, labour_cents=labour_cents)
        if vendor:
            details["vendor"] = vendor
        if note:
            details["note"] = note
        if new in TICKET_CLOSED and device.status not in ("in_repair", "damaged"):
            raise TicketRefused(
                f"{device.asset_tag} is {shown(device.status)}, not in repair; set its status first or close the "
                f"ticket as it stands."
            )
        ledger.record(
            "ticket.updated",
            station=actor.station,
            operator=actor.badge,
            asset_tag=device.asset_tag,
            person=ticket.person.district_id if ticket.person else None,
            details=details,
        )
        ticket.status = new
        ticket.parts_cents += parts_cents
        ticket.labour_cents += labour_cents
        if vendor:
            ticket.vendor = vendor
        if note:
            ticket.notes = f"{ticket.notes}\n{note}".strip()
        ticket.updated_at = utcnow()
        if new in TICKET_CLOSED:
            ticket.resolved_at = ticket.updated_at
        ticket.save()
        if new == "repaired":
            _move(actor, device, _resolved_site(actor, config, site, device), "repaired")
            _status_event(actor, device, "available", ticket)
        elif new == "unrepairable":
            _status_event(actor, device, "disposed", ticket)
        elif site:
            _move(actor, device, require_site(site), f"ticket {shown(new)}")
        return TicketResult(ticket_card(ticket), previous, ticket.opened_event)


def list_tickets(*, include_closed: bool = False, actor: Actor | None = None) -> tuple[TicketCard, ...]:
    """Unresolved tickets, oldest first (all tickets with ``include_closed``).

    ``actor`` is None only for the local command line; at a station only technicians see the list.
    """
    with unavailable_as_error():
        if actor is not None:
            authorize(actor, "ticket")
        # One query for the tickets with their device, model, student and site, one for the loaners.
        query = (
            Ticket.select(Ticket, Device, CatalogItem, Person, Site)
            .join(Device)
            .join(CatalogItem)
            .switch(Ticket)
            .join(Person, JOIN.LEFT_OUTER)
            .switch(Device)
            .join(Site, JOIN.LEFT_OUTER, on=(Device.site == Site.id))
            .order_by(Ticket.id)
        )
        if not include_closed:
            query = query.where(Ticket.resolved_at.is_null())
        found = list(query)
        loaners = _loaners([t.id for t in found]) if found else {}
        return tuple(ticket_card(t, loaners.get(t.id), look_up_loaner=False) for t in found)
