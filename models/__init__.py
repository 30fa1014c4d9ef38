"""Peewee models bound to a DatabaseProxy. Imports nothing from kiosk, screens or textual."""

from models.audit import Audit, AuditScan
from models.base import BaseModel, database, utcnow
from models.circulation import Fee, Loan, Operator, Station, Ticket
from models.inventory import CatalogAlias, CatalogItem, Device, Person, Site
from models.ledger import Event
from models.prepared import SHARED_MODELS, prepare_foreign_keys

MODELS = [
    Site,
    Person,
    CatalogItem,
    CatalogAlias,
    Device,
    Operator,
    Station,
    Loan,
    Fee,
    Ticket,
    Event,
    Audit,
    AuditScan,
]

prepare_foreign_keys(MODELS)
SHARED_MODELS.update((Site, CatalogItem))

__all__ = [
    "MODELS",
    "Audit",
    "AuditScan",
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
