"""Peewee models bound to a DatabaseProxy. Imports nothing from kiosk, screens or textual."""

from models.base import BaseModel, database, utcnow
from models.circulation import Fee, Loan, Operator, Station, Ticket
from models.inventory import CatalogAlias, CatalogItem, Device, Person, Site
from models.ledger import Event

MODELS = [Site, Person, CatalogItem, CatalogAlias, Device, Operator, Station, Loan, Fee, Ticket, Event]

__all__ = [
    "MODELS",
    "BaseModel",
    "CatalogAlias",
    "CatalogItem",
    "Device",
    "Event",
    "Fee",
    "Loan",
    "Operator",
    "Person",
    "Site",
    "Station",
    "Ticket",
    "database",
    "utcnow",
]
