"""Issue, return, transfer and status changes: the circulation use cases."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Sequence

from peewee import IntegrityError, Value

from kiosk import clock, ledger
from kiosk.config import Config
from kiosk.db import atomic, for_update, is_postgres, unavailable_as_error
from kiosk.dto import Actor, IssueResult, ReturnResult, StatusResult, TransferResult
from kiosk.errors import (
    BadInput,
    DeviceAlreadyIssued,
    DeviceNotIssuable,
    DeviceNotOnLoan,
    InactivePerson,
    NeedsConfirmation,
    UnknownCode,
)
from kiosk.services import fees, loaners, tickets
from kiosk.services.common import (
    authorize,
    authorize_replayed,
    card_facts,
    card_facts_query,
    device_card,
    location_card,
    replayed,
    require_device,
    require_site,
    require_student,
    site_by_code,
    student_card,
)
from kiosk.services.issue_checks import issue_warnings
from models import Device, Loan, Person, Station, Ticket, utcnow
from models.prepared import Prepared

CONDITION_STATUS = {"good": "available", "damaged": "in_repair", "nocharger": "available", "lost": "lost"}
"""Device status after a return in each condition. A damaged device goes in repair with a ticket; a missing
charger leaves the device itself usable."""
CONDITION_INCIDENT = {"damaged": "damage", "nocharger": "charger", "lost": "loss"}
"""The fee policy's incident for each return condition (a good return costs nothing)."""
TICKET_ENDS = {"available": "repaired", "disposed": "unrepairable", "retired": "unrepairable"}
"""Statuses that end a repair: a device with an open ticket gets them by closing the ticket."""
SETTABLE = ("available", "damaged", "in_repair", "lost", "stolen", "disposed", "retired")
LOSS_STATUSES = ("lost", "stolen")

# The queries of an issue and a return, their SQL built once (models.prepared).
_LOCK = Prepared(lambda device: for_update(Device.select().where(Device.id == device)))
_OPEN_LOAN = Prepared(
    lambda device: Loan.select(Loan, Person).join(Person).where((Loan.device == device) & Loan.returned_at.is_null())
    .limit(1),
    related=("person",),
)  # fmt: skip
_LEND = Prepared(
    lambda device, person, at, by, station, condition, loaner, ticket: Loan.insert(
        device=device, person=person, issued_at=at, issued_by=by, issued_station=station, condition_out=condition,
        loaner=Value(loaner, converter=False), ticket=ticket,  # a flag: bound as it comes (models.prepared)
    )
)  # fmt: skip
_CLOSE_LOAN = Prepared(
    lambda at, by, condition, loan: Loan.update(returned_at=at, returned_by=by, condition_in=condition).where(
        Loan.id == loan
    )
)
_ISSUE_FACTS = Prepared(
    lambda person, status, kind, year, reason: card_facts_query(
        person, status, kind, year, reason, loaners.business_column(person)
    )
)
"""The student card's facts with ``business`` beside them (whether the issue could be a loaner swap)."""
_SAVE_DEVICE = Prepared(
    lambda status, holder, device: Device.update(status=status, holder=holder).where(Device.id == device)
)
_SAVE_MOVED_DEVICE = Prepared(
    lambda status, holder, site, device: Device.update(status=status, holder=holder, site=site).where(
        Device.id == device
    )
)


def _save(device: Device, site_before: int | None) -> None:
    """Write what a loan changes on the device row: status, holder, and the site when it changed (an unchanged
    site left out of the UPDATE leaves its index alone: one page less for the commit to write)."""
    if device.site_id == site_before:
        _SAVE_DEVICE.execute(device.status, device.holder_id, device.id)
    else:
        _SAVE_MOVED_DEVICE.execute(device.status, device.holder_id, device.site_id, device.id)


def _locked_device(code: str) -> Device:
    device = require_device(code)
    return _LOCK.first(device.id) if is_postgres() else device  # SQLite: the write transaction holds the file


def _already_issued(device: Device) -> DeviceAlreadyIssued:
    loan = _OPEN_LOAN.first(device.id)
    holder = loan.person if loan else device.holder
    since = f" since {clock.show(loan.issued_at)}" if loan else ""
    who = f"{holder.full_name} ({holder.district_id})" if holder else "someone"
    return DeviceAlreadyIssued(f"{device.asset_tag} is already issued to {who}{since}. Return it first.")


def _station_site(actor: Actor, config: Config, device: Device):
    if config.station_site:
        here = device.site  # read with the device: most devices come back to the site they are recorded at
        mine = here is not None and here.code.upper() == config.station_site.upper()
        site = here if mine else site_by_code(config.station_site)
        if site is None:
            raise UnknownCode(
                f"This station's site {config.station_site} (station_site in the config) is not a known location; "
                "nothing was recorded. Ask an admin to fix the config."
            )
        return site
    station = Station.get_or_none(Station.name == actor.station)
    return station.site if station else None


def issue(
    actor: Actor,
    student_code: str,
    device_code: str,
    *,
    config: Config,
    confirmed: Sequence[str] = (),
    idem_key: str | None = None,
) -> IssueResult:
    """Lend a device to a student, after every check; moves it to the student's school if needed.

    Warnings not named in ``confirmed`` raise NeedsConfirmation; the caller
    retries with their codes once the operator confirms.
    """
    with unavailable_as_error(), atomic():
        # the role the database holds now decides the override, not the one the caller's Actor claims
        op, done = authorize_replayed(actor, "issue", idem_key, "issued")
        if op.role != actor.role:
            actor = dataclasses.replace(actor, role=op.role)
        if done is not None:
            person, device = require_student(done.person), require_device(done.asset_tag)
            return IssueResult(student_card(person, config), device_card(device), None, (), done.uuid, True)
        person = require_student(student_code)
        if not person.active:
            raise InactivePerson(f"{person.full_name} ({person.district_id}) is not active; send them to the office.")
        device = _locked_device(device_code)
        if device.status == "issued":
            raise _already_issued(device)
        if device.status != "available":
            raise DeviceNotIssuable(
                f"{device.asset_tag} is {device.status.replace('_', ' ')}; it cannot be issued. "
                "Set it aside for a technician and pick another."
            )
        facts = card_facts(person, config, _ISSUE_FACTS)  # the card's figures and the business flag, in one read
        collect = cover = None
        if facts.extra[0]:  # most students hold no loaner and wait on no repair
            collect = loaners.loaner_to_collect(person, device)
            cover = None if collect is not None else loaners.cover_for(person, device)
        warnings = issue_warnings(person, device, actor, config, facts, exempt=collect.device if collect else None)
        pending = [(code, text) for code, text in warnings if code not in confirmed]
        if pending:
            raise NeedsConfirmation(pending[0][1], tuple(c for c, _ in pending), tuple(t for _, t in pending))
        moved_from = None
        site_before = device.site_id
        school = person.school
        if school is not None and device.site_id == school.id:
            device.site = school  # the row already loaded: the card needs no second look-up
        elif school is not None:
            moved_from = device.site.code if device.site else None
            ledger.record(
                "device.moved",
                station=actor.station,
                operator=actor.badge,
                asset_tag=device.asset_tag,
                from_site=moved_from,
                to_site=school.code,
                details={"reason": "issued at another site"},
            )
            device.site = school
        try:
            # PostgreSQL aborts the whole transaction on a failed statement unless it runs in a savepoint;
            # SQLite undoes only the statement, so there the savepoint's two round trips buy nothing.
            with atomic() if is_postgres() else contextlib.nullcontext():
                _LEND.insert(device.id, person.id, utcnow(), actor.badge, actor.station, "good", cover is not None,
                             cover.id if cover is not None else None)  # fmt: skip
        except IntegrityError as exc:
            raise _already_issued(device) from exc
        device.status = "issued"
        device.holder = person
        _save(device, site_before)
        details: dict = {"confirmed": sorted(c for c, _ in warnings)} if warnings else {}
        if cover is not None:
            details.update(loaner=True, ticket=cover.opened_event, covers=cover.device.asset_tag)
        event = ledger.record(
            "issued",
            station=actor.station,
            operator=actor.badge,
            asset_tag=device.asset_tag,
            person=person.district_id,
            to_site=school.code if school else None,
            details=details,
            idem_key=idem_key,
        )
        return IssueResult(
            student_card(person, config, facts.holding(device.asset_tag, device.item.name, device.item.category)),
            device_card(device),
            moved_from,
            tuple(c for c, _ in warnings),
            event.uuid,
            loaner_for=cover.device.asset_tag if cover else None,
            collect=collect.device.asset_tag if collect else None,
        )


def return_device(
    actor: Actor,
    device_code: str,
    *,
    config: Config,
    condition: str = "good",
    idem_key: str | None = None,
) -> ReturnResult:
    """Close the device's open loan; its status follows the condition it came back in.

    Damaged: the device goes in repair with a ticket. Damaged, missing charger or lost: the fee policy
    is applied to the student (a free break or a fee), in the same transaction.
    """
    if condition not in CONDITION_STATUS:
        raise BadInput(f"Unknown return condition {condition!r}.")
    with unavailable_as_error(), atomic():
        _, done = authorize_replayed(actor, "return", idem_key, "returned")
        if done is not None:
            device = require_device(done.asset_tag)
            person = require_student(done.person) if done.person else None
            card = student_card(person, config) if person else None
            recorded = json.loads(done.details or "{}").get("condition", condition)
            return ReturnResult(device_card(device), card, recorded, done.uuid, True)
        device = _locked_device(device_code)
        loan = _OPEN_LOAN.first(device.id)
        if loan is None:
            where = device.site.code if device.site else "no site"
            raise DeviceNotOnLoan(
                f"{device.asset_tag} is not on loan (it is {device.status.replace('_', ' ')} at {where}); "
                "nothing to return."
            )
        person = loan.person
        status = CONDITION_STATUS[condition]
        # A device reported lost never reached the desk: it stays recorded where it was.
        site = None if condition == "lost" else _station_site(actor, config, device)
        _CLOSE_LOAN.execute(utcnow(), actor.badge, condition, loan.id)
        from_site = device.site.code if device.site else None
        site_before = device.site_id
        device.status = status
        device.holder = None
        if site is not None:
            device.site = site
        _save(device, site_before)
        event = ledger.record(
            "returned",
            station=actor.station,
            operator=actor.badge,
            asset_tag=device.asset_tag,
            person=person.district_id,
            from_site=from_site,
            to_site=site.code if site else None,
            details={"condition": condition, "status": status},
            idem_key=idem_key,
        )
        ticket = tickets.open_for(actor, device, person, "returned damaged") if condition == "damaged" else None
        applied = None
        if condition in CONDITION_INCIDENT:
            applied = fees.apply_incident(actor, person, device, CONDITION_INCIDENT[condition], config=config)
        return ReturnResult(
            device_card(device),
            student_card(person, config),
            condition,
            event.uuid,
            charge=applied.message if applied else None,
            ticket=ticket.id if ticket else None,
        )


def transfer(
    actor: Actor,
    device_codes: Sequence[str],
    destination: str,
    *,
    idem_key: str | None = None,
) -> TransferResult:
    """Move devices (none on loan) to the site ``destination``; all of them or none."""
    if not device_codes:
        raise BadInput("Name at least one device to transfer.")
    with unavailable_as_error(), atomic():
        authorize(actor, "transfer")
        site = require_site(destination)
        done = replayed(idem_key, "device.moved")
        if done is not None:
            device = require_device(done.asset_tag)
            return TransferResult((device_card(device),), location_card(site), (done.uuid,), True)
        cards, ids = [], []
        for n, code in enumerate(device_codes):
            device = _locked_device(code)
            if device.status == "issued":
                raise DeviceAlreadyIssued(
                    f"{device.asset_tag} is on loan to {device.holder.full_name}; return it before moving it."
                )
            from_site = device.site.code if device.site else None
            if device.site_id != site.id:
                device.site = site
                device.save()
                event = ledger.record(
                    "device.moved",
                    station=actor.station,
                    operator=actor.badge,
                    asset_tag=device.asset_tag,
                    from_site=from_site,
                    to_site=site.code,
                    details={"reason": "transfer"},
                    idem_key=f"{idem_key}#{n}" if idem_key and n else idem_key,
                )
                ids.append(event.uuid)
            cards.append(device_card(device, with_history=False))
        return TransferResult(tuple(cards), location_card(site), tuple(ids))


def set_status(
    actor: Actor,
    device_code: str,
    status: str,
    *,
    config: Config | None = None,
    note: str = "",
    idem_key: str | None = None,
) -> StatusResult:
    """A technician's status change. Lost or stolen closes an open loan and applies the fee policy to the
    holder (``config`` names the policy; the defaults without it); other changes need the device back."""
    if status not in SETTABLE:
        raise BadInput(f"Unknown status {status!r}; use one of {', '.join(SETTABLE)}.")
    with unavailable_as_error(), atomic():
        authorize(actor, "status")
        done = replayed(idem_key, "status")
        if done is not None:
            device = require_device(done.asset_tag)
            previous = json.loads(done.details or "{}").get("previous", "")
            return StatusResult(device_card(device), previous, done.uuid, True)
        device = _locked_device(device_code)
        previous = device.status
        if previous == status:
            raise DeviceNotIssuable(f"{device.asset_tag} is already {status.replace('_', ' ')}.")
        ticket = Ticket.get_or_none((Ticket.device == device) & Ticket.resolved_at.is_null())
        if ticket is not None and status in TICKET_ENDS:
            raise DeviceNotIssuable(
                f"{device.asset_tag} has open repair ticket {ticket.id}; close the ticket instead "
                f"(kiosk tickets update {device.asset_tag} --status {TICKET_ENDS[status]})."
            )
        details: dict = {"status": status, "previous": previous}
        person_code = holder = None
        if previous == "issued":
            if status not in LOSS_STATUSES:
                raise DeviceAlreadyIssued(
                    f"{device.asset_tag} is on loan to {device.holder.full_name}; return it before "
                    f"marking it {status.replace('_', ' ')}."
                )
            Loan.update(returned_at=utcnow(), returned_by=actor.badge, condition_in=status).where(
                (Loan.device == device) & (Loan.returned_at.is_null())
            ).execute()
            holder = device.holder
            person_code = holder.district_id
            details["loan_closed"] = True
            device.holder = None
        if note:
            details["note"] = note
        device.status = status
        device.save()
        event = ledger.record(
            "status",
            station=actor.station,
            operator=actor.badge,
            asset_tag=device.asset_tag,
            person=person_code,
            details=details,
            idem_key=idem_key,
        )
        applied = None
        if holder is not None:
            applied = fees.apply_incident(actor, holder, device, "loss" if status == "lost" else "stolen",
                                          config=config or Config())  # fmt: skip
        return StatusResult(device_card(device), previous, event.uuid, charge=applied.message if applied else None)
