"""Loaners: a device lent while the student's own device is in repair, and collected when it comes back.

An issue is a loaner when the student has an unresolved repair ticket for their
own device (opened by their damaged return) of the same category, and that
ticket has no loaner yet: the loan is flagged and linked to the ticket. When
the repaired device is issued back to the student, the loaner they hold for
it does not count against the one-device-per-category rule, and the station
offers to collect it.
"""

from __future__ import annotations

from peewee import fn

from models import CatalogItem, Device, Loan, Person, Ticket
from models.prepared import Prepared


def cover_for(person: Person, device: Device) -> Ticket | None:
    """The student's unresolved ticket a loan of ``device`` would cover, if any."""
    for ticket in _OPEN_TICKETS.all(person.id, device.item.category, device.id):
        covered = Loan.select().where((Loan.ticket == ticket) & Loan.returned_at.is_null()).exists()
        if not covered:
            return ticket
    return None


_TO_COLLECT = Prepared(
    lambda person, device: (
        Loan.select()
        .join(Ticket, on=(Loan.ticket == Ticket.id))
        .where((Loan.person == person) & Loan.returned_at.is_null() & (Loan.loaner == True) & (Ticket.device == device))
        .limit(1)
    )
)
_OPEN_TICKETS = Prepared(
    lambda person, category, device: (
        Ticket.select()
        .join(Device)
        .join(CatalogItem)
        .where(
            (Ticket.person == person)
            & Ticket.resolved_at.is_null()
            & (CatalogItem.category == category)
            & (Ticket.device != device)
        )
        .order_by(Ticket.id)
    )
)


def business_column(person):
    """Whether ``person`` holds a loaner or has a device in repair, as a column named ``business`` (only then
    can an issue be a loaner swap): an issue reads it with the student's card (``card_facts_query``)."""
    return (
        fn.EXISTS(
            Loan.select(Loan.id).where((Loan.person == person) & Loan.returned_at.is_null() & (Loan.loaner == True))
        )
        | fn.EXISTS(Ticket.select(Ticket.id).where((Ticket.person == person) & Ticket.resolved_at.is_null()))
    ).alias("business")


def loaner_to_collect(person: Person, device: Device) -> Loan | None:
    """The open loaner ``person`` holds while ``device`` (their own) was in repair."""
    return _TO_COLLECT.first(person.id, device.id)


def loaner_tags(person: Person) -> tuple[str, ...]:
    """Asset tags of the loaners ``person`` holds."""
    query = (
        Device.select(Device.asset_tag)
        .join(Loan, on=(Loan.device == Device.id))
        .where((Loan.person == person) & Loan.returned_at.is_null() & (Loan.loaner == True))
        .order_by(Device.asset_tag)
    )
    return tuple(tag for (tag,) in query.tuples())
