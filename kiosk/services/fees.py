"""Fees: the policy applied to an incident, payments, waivers, and a student's statement.

``apply_incident`` runs inside the use case that found the incident (a damaged
return, a missing charger, a lost or stolen device), so the fee and its
``fee.assessed`` event commit with it. Everything else is one use case per
function in its own transaction.

Free breaks cover accidental damage only; a free break is a zero fee of kind
``damage`` with the reason ``free break``, so the count can be audited and
replayed. Fees follow the student: the count is per student per school year.
"""

from __future__ import annotations

import json
import uuid as uuidlib

from peewee import fn

from kiosk import clock, ledger, policy
from kiosk.accountability import FeeApplied, FeeLine, FeeStatement, PaymentLine, PaymentResult, WaiveResult
from kiosk.config import Config
from kiosk.db import atomic, for_update, is_postgres, unavailable_as_error
from kiosk.dto import Actor
from kiosk.errors import BadInput, DomainError, UnknownCode
from kiosk.services.common import FREE_BREAK_REASON, authorize, require_device, require_student
from models import CatalogItem, Device, Event, Fee, Person

METHODS = ("cash", "check", "card", "online")
INCIDENTS = ("damage", "charger", "loss", "stolen")


class FeeNotOwed(DomainError):
    """The fee was already paid or waived, or there is nothing left to settle."""


class Overpayment(DomainError):
    """A payment larger than what is owed (a balance never goes negative)."""


def _lock_person(person: Person) -> Person:
    """Hold the student's row until the transaction ends, so two stations count one student's fees in turn.

    PostgreSQL: FOR NO KEY UPDATE, which rows merely referring to the student (a ticket or a fee just
    inserted by this or another transaction) do not block; FOR UPDATE would deadlock against them.
    """
    query = Person.select().where(Person.id == person.id)
    return (query.for_update("FOR NO KEY UPDATE") if is_postgres() else query).get()


def _name(person: Person) -> str:
    return f"{person.full_name} ({person.district_id})"


def fee_line(fee: Fee) -> FeeLine:
    device = fee.device
    return FeeLine(
        id=fee.id,
        kind=fee.kind,
        amount_cents=fee.amount_cents,
        paid_cents=fee.paid_cents,
        status=fee.status,
        school_year=fee.school_year,
        reason=fee.reason,
        asset_tag=device.asset_tag if device else None,
        created=clock.show(fee.created_at),
        free_break=fee.kind == "damage" and fee.reason == FREE_BREAK_REASON,
        event_id=fee.created_event,
    )


def _free_breaks_used(person: Person, year: int) -> int:
    return (
        Fee.select()
        .where(
            (Fee.person == person)
            & (Fee.kind == "damage")
            & (Fee.school_year == year)
            & (Fee.reason == FREE_BREAK_REASON)
        )
        .count()
    )


def _charged(person: Person, year: int) -> int:
    """What the student was charged in school year ``year``; waived fees do not count towards the cap."""
    total = (
        Fee.select(fn.COALESCE(fn.SUM(Fee.amount_cents), 0))
        .where((Fee.person == person) & (Fee.school_year == year) & (Fee.status != "waived"))
        .scalar()
    )
    return int(total or 0)


def _balance(person: Person) -> int:
    owed = (
        Fee.select(fn.COALESCE(fn.SUM(Fee.amount_cents - Fee.paid_cents), 0))
        .where((Fee.person == person) & (Fee.status == "owed"))
        .scalar()
    )
    return int(owed or 0)


def _create(actor: Actor, person: Person, device: Device | None, kind: str, amount: int, year: int, reason: str,
            details: dict) -> Fee:  # fmt: skip
    # A zero fee (a free break, or nothing left under the cap) is settled the moment it exists.
    status = "owed" if amount > 0 else "paid"
    event = ledger.record(
        "fee.assessed",
        station=actor.station,
        operator=actor.badge,
        asset_tag=device.asset_tag if device else None,
        person=person.district_id,
        details={"kind": kind, "amount_cents": amount, "school_year": year, "reason": reason, **details},
    )
    return Fee.create(
        person=person, device=device, kind=kind, amount_cents=amount, paid_cents=0, status=status,
        school_year=year, reason=reason, created_event=event.uuid, settled_event=None if amount else event.uuid,
    )  # fmt: skip


def apply_incident(
    actor: Actor, person: Person, device: Device | None, incident: str, *, config: Config
) -> FeeApplied | None:
    """Apply the fee policy to one incident of ``person``: use a free break or assess the fee (cap included).

    Returns None when the policy charges nothing for it (a stolen device under ``stolen = "none"``).
    Call inside the transaction of the use case that found the incident.
    """
    if incident not in INCIDENTS:
        raise BadInput(f"Unknown incident {incident!r}.")
    rules = policy.fee_policy(config)
    # Two stations handling two devices of one student at once must not both use the last free break.
    person = _lock_person(person)
    today = clock.today()
    year = rules.school_year(today)
    label = rules.year_label(year)
    if incident == "damage":
        used = _free_breaks_used(person, year)
        if used < rules.free_breaks_per_year:
            left = rules.free_breaks_per_year - used - 1
            fee = _create(actor, person, device, "damage", 0, year, FREE_BREAK_REASON,
                          {"free_break": used + 1, "free_breaks_per_year": rules.free_breaks_per_year})  # fmt: skip
            return FeeApplied(fee_line(fee), f"Free break used: no fee ({left} left in {label}).")
        item = device.item
        charge = policy.damage_charge(rules, model=item.name, category=item.category,
                                      catalog_fee_cents=item.damage_fee_cents)  # fmt: skip
        kind = "damage"
    elif incident == "charger":
        charge = policy.Charge(rules.charger_cents, "charger fee")
        kind = "charger"
    else:
        if incident == "stolen" and rules.stolen == "none":
            return None
        item = device.item
        replacement = item.replacement_cost_cents or device.purchase_cost_cents or 0
        if replacement == 0:
            # Recorded all the same, so the office sees the loss went uncharged and why.
            reason = f"no replacement cost on record for {item.name}"
            fee = _create(actor, person, device, "loss", 0, year, reason, {"incident": incident})
            return FeeApplied(fee_line(fee), f"No loss fee: {item.name} has no replacement cost in the catalog.")
        charge = policy.loss_charge(rules, replacement_cents=replacement, lifespan_years=item.lifespan_years,
                                    purchased=device.purchase_date, on=today)  # fmt: skip
        kind = "loss"
    amount, cap_note = policy.capped(rules, charge.amount_cents, _charged(person, year))
    reason = charge.basis if cap_note is None else f"{charge.basis}; {cap_note}"
    fee = _create(actor, person, device, kind, amount, year, reason, {"incident": incident})
    what = {"damage": "Damage fee", "charger": "Charger fee", "loss": "Loss fee", "stolen": "Loss fee"}[incident]
    if cap_note is not None:
        return FeeApplied(fee_line(fee), f"{what} {policy.money(amount)} ({cap_note}).")
    return FeeApplied(fee_line(fee), f"{what} {policy.money(amount)} charged to {person.full_name}.")


def charge_accessory(
    actor: Actor, student_code: str, accessory: str, *, config: Config, device_code: str | None = None
) -> FeeApplied:
    """Charge a student the policy's fee for a missing accessory (``charger`` or one of ``[fees.accessories]``)."""
    rules = policy.fee_policy(config)
    cents = rules.accessory_cents(accessory)
    if cents is None:
        known = ", ".join(["charger", *sorted(rules.accessories)])
        raise BadInput(f"The fee policy has no accessory {accessory!r}; it lists {known}.")
    with unavailable_as_error(), atomic():
        authorize(actor, "fee.charge")
        person = require_student(student_code)
        device = require_device(device_code) if device_code else None
        person = _lock_person(person)
        year = rules.school_year(clock.today())
        name = accessory.strip().lower()
        kind = "charger" if name == "charger" else "accessory"
        amount, cap_note = policy.capped(rules, cents, _charged(person, year))
        reason = f"{name} fee" if cap_note is None else f"{name} fee; {cap_note}"
        fee = _create(actor, person, device, kind, amount, year, reason, {"incident": name})
        note = f" ({cap_note})" if cap_note else ""
        return FeeApplied(
            fee_line(fee), f"{name.capitalize()} fee {policy.money(amount)} charged to {_name(person)}{note}."
        )


def _payments(person: Person) -> tuple[PaymentLine, ...]:
    fees = {f.created_event: f.id for f in Fee.select(Fee.id, Fee.created_event).where(Fee.person == person)}
    rows = Event.select().where((Event.person == person.district_id) & (Event.kind == "fee.paid")).order_by(Event.id)
    out = []
    for e in rows:
        d = json.loads(e.details or "{}")
        out.append(PaymentLine(fees.get(d.get("fee")), int(d.get("amount_cents", 0)), d.get("method", ""),
                               d.get("receipt", ""), clock.show(e.at), e.operator))  # fmt: skip
    return tuple(out)


def statement(student_code: str, *, config: Config, actor: Actor | None = None) -> FeeStatement:
    """A student's fees (newest first), payments, balance and free breaks left this school year.

    ``actor`` is None only for the local command line (like ``kiosk lookup``).
    """
    rules = policy.fee_policy(config)
    with unavailable_as_error():
        if actor is not None:
            authorize(actor, "lookup")
        person = require_student(student_code)
        year = rules.school_year(clock.today())
        fees = tuple(fee_line(f) for f in Fee.select().where(Fee.person == person).order_by(Fee.id.desc()))
        return FeeStatement(
            student=person.district_id,
            name=person.full_name,
            balance_cents=_balance(person),
            free_breaks_left=max(0, rules.free_breaks_per_year - _free_breaks_used(person, year)),
            free_breaks_per_year=rules.free_breaks_per_year,
            school_year=rules.year_label(year),
            charged_this_year_cents=_charged(person, year),
            fees=fees,
            payments=_payments(person),
        )


def _receipt(receipt: str) -> str:
    text = (receipt or "").strip()
    if not text:
        raise BadInput("A payment needs the receipt number written on the family's receipt; nothing was recorded.")
    if len(text) > 64 or any(ord(ch) < 32 for ch in text):
        raise BadInput("A receipt number is at most 64 printable characters; nothing was recorded.")
    return text


def pay(
    actor: Actor,
    student_code: str,
    amount_cents: int,
    *,
    method: str,
    receipt: str,
    fee_id: int | None = None,
) -> PaymentResult:
    """Record a payment in full or in part: towards one fee, or the student's owed fees oldest first.

    A payment larger than what is owed is refused: a balance never goes negative.
    """
    if amount_cents <= 0:
        raise BadInput("A payment must be more than $0.00; nothing was recorded.")
    if method not in METHODS:
        raise BadInput(f"Unknown payment method {method!r}; use one of {', '.join(METHODS)}.")
    receipt = _receipt(receipt)
    with unavailable_as_error(), atomic():
        authorize(actor, "fee.pay")
        person = require_student(student_code)
        person = _lock_person(person)
        if fee_id is not None:
            fee = Fee.get_or_none((Fee.id == fee_id) & (Fee.person == person))
            if fee is None:
                raise UnknownCode(f"{_name(person)} has no fee {fee_id}; see `kiosk fees {person.district_id}`.")
            _require_owed(fee)
            owed = [fee]
        else:
            owed = list(
                for_update(Fee.select().where((Fee.person == person) & (Fee.status == "owed")).order_by(Fee.id))
            )
        balance = sum(f.amount_cents - f.paid_cents for f in owed)
        if balance == 0:
            raise FeeNotOwed(f"{_name(person)} owes nothing; nothing was recorded.")
        if amount_cents > balance:
            where = f"fee {fee_id}" if fee_id is not None else person.full_name
            raise Overpayment(
                f"{policy.money(amount_cents)} is more than the {policy.money(balance)} owed on {where}; "
                "nothing was recorded. Take at most what is owed."
            )
        payment = str(uuidlib.uuid4())
        left, touched, ids = amount_cents, [], []
        for fee in owed:
            part = min(left, fee.amount_cents - fee.paid_cents)
            if part <= 0:
                continue
            event = ledger.record(
                "fee.paid",
                station=actor.station,
                operator=actor.badge,
                asset_tag=fee.device.asset_tag if fee.device else None,
                person=person.district_id,
                details={"fee": fee.created_event, "amount_cents": part, "method": method, "receipt": receipt,
                         "payment": payment},
            )  # fmt: skip
            fee.paid_cents += part
            if fee.paid_cents == fee.amount_cents:
                fee.status, fee.settled_event = "paid", event.uuid
            fee.save()
            touched.append(fee_line(fee))
            ids.append(event.uuid)
            left -= part
            if left == 0:
                break
        return PaymentResult(person.district_id, person.full_name, amount_cents, method, receipt, tuple(touched),
                             _balance(person), tuple(ids))  # fmt: skip


def _require_owed(fee: Fee) -> None:
    if fee.status == "paid":
        raise FeeNotOwed(f"Fee {fee.id} is already paid in full; nothing was recorded.")
    if fee.status == "waived":
        raise FeeNotOwed(f"Fee {fee.id} was waived; nothing is owed on it and nothing was recorded.")


def waive(actor: Actor, fee_id: int, *, reason: str) -> WaiveResult:
    """Waive what is still owed on a fee (admins only, with a reason); what was paid stays paid."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise BadInput("A waiver needs a reason (for example: police report 2026-0412); nothing was recorded.")
    with unavailable_as_error(), atomic():
        authorize(actor, "fee.waive")
        fee = for_update(Fee.select().where(Fee.id == fee_id)).first()
        if fee is None:
            raise UnknownCode(f"There is no fee {fee_id}; see `kiosk fees STUDENT` for the fee numbers.")
        _require_owed(fee)
        person = fee.person
        waived = fee.amount_cents - fee.paid_cents
        event = ledger.record(
            "fee.waived",
            station=actor.station,
            operator=actor.badge,
            asset_tag=fee.device.asset_tag if fee.device else None,
            person=person.district_id,
            details={"fee": fee.created_event, "reason": reason, "amount_cents": waived},
        )
        fee.status, fee.settled_event = "waived", event.uuid
        fee.save()
        return WaiveResult(fee_line(fee), waived, _balance(person), event.uuid)


def policy_gaps(config: Config) -> tuple[str, ...]:
    """Names in the fee policy the catalog does not know, and models a loss would charge nothing for."""
    rules = policy.fee_policy(config)
    with unavailable_as_error():
        names = {name for (name,) in CatalogItem.select(CatalogItem.name).tuples()}
        categories = {c for (c,) in CatalogItem.select(CatalogItem.category).distinct().tuples()}
        free = [
            n for (n,) in CatalogItem.select(CatalogItem.name).where(CatalogItem.replacement_cost_cents == 0).tuples()
        ]
    gaps = [f"[fees.damage_by_category] {c}: no catalog item has this category." for c in
            sorted(set(rules.damage_by_category) - categories)]  # fmt: skip
    gaps += [f"[fees.damage_by_model] {m!r}: no catalog item has this name." for m in
             sorted(set(rules.damage_by_model) - names)]  # fmt: skip
    gaps += [f"{n}: no replacement cost in the catalog, so a loss costs the device's purchase cost or nothing."
             for n in sorted(free)]  # fmt: skip
    return tuple(gaps)
