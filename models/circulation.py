"""Loans, fees, repair tickets, operators and stations."""

from __future__ import annotations

from peewee import (
    SQL,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.base import BaseModel, UTCDateTimeField, utcnow
from models.inventory import Device, Person, Site

OPERATOR_ROLES = ("operator", "technician", "admin")
CONDITIONS = ("good", "damaged", "nocharger", "lost")


class Operator(BaseModel):
    """Someone who signs in at a station with a badge and a PIN."""

    badge = CharField(unique=True)
    name = CharField()
    role = CharField(default="operator")
    pin_hash = CharField()
    failed_attempts = IntegerField(default=0)
    locked_until = UTCDateTimeField(null=True)
    active = BooleanField(default=True)


class Station(BaseModel):
    """A kiosk. Holds the head of its own ledger hash chain."""

    name = CharField(unique=True)
    site = ForeignKeyField(Site, null=True, on_delete="RESTRICT")
    last_seq = IntegerField(default=0)
    last_hash = CharField(default="")


TICKET_STATUSES = ("open", "sent_out", "in_repair", "awaiting_parts", "repaired", "unrepairable")
"""A repair ticket's life: open -> sent out / in repair -> awaiting parts -> repaired or unrepairable."""
TICKET_CLOSED = ("repaired", "unrepairable")


class Ticket(BaseModel):
    """A repair ticket for one device. At most one unresolved ticket per device (partial index)."""

    device = ForeignKeyField(Device, backref="tickets", on_delete="RESTRICT")
    status = CharField(default="open")
    problem = TextField(default="")
    opened_at = UTCDateTimeField(default=utcnow)
    opened_event = CharField(default="")
    resolved_at = UTCDateTimeField(null=True)
    person = ForeignKeyField(Person, null=True, backref="tickets", on_delete="RESTRICT")
    """The student whose damaged return opened the ticket (their loaner covers it)."""
    opened_by = CharField(default="")
    parts_cents = IntegerField(default=0)
    labour_cents = IntegerField(default=0)
    vendor = CharField(default="")
    """Where the device was sent out to, if it was."""
    notes = TextField(default="")
    updated_at = UTCDateTimeField(null=True)


Ticket.add_index(
    Ticket.index(Ticket.device, unique=True, name="ticket_one_open_per_device").where(SQL("resolved_at IS NULL"))
)
Ticket.add_index(Ticket.index(Ticket.person, name="ticket_open_by_person").where(SQL("resolved_at IS NULL")))


class Loan(BaseModel):
    """A device in a person's hands. At most one open loan per device (partial index)."""

    device = ForeignKeyField(Device, backref="loans", on_delete="RESTRICT")
    person = ForeignKeyField(Person, backref="loans", on_delete="RESTRICT")
    issued_at = UTCDateTimeField(default=utcnow)
    issued_by = CharField()
    issued_station = CharField(default="")
    condition_out = CharField(default="good")
    returned_at = UTCDateTimeField(null=True)
    returned_by = CharField(null=True)
    condition_in = CharField(null=True)
    loaner = BooleanField(default=False)
    """Lent while the person's own device is in repair (``ticket``)."""
    ticket = ForeignKeyField(Ticket, null=True, backref="loaners", on_delete="RESTRICT")


Loan.add_index(Loan.index(Loan.device, unique=True, name="loan_one_open_per_device").where(SQL("returned_at IS NULL")))
Loan.add_index(Loan.index(Loan.returned_at, name="loan_returned_at").where(SQL("returned_at IS NOT NULL")))
Loan.add_index(Loan.index(Loan.issued_at, name="loan_issued_at"))
Loan.add_index(Loan.index(Loan.person, name="loan_open_by_person").where(SQL("returned_at IS NULL")))


class Fee(BaseModel):
    """Money a person owes, in cents. Follows the person, not the device."""

    person = ForeignKeyField(Person, backref="fees", on_delete="RESTRICT")
    device = ForeignKeyField(Device, null=True, backref="fees", on_delete="RESTRICT")
    kind = CharField(default="damage")
    """damage, charger, accessory, loss or other."""
    amount_cents = IntegerField(default=0)
    paid_cents = IntegerField(default=0)
    status = CharField(default="owed")
    school_year = IntegerField(null=True)
    reason = TextField(default="")
    created_event = CharField(default="")
    settled_event = CharField(null=True)
    created_at = UTCDateTimeField(default=utcnow)
