"""Shared look-ups and the cards every use case returns."""

from __future__ import annotations

import json
from typing import NamedTuple

from peewee import JOIN, Case, Select, fn

from kiosk import clock, ledger
from kiosk.config import Config
from kiosk.dto import Actor, DeviceCard, HistoryLine, LocationCard, StudentCard
from kiosk.errors import DomainError, PermissionDenied, UnknownCode
from kiosk.services import permissions
from models import CatalogItem, Device, Event, Fee, Operator, Person, Site, database
from models.prepared import Prepared

FREE_BREAK_REASON = "free break"

# The look-ups every scan makes, their SQL built once (models.prepared).
_OPERATOR = Prepared(lambda badge: Operator.select().where(Operator.badge == badge).limit(1))
_SCHOOL = Site.alias("school")
_PERSON = Prepared(
    lambda code: (
        Person.select(Person, _SCHOOL)
        .join(_SCHOOL, JOIN.LEFT_OUTER, on=(Person.school == _SCHOOL.id))
        .where(Person.district_id == code)
        .limit(1)
    ),
    related=("school",),
)
_HOME = Site.alias("home")


def _device_where(condition):
    """A device with what its card shows: model, site and home site, in one statement."""
    return (
        Device.select(Device, CatalogItem, Site, _HOME)
        .join(CatalogItem)
        .switch(Device)
        .join(Site, JOIN.LEFT_OUTER, on=(Device.site == Site.id))
        .switch(Device)
        .join(_HOME, JOIN.LEFT_OUTER, on=(Device.home_site == _HOME.id))
        .where(condition)
        .limit(1)
    )


_BY_TAG = Prepared(lambda code: _device_where(Device.asset_tag == code), related=("item", "site", "home_site"))
_BY_SERIAL = Prepared(lambda code: _device_where(Device.serial == code), related=("item", "site", "home_site"))
_SITE = Prepared(lambda code: Site.select().where(fn.UPPER(Site.code) == code).limit(1))


def _fee_totals(person, status, kind, year, reason, *extra):
    """Cents owed and free breaks used this school year, in one row (and ``extra`` columns beside them)."""
    owed = Case(None, [(Fee.status == status, Fee.amount_cents - Fee.paid_cents)], 0)
    free_break = Case(None, [((Fee.kind == kind) & (Fee.school_year == year) & (Fee.reason == reason), 1)], 0)
    return Fee.select(
        fn.COALESCE(fn.SUM(owed), 0).alias("owed"), fn.COALESCE(fn.SUM(free_break), 0).alias("breaks"), *extra
    ).where(Fee.person == person)


def card_facts_query(person, status, kind, year, reason, *extra):
    """Everything a student card reads, in one statement: the fee totals (and ``extra`` columns) repeated on one
    row per device the student holds (asset tag, model, category); a student holding nothing gets one row
    whose device columns are NULL."""
    totals = _fee_totals(person, status, kind, year, reason, *extra).alias("totals")
    columns = [totals.c.owed, totals.c.breaks, *(getattr(totals.c, e._alias) for e in extra)]
    return (
        Select([totals], [*columns, Device.asset_tag, CatalogItem.name, CatalogItem.category])
        .join(Device, JOIN.LEFT_OUTER, on=(Device.holder == person))
        .join(CatalogItem, JOIN.LEFT_OUTER, on=(Device.item == CatalogItem.id))
        .bind(database)
    )


_CARD_FACTS = Prepared(card_facts_query)


class CardFacts(NamedTuple):
    """What a student card shows besides the person's own row: fees, free breaks and the devices held."""

    owed: int
    breaks_used: int
    held: tuple[tuple[str, str, str], ...]
    """(asset tag, model, category) of each device the student holds, in asset tag order (sorted here, not by
    the database, whose collation differs between SQLite and PostgreSQL: an issue's card adds its device to
    the list it read and must come out in the order a fresh read gives)."""
    extra: tuple = ()
    """The ``extra`` columns a caller's own facts query added."""

    def holding(self, tag: str, model: str, category: str) -> CardFacts:
        """The same facts once the student also holds ``tag`` (an issue's card: no second read)."""
        return self._replace(held=tuple(sorted((*self.held, (tag, model, category)))))


def card_facts(person: Person, config: Config, query: Prepared = _CARD_FACTS) -> CardFacts:
    """:class:`CardFacts` in one statement; ``query`` is :func:`card_facts_query` with extra columns, if any."""
    year = clock.school_year(clock.today(), config.school_year_start_month, config.school_year_start_day)
    rows = query.tuples(person.id, "owed", "damage", year, FREE_BREAK_REASON)
    first = rows[0]
    held = tuple(sorted(row[-3:] for row in rows)) if first[-3] is not None else ()
    return CardFacts(int(first[0] or 0), int(first[1] or 0), held, first[2:-3])


_HISTORY_COLUMNS = (Event.at, Event.kind, Event.person, Event.from_site, Event.to_site, Event.details)
"""What a history line shows: on SQLite the columns of the ``event_history`` index (migration 0011), so a
card's history is one index page, not a page of the event table for each line."""
_HISTORY = Prepared(
    lambda tag, limit: (
        Event.select(*_HISTORY_COLUMNS).where(Event.asset_tag == tag).order_by(Event.id.desc()).limit(limit)
    )
)
_ADDED_BY = Prepared(lambda uuid: Event.select(*_HISTORY_COLUMNS).where(Event.uuid == uuid))


def authorize(actor: Actor, action: str) -> Operator:
    """Re-read the operator and check ``action`` against the role the database holds now."""
    return _allowed(_OPERATOR.first(actor.badge), actor, action)


def _allowed(op: Operator | None, actor: Actor, action: str) -> Operator:
    if op is None or not op.active:
        raise PermissionDenied(f"Operator badge {actor.badge} is not active; sign in again.")
    permissions.require(op.role, action)
    return op


_OPERATOR_AND_DONE = Prepared(
    lambda badge, key: (
        Operator.select(Operator, Event)
        .join(Event, JOIN.LEFT_OUTER, on=(Event.idem_key == key))
        .where(Operator.badge == badge)
        .limit(1)
    ),
    beside=(Event,),
)
"""The operator and the event already written for a retried request's key, in one statement (a scan's
first two questions)."""


def authorize_replayed(actor: Actor, action: str, idem_key: str | None, *kinds: str) -> tuple[Operator, Event | None]:
    """:func:`authorize`, then :func:`replayed`, answered by one statement."""
    found = _OPERATOR_AND_DONE.first_each(actor.badge, idem_key)  # no key binds NULL, which matches no event
    op, done = found if found is not None else (None, None)
    return _allowed(op, actor, action), _replay_of(done, kinds)


def replayed(idem_key: str | None, *kinds: str) -> Event | None:
    """The event a retried request (same idempotency key) already wrote, or None for a new request.

    A key that was spent on a refused scan refuses again with the same reason
    (the scan is applied exactly once, and so is its refusal); a key spent on
    another kind of change is refused rather than misread.
    """
    return _replay_of(ledger.find_by_key(idem_key), kinds)


def _replay_of(done: Event | None, kinds: tuple[str, ...]) -> Event | None:
    if done is None or done.kind in kinds:
        return done
    if done.kind == "rejected":
        reason = json.loads(done.details or "{}").get("reason")
        raise DomainError(reason or "This scan was already refused; scan the next item.")
    raise DomainError(f"This scan was already recorded ({done.kind}); nothing more was done. Scan the next item.")


def person_by_code(code: str) -> Person | None:
    return _PERSON.first(code)


def device_by_code(code: str) -> Device | None:
    """An asset tag, or failing that a serial number (the manufacturer's barcode)."""
    return _BY_TAG.first(code) or _BY_SERIAL.first(code)


def site_by_code(code: str) -> Site | None:
    return _SITE.first(code.upper())


def require_student(code: str) -> Person:
    person = person_by_code(code)
    if person is None:
        raise UnknownCode(f"No student or staff member has ID {code}. Check the card or look the student up.")
    return person


def require_device(code: str) -> Device:
    device = device_by_code(code)
    if device is None:
        raise UnknownCode(f"No device has asset tag or serial {code}. Set it aside for a technician.")
    return device


def require_site(code: str) -> Site:
    site = site_by_code(code)
    if site is None:
        raise UnknownCode(f"No location has code {code}. Scan a LOC- card printed by kiosk.")
    return site


def programs(person: Person) -> tuple[str, ...]:
    return tuple(name for name, flag in (("IEP", person.iep), ("504", person.sec504), ("ELL", person.ell)) if flag)


def student_card(person: Person, config: Config, facts: CardFacts | None = None) -> StudentCard:
    """The student's card; ``facts`` is :func:`card_facts` when the caller has them already (and changed
    nothing they show since)."""
    owed, breaks_used, held, _ = facts if facts is not None else card_facts(person, config)
    school = person.school
    return StudentCard(
        id=person.district_id,
        name=person.full_name,
        role=person.role,
        grade=person.grade,
        school=school.code if school else None,
        school_name=school.name if school else None,
        homeroom=person.homeroom,
        programs=programs(person),
        case_number=person.case_number,
        devices=tuple(tag for tag, _, _ in held),
        device_lines=tuple(f"{tag}  {name}" for tag, name, _ in held),
        fees_owed_cents=owed,
        free_breaks_left=max(0, config.free_breaks_per_year - breaks_used),
        active=person.active,
    )


_DETAILS: dict[str, dict] = {}
"""Short event details already parsed for a history line, by their text (most returns store one of a few)."""


def _details(text: str | None) -> dict:
    if not text or text == "{}":
        return {}
    found = _DETAILS.get(text)
    if found is None:
        found = json.loads(text)
        if len(text) <= 200:  # an import's details list its devices: parsed once, not kept
            _DETAILS[text] = found
    return found


def _summary(kind: str, person: str | None, from_site: str | None, to_site: str | None, text: str | None) -> str:
    if kind == "issued":  # the commonest line reads no details
        return f"issued to {person}"
    details = _details(text)
    if kind == "returned":
        return f"returned by {person} ({details.get('condition', 'good')})"
    if kind == "device.moved":
        return f"moved {from_site or '?'} -> {to_site}"
    if kind == "status":
        return f"status {details.get('previous', '?')} -> {details.get('status')}"
    if kind == "rejected":
        return f"refused: {details.get('reason', '')}"
    if kind == "fee.assessed":
        reason = f" ({details['reason']})" if details.get("reason") else ""
        return (
            f"{details.get('kind', 'fee')} fee ${int(details.get('amount_cents') or 0) / 100:,.2f} to {person}{reason}"
        )
    if kind == "ticket.opened":
        return f"repair ticket opened: {details.get('problem') or 'no problem noted'}"
    if kind == "devices.added":
        return f"imported with {sum(len(g.get('devices', ())) for g in details.get('groups', ()))} devices"
    if kind == "device.labeled":
        return "asset label printed"
    if kind == "ticket.updated":
        return f"repair ticket {details.get('previous', '?')} -> {details.get('status', '?')}"
    return kind


_LINES: dict[tuple, HistoryLine] = {}
"""History lines already made, by the event columns they show (events never change): a device's card shows
mostly the lines it showed at its last scan."""
_LINES_MADE_FOR = [-1]
"""The clock's zone generation the lines were made in."""


def _new_line(row: tuple) -> HistoryLine:
    """The line for an event's history columns (``_HISTORY_COLUMNS``), kept for the next card."""
    at, kind, person, from_site, to_site, details = row
    line = _LINES[row] = HistoryLine(_shown_at(at), kind, _summary(kind, person, from_site, to_site, details))
    return line


def _shown_at(at) -> str:
    if at.__class__ is str:  # SQLite hands timestamps back as text
        try:
            return clock.show_stored(at)
        except ValueError:
            at = Event.at.python_value(at)
    return clock.show(at)


def history(asset_tag: str, limit: int = 8, added_event: str | None = None) -> tuple[HistoryLine, ...]:
    """The device's latest events, newest first; ``added_event`` (an imported device's ``devices.added``,
    which names no single tag) takes its place at the start of the history."""
    rows = _HISTORY.tuples(asset_tag, limit)
    if added_event and len(rows) < limit:
        rows.extend(_ADDED_BY.tuples(added_event))
    if _LINES_MADE_FOR[0] != clock.generation() or len(_LINES) > 4096:
        _LINES.clear()
        _DETAILS.clear()
        _LINES_MADE_FOR[0] = clock.generation()
    known = _LINES.get
    return tuple([known(row) or _new_line(row) for row in rows])


def device_card(device: Device, *, with_history: bool = True) -> DeviceCard:
    holder = device.holder
    site = device.site
    return DeviceCard(
        asset_tag=device.asset_tag,
        serial=device.serial,
        model=device.item.name,
        category=device.item.category,
        status=device.status,
        holder=holder.district_id if holder else None,
        holder_name=holder.full_name if holder else None,
        site=site.code if site else None,
        site_name=site.name if site else None,
        home_site=(site if device.home_site_id == device.site_id else device.home_site).code
        if device.home_site_id
        else None,
        aue_date=device.aue_date.isoformat() if device.aue_date else None,
        history=history(device.asset_tag, added_event=device.added_event) if with_history else (),
    )


def location_card(site: Site) -> LocationCard:
    counts = (
        Device.select(Device.status, fn.COUNT(Device.id))
        .where(Device.site == site)
        .group_by(Device.status)
        .order_by(Device.status)
        .tuples()
    )
    return LocationCard(
        code=site.code,
        name=site.name,
        kind=site.kind,
        parent=site.parent.code if site.parent else None,
        devices_by_status=tuple((status, int(n)) for status, n in counts),
    )
