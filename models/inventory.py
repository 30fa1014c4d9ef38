"""Sites, people, the device catalog and the devices themselves."""

from __future__ import annotations

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.base import BaseModel

SITE_KINDS = ("district", "school", "room", "storage", "repair", "pickup")
PERSON_ROLES = ("student", "staff")
CATEGORIES = ("chromebook", "laptop", "tablet", "hotspot", "charger", "other")
DEVICE_STATUSES = (
    "available",
    "issued",
    "damaged",
    "in_repair",
    "lost",
    "stolen",
    "disposed",
    "retired",
)


class Site(BaseModel):
    """A place a device can be: the district office, a school, a room, storage."""

    code = CharField(unique=True)
    name = CharField()
    kind = CharField(default="school")
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    sis_id = CharField(null=True, index=True)


class Person(BaseModel):
    """A student or staff member; ``district_id`` is the code printed on the ID card."""

    district_id = CharField(unique=True)
    first_name = CharField()
    last_name = CharField()
    role = CharField(default="student")
    grade = CharField(null=True)
    school = ForeignKeyField(Site, null=True, backref="people", on_delete="RESTRICT")
    homeroom = CharField(null=True)
    iep = BooleanField(default=False)
    sec504 = BooleanField(default=False)
    ell = BooleanField(default=False)
    active = BooleanField(default=True)
    case_number = IntegerField(null=True, unique=True)
    sis_id = CharField(null=True, index=True)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CatalogItem(BaseModel):
    """The one canonical name of a device model and what it costs."""

    name = CharField(unique=True)
    category = CharField(default="other")
    manufacturer = CharField(default="")
    eligible_grades = TextField(default="")
    """Comma-separated CEDS grades; empty means every grade."""
    eligible_schools = TextField(default="")
    """Comma-separated site codes; empty means every school."""
    lifespan_years = IntegerField(default=4)
    replacement_cost_cents = IntegerField(default=0)
    damage_fee_cents = IntegerField(null=True)


class CatalogAlias(BaseModel):
    """Another spelling of a catalog name, normalised (lower case, single spaces)."""

    alias = CharField(unique=True)
    item = ForeignKeyField(CatalogItem, backref="aliases", on_delete="CASCADE")


class Device(BaseModel):
    """One physical device. ``holder`` mirrors the open loan, if any."""

    asset_tag = CharField(unique=True)
    serial = CharField(unique=True)
    item = ForeignKeyField(CatalogItem, backref="devices", on_delete="RESTRICT")
    status = CharField(default="available", index=True)
    home_site = ForeignKeyField(Site, null=True, backref="home_devices", on_delete="RESTRICT", index=False)
    site = ForeignKeyField(Site, null=True, backref="devices", on_delete="RESTRICT")
    holder = ForeignKeyField(Person, null=True, backref="devices", on_delete="RESTRICT", index=False)
    """Indexed only where set (``device_holder_id``): the index answers what a person holds."""
    funding_source = CharField(default="")
    po_number = CharField(default="")
    purchase_date = DateField(null=True)
    purchase_cost_cents = IntegerField(null=True)
    warranty_end = DateField(null=True)
    aue_date = DateField(null=True)
    added_event = CharField(null=True)
    """The uuid of the ``devices.added`` event that brought the device in with an import; None when its own
    ``device.added`` event (``asset_tag`` set) did."""


Device.add_index(Device.index(Device.holder, name="device_holder_id").where(SQL("holder_id IS NOT NULL")))
