"""Adding sites, people, catalog items and devices one at a time.

Bulk loads (the demo district, imports) build the same rows and the same
``device.added`` events in batches; see ``kiosk.demo``.
"""

from __future__ import annotations

import datetime as dt

from kiosk import ledger
from kiosk.db import atomic, unavailable_as_error
from kiosk.errors import BadInput
from kiosk.services.common import require_site
from models import CatalogItem, Device, Person, Site

GRADES = ("PK", "KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")


def normalise_grade(value: str | int | None) -> str | None:
    """A CEDS grade code ('KG', '01'..'12', 'PK') from the spellings SIS exports use."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().upper()
    aliases = {"K": "KG", "KIND": "KG", "KINDERGARTEN": "KG", "0": "KG", "00": "KG", "PRE-K": "PK", "-1": "PK"}
    text = aliases.get(text, text)
    if text.isdigit():
        text = f"{int(text):02d}"
    if text not in GRADES:
        raise BadInput(f"{value!r} is not a grade; use PK, KG or 01-12.")
    return text


def add_site(code: str, name: str, kind: str = "school", parent: str | None = None) -> str:
    with unavailable_as_error(), atomic():
        if Site.get_or_none(Site.code == code):
            raise BadInput(f"Site {code} already exists.")
        Site.create(code=code, name=name, kind=kind, parent=require_site(parent) if parent else None)
        return code


def add_person(
    district_id: str,
    first_name: str,
    last_name: str,
    *,
    role: str = "student",
    grade: str | None = None,
    school: str | None = None,
    homeroom: str | None = None,
    iep: bool = False,
    sec504: bool = False,
    ell: bool = False,
) -> str:
    with unavailable_as_error(), atomic():
        if Person.get_or_none(Person.district_id == district_id):
            raise BadInput(f"Someone already has ID {district_id}.")
        Person.create(
            district_id=district_id,
            first_name=first_name,
            last_name=last_name,
            role=role,
            grade=normalise_grade(grade),
            school=require_site(school) if school else None,
            homeroom=homeroom,
            iep=iep,
            sec504=sec504,
            ell=ell,
        )
        return district_id


def add_catalog_item(
    name: str,
    category: str,
    *,
    manufacturer: str = "",
    eligible_grades: str = "",
    eligible_schools: str = "",
    lifespan_years: int = 4,
    replacement_cost_cents: int = 0,
    damage_fee_cents: int | None = None,
) -> str:
    with unavailable_as_error(), atomic():
        if CatalogItem.get_or_none(CatalogItem.name == name):
            raise BadInput(f"Catalog item {name!r} already exists.")
        CatalogItem.create(
            name=name,
            category=category,
            manufacturer=manufacturer,
            eligible_grades=eligible_grades,
            eligible_schools=eligible_schools,
            lifespan_years=lifespan_years,
            replacement_cost_cents=replacement_cost_cents,
            damage_fee_cents=damage_fee_cents,
        )
        return name


def add_device(
    asset_tag: str,
    serial: str,
    model: str,
    site: str,
    *,
    station: str,
    home_site: str | None = None,
    status: str = "available",
    funding_source: str = "",
    purchase_date: dt.date | None = None,
    purchase_cost_cents: int | None = None,
    aue_date: dt.date | None = None,
) -> str:
    """A device enters inventory (not on loan), with its ``device.added`` event."""
    if status == "issued":
        raise BadInput("A new device cannot start out issued; add it, then issue it.")
    with unavailable_as_error(), atomic():
        if Device.get_or_none((Device.asset_tag == asset_tag) | (Device.serial == serial)):
            raise BadInput(f"A device with tag {asset_tag} or serial {serial} already exists.")
        item = CatalogItem.get_or_none(CatalogItem.name == model)
        if item is None:
            raise BadInput(f"No catalog item is named {model!r}.")
        where = require_site(site)
        Device.create(
            asset_tag=asset_tag,
            serial=serial,
            item=item,
            status=status,
            site=where,
            home_site=require_site(home_site) if home_site else where,
            funding_source=funding_source,
            purchase_date=purchase_date,
            purchase_cost_cents=purchase_cost_cents,
            aue_date=aue_date,
        )
        ledger.record(
            "device.added",
            station=station,
            asset_tag=asset_tag,
            to_site=where.code,
            details={"status": status, "serial": serial, "model": model},
        )
        return asset_tag
