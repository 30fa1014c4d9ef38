"""One pass over a day's ledger: every event once, in ledger order, joined to its student, device and model.

The events are read in batches by id (keyset pages of ``BATCH`` rows, on
SQLite and PostgreSQL alike), so a day of fifty thousand events is never held
in memory; each sheet of the end-of-day workbook is a consumer that writes its
rows as the events go by.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import NamedTuple

from peewee import JOIN

from kiosk.reports.scope import DayScope
from models import CatalogItem, Device, Event, Fee, Operator, Person, Site, Station

ACTIONS = {
    "issued": "issued",
    "returned": "returned",
    "device.moved": "transferred",
    "status": "status change",
    "fee.assessed": "fee assessed",
    "fee.paid": "fee paid",
    "fee.waived": "fee waived",
    "rejected": "scan refused",
    "device.added": "device added",
    "devices.added": "devices imported",
    "ticket.opened": "repair ticket opened",
    "case.assigned": "case assigned",
    "case.released": "case released",
    "signin": "signed in",
    "signin.failed": "sign-in failed",
}
"""How each event kind is named in the workbooks; other kinds appear as they are."""
BATCH = 1000
SILENT_MOVE = "issued at another site"
"""The reason of the ``device.moved`` an issue writes when the device was at another school."""


class DayEvent(NamedTuple):
    """One event of the day with what the sheets show about it."""

    id: int
    at: dt.datetime
    """Naive UTC."""
    local: dt.datetime
    """Naive local time, for the cells."""
    station: str
    operator: str | None
    kind: str
    asset_tag: str | None
    person: str | None
    from_site: str | None
    to_site: str | None
    details: dict
    student: str | None
    """The person's name, when the event names a person kiosk knows."""
    homeroom: str | None
    school: str | None
    serial: str | None
    model: str | None
    category: str | None
    device_site: str | None
    """Where the device is recorded now."""
    uuid: str

    @property
    def action(self) -> str:
        return ACTIONS.get(self.kind, self.kind)

    @property
    def fee_cents(self) -> int | None:
        if self.kind.startswith("fee.") and "amount_cents" in self.details:
            return int(self.details["amount_cents"])
        return None

    @property
    def condition(self) -> str | None:
        if self.kind == "returned":
            return self.details.get("condition", "good")
        if self.kind == "status":
            return self.details.get("status")
        return None

    @property
    def note(self) -> str:
        d = self.details
        if self.kind == "rejected":
            return f"{d.get('reason', '')} (scan {d.get('scan', '')!r})"
        if self.kind == "status":
            text = f"{d.get('previous', '?')} -> {d.get('status')}"
            return f"{text}; loan closed" if d.get("loan_closed") else text
        if self.kind == "issued" and d.get("confirmed"):
            return "confirmed: " + ", ".join(d["confirmed"])
        if self.kind == "device.moved":
            return str(d.get("reason", ""))
        if self.kind.startswith("fee."):
            return str(d.get("reason") or d.get("method") or d.get("kind") or "")
        if self.kind == "devices.added":
            return f"{sum(len(g.get('devices', ())) for g in d.get('groups', ()))} devices"
        if self.kind == "case.assigned" or self.kind == "case.released":
            return f"CASE-{d.get('case')}"
        return ""


School = Site.alias("school")
DeviceSite = Site.alias("device_site")


def day_events(scope: DayScope) -> Iterator[DayEvent]:
    """Every event of the day in ledger order (all stations and sites; consumers filter)."""
    local = scope.local
    query = (
        Event.select(
            Event.id,
            Event.at,
            Event.station,
            Event.operator,
            Event.kind,
            Event.asset_tag,
            Event.person,
            Event.from_site,
            Event.to_site,
            Event.details,
            Person.first_name,
            Person.last_name,
            Person.homeroom,
            School.code,
            Device.serial,
            CatalogItem.name,
            CatalogItem.category,
            DeviceSite.code,
            Event.uuid,
        )
        .join(Person, JOIN.LEFT_OUTER, on=(Person.district_id == Event.person))
        .join(School, JOIN.LEFT_OUTER, on=(Person.school == School.id))
        .switch(Event)
        .join(Device, JOIN.LEFT_OUTER, on=(Device.asset_tag == Event.asset_tag))
        .join(CatalogItem, JOIN.LEFT_OUTER, on=(Device.item == CatalogItem.id))
        .join(DeviceSite, JOIN.LEFT_OUTER, on=(Device.site == DeviceSite.id))
        .where((Event.at >= scope.start) & (Event.at < scope.end))
        .order_by(Event.id)
        .limit(BATCH)
        .tuples()
    )
    loads, parse = json.loads, dt.datetime.fromisoformat
    database, last = Event._meta.database, 0
    while True:
        # The raw cursor skips peewee's per-value conversions; only ``at`` needs one (SQLite returns text).
        rows = database.execute(query.where(Event.id > last)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield from _day_events(rows, local, loads, parse)
        if len(rows) < BATCH:
            return


def _day_events(rows, local, loads, parse) -> Iterator[DayEvent]:
    for (eid, at, station, operator, kind, tag, person, from_site, to_site, details, first, last, homeroom,
         school, serial, model, category, device_site, uuid) in rows:  # fmt: skip
        if at.__class__ is str:
            at = parse(at)
        try:
            parsed = loads(details) if details and details != "{}" else {}
        except ValueError:
            parsed = {"unreadable": details}
        yield DayEvent(
            eid,
            at,
            local(at),
            station,
            operator,
            kind,
            tag,
            person,
            from_site,
            to_site,
            parsed if isinstance(parsed, dict) else {"value": parsed},
            f"{first} {last}" if first is not None else None,
            homeroom,
            school,
            serial,
            model,
            category,
            device_site,
            uuid,
        )


def count_events(scope: DayScope) -> int:
    return Event.select().where((Event.at >= scope.start) & (Event.at < scope.end)).count()


def station_sites(config_station: str | None, config_site: str | None) -> dict[str, str]:
    """Station name -> the code of the site it stands at (as far as kiosk knows)."""
    found = dict(Station.select(Station.name, Site.code).join(Site, on=(Station.site == Site.id)).tuples())
    if config_station and config_site:
        found.setdefault(config_station, config_site.upper())
    return found


def in_scope(scope: DayScope, stations: dict[str, str]) -> Callable[[DayEvent], bool]:
    """Whether an event belongs to the scope's station and site.

    An event belongs to a site when it moves a device from or to it, names a
    student of that school, names a device recorded there, or was written at a
    station standing there.
    """
    site, station = scope.site, scope.station

    def test(e: DayEvent) -> bool:
        if station is not None and e.station != station:
            return False
        if site is None:
            return True
        return site in (e.from_site, e.to_site, e.school, e.device_site, stations.get(e.station))

    return test


def operator_names() -> dict[str, str]:
    return dict(Operator.select(Operator.badge, Operator.name).tuples())


def site_names() -> dict[str, str]:
    return dict(Site.select(Site.code, Site.name).tuples())


def balances_owed() -> dict[str, int]:
    """Student ID -> what they owe now (owed fees, less what was paid on them)."""
    rows = (
        Fee.select(Person.district_id, Fee.amount_cents - Fee.paid_cents)
        .join(Person)
        .where(Fee.status == "owed")
        .tuples()
    )
    owed: dict[str, int] = {}
    for person, cents in rows.iterator():
        owed[person] = owed.get(person, 0) + int(cents)
    return owed


def fees_of_day(scope: DayScope) -> dict[str, Fee]:
    """The fee records the day's fee events assessed or settled, by the uuid of their ``fee.assessed``."""
    refs = set()
    events = Event.select(Event.uuid, Event.kind, Event.details).where(
        (Event.at >= scope.start) & (Event.at < scope.end) & (Event.kind.startswith("fee."))
    )
    for uuid, kind, details in events.tuples().iterator():
        if kind == "fee.assessed":
            refs.add(uuid)
        else:
            try:
                refs.add(json.loads(details or "{}").get("fee"))
            except (ValueError, AttributeError):
                continue
    refs.discard(None)
    found: dict[str, Fee] = {}
    refs_list = sorted(refs)
    for n in range(0, len(refs_list), 500):
        for fee in Fee.select().where(Fee.created_event.in_(refs_list[n : n + 500])):
            found[fee.created_event] = fee
    return found
