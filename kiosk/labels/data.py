"""What goes on the sheets: students, devices and sites read in one transaction each, as frozen values.

``--site`` means the site and every site under it (a district code prints all
its schools). Printing an asset label is recorded in the ledger as one
``device.labeled`` event per device (details: layout and file name); a device
without such an event is *unlabeled*. Nothing else here writes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN, fn

from kiosk import ledger
from kiosk.db import atomic, unavailable_as_error
from kiosk.dto import Actor
from kiosk.errors import BadInput, DomainError, PermissionDenied
from kiosk.services import permissions
from kiosk.services.inventory import normalise_grade
from models import CatalogItem, Device, Event, Operator, Person, Site

LABELED = "device.labeled"
NOT_LABELED = ("disposed", "retired")
"""Statuses left out unless the tags are named: nobody tags a device on its way out."""
_SQLITE_VARIABLES = 900


def natural(text: str | None) -> tuple:
    """Sort key that puts H-2 before H-10 and A9 before A10."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text or ""))


@dataclass(frozen=True)
class StudentLine:
    id: str
    first_name: str
    last_name: str
    grade: str | None
    homeroom: str | None
    school: str | None
    """Site code of the student's school (None: no school on record)."""
    school_name: str | None


@dataclass(frozen=True)
class AssetLabel:
    asset_tag: str
    serial: str
    model: str


@dataclass(frozen=True)
class SiteCard:
    code: str
    name: str
    kind: str
    parent: str | None
    """The parent site's name."""


def require_admin(actor: Actor | None, what: str) -> None:
    """An operator at a station must be an admin (re-read from the database); the command line passes None."""
    if actor is None:
        return
    op = Operator.get_or_none(Operator.badge == actor.badge)
    if op is None or not op.active:
        raise PermissionDenied(f"Operator badge {actor.badge} is not active; sign in again.")
    if not permissions.allowed(op.role, "labels"):
        raise PermissionDenied(f"An admin is needed for {what}; call one over.")


def _site_ids(code: str) -> tuple[Site, list[int]]:
    site = Site.get_or_none(fn.UPPER(Site.code) == code.strip().upper())
    if site is None:
        raise BadInput(f"No site has code {code}; check the code (`kiosk labels locations` prints them all).")
    children = defaultdict(list)
    for site_id, parent_id in Site.select(Site.id, Site.parent).tuples():
        children[parent_id].append(site_id)
    ids, todo = [], [site.id]
    while todo:
        current = todo.pop()
        if current not in ids:
            ids.append(current)
            todo.extend(children.get(current, ()))
    return site, ids


def _chunks(values: list, size: int = _SQLITE_VARIABLES):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def student_lines(
    *, site: str | None = None, homeroom: str | None = None, grade: str | None = None, actor: Actor | None = None
) -> list[StudentLine]:
    """Active students matching every filter given, in list order: school, homeroom, last name, first name.

    DomainError when nobody matches (nothing would be printed).
    """
    wanted_grade = normalise_grade(grade) if grade is not None else None
    with unavailable_as_error(), atomic():
        require_admin(actor, "printing student lists")
        query = (
            Person.select(Person, Site)
            .join(Site, JOIN.LEFT_OUTER, on=(Person.school == Site.id))
            .where((Person.role == "student") & Person.active)
        )
        if site is not None:
            _, ids = _site_ids(site)
            query = query.where(Person.school.in_(ids))
        if homeroom is not None:
            query = query.where(fn.UPPER(Person.homeroom) == homeroom.strip().upper())
        if wanted_grade is not None:
            query = query.where(Person.grade == wanted_grade)
        lines = [_student(p) for p in query.iterator()]
    if not lines:
        given = [f"--{k} {v}" for k, v in (("site", site), ("homeroom", homeroom), ("grade", grade)) if v is not None]
        raise DomainError(f"No active student matches {' '.join(given) or 'at all'}; nothing was written.")
    return sorted(
        lines, key=lambda s: (natural(s.school), natural(s.homeroom), natural(s.last_name), natural(s.first_name))
    )


def _student(p: Person) -> StudentLine:
    school = p.school if p.school_id else None
    return StudentLine(
        p.district_id, p.first_name, p.last_name, p.grade, p.homeroom, school and school.code, school and school.name
    )


def asset_labels(
    *, site: str | None = None, tags: list[str] | None = None, unlabeled: bool = False
) -> list[AssetLabel]:
    """Devices to label: the tags named (in their order, any status), or every device at ``site`` / unlabeled.

    BadInput names the tags that are unknown (or not at ``site``); DomainError
    when nothing is left to print.
    """
    with unavailable_as_error(), atomic():
        query = Device.select(Device, CatalogItem).join(CatalogItem)
        site_ids = _site_ids(site)[1] if site is not None else None
        if tags is not None:
            found = {}
            for chunk in _chunks(list(dict.fromkeys(tags))):
                found.update({d.asset_tag: d for d in query.where(Device.asset_tag.in_(chunk))})
            unknown = [t for t in tags if t not in found]
            if unknown:
                raise BadInput(f"No device has asset tag {', '.join(unknown)}; nothing was written.")
            if site_ids is not None:
                away = [t for t in tags if found[t].site_id not in site_ids]
                if away:
                    raise BadInput(f"{', '.join(away)} not at {site} or a site under it; nothing was written.")
            return [AssetLabel(t, found[t].serial, found[t].item.name) for t in dict.fromkeys(tags)]
        query = query.where(Device.status.not_in(NOT_LABELED))
        if site_ids is not None:
            query = query.where(Device.site.in_(site_ids))
        if unlabeled:
            printed = Event.select(Event.id).where((Event.asset_tag == Device.asset_tag) & (Event.kind == LABELED))
            query = query.where(~fn.EXISTS(printed))
        labels = [AssetLabel(d.asset_tag, d.serial, d.item.name) for d in query.iterator()]
    if not labels:
        what = "unlabeled device" if unlabeled else "device"
        where = f" at {site}" if site else ""
        raise DomainError(f"There is no {what}{where} to label (disposed and retired ones are left out).")
    return sorted(labels, key=lambda a: natural(a.asset_tag))


def record_labeled(tags: list[str], *, station: str, layout: str, file: str, operator: str | None = None) -> int:
    """Write one ``device.labeled`` event per tag, in one transaction; returns how many."""
    with unavailable_as_error(), atomic():
        chain = ledger.BulkChain.open(station)
        details = {"layout": layout, "file": file}
        rows = [chain.row(LABELED, asset_tag=tag, operator=operator, details=details) for tag in tags]
        for chunk in _chunks(rows, _SQLITE_VARIABLES // 16):
            Event.insert_many(chunk).execute()
        chain.close()
    return len(tags)


def site_cards(*, site: str | None = None) -> list[SiteCard]:
    """Every site (or ``site`` and those under it), by code."""
    with unavailable_as_error(), atomic():
        parents = dict(Site.select(Site.id, Site.name).tuples())
        query = Site.select()
        if site is not None:
            query = query.where(Site.id.in_(_site_ids(site)[1]))
        cards = [SiteCard(s.code, s.name, s.kind, parents.get(s.parent_id)) for s in query]
    if not cards:
        raise DomainError("There is no site to print a card for; import the roster first.")
    return sorted(cards, key=lambda c: natural(c.code))
