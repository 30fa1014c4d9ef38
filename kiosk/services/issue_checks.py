"""The checks an issue makes before it lends a device: eligibility, a second device of a kind, fees owed."""

from __future__ import annotations

from kiosk import policy
from kiosk.config import Config
from kiosk.dto import Actor
from kiosk.errors import CategoryAlreadyHeld, FeesOwed, Ineligible
from kiosk.services import permissions
from kiosk.services.common import CardFacts
from models import CatalogItem, Device, Person


def issue_warnings(
    person: Person, device: Device, actor: Actor, config: Config, facts: CardFacts, *, exempt: Device | None = None
) -> list[tuple[str, str]]:
    """The (code, sentence) warnings an issue needs confirmed; raises for the blocking ones.

    ``facts`` are the student's (``card_facts``): what they owe and the devices they hold. ``exempt`` is a
    loaner the student gives back for this very device: it does not count as a second device.
    """
    found: list[tuple[str, str]] = []
    item: CatalogItem = device.item
    grades = [g.strip() for g in item.eligible_grades.split(",") if g.strip()]
    schools = [s.strip().upper() for s in item.eligible_schools.split(",") if s.strip()]
    reasons = []
    if grades and person.role == "student" and (person.grade or "") not in grades:
        reasons.append(f"grade {person.grade or '?'} (model is for {', '.join(grades)})")
    if schools and (person.school is None or person.school.code.upper() not in schools):
        reasons.append(f"school {person.school.code if person.school else '?'}")
    if reasons:
        sentence = f"{item.name} is not meant for {' and '.join(reasons)}."
        if config.eligibility == "block":
            raise Ineligible(f"{sentence} Choose a device of the right model.")
        found.append(("ineligible", f"{sentence} Scan $CONFIRM to issue anyway or $CANCEL."))
    other = exempt.asset_tag if exempt is not None else None
    held = next((tag for tag, _, category in facts.held if category == item.category and tag != other), None)
    if held is not None:
        sentence = f"{person.full_name} already holds {item.category} {held}."
        if not permissions.allowed(actor.role, "override"):
            raise CategoryAlreadyHeld(f"{sentence} Return it first, or call a technician to override.")
        found.append(("category", f"{sentence} Scan $CONFIRM to override (technician) or $CANCEL."))
    rules = policy.fee_policy(config)
    if rules.owed != "ignore" and facts.owed > rules.owed_threshold_cents:
        money = policy.money(facts.owed)
        if rules.owed == "block":
            raise FeesOwed(f"{person.full_name} owes {money}. Send the family to the office first.")
        found.append(("fees", f"{person.full_name} owes {money}. Scan $CONFIRM to issue anyway."))
    return found
