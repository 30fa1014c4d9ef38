"""Looking up anything a scanner can read."""

from __future__ import annotations

from kiosk.config import Config
from kiosk.db import unavailable_as_error
from kiosk.dto import Actor, CaseCard, Lookup
from kiosk.errors import UnknownCode
from kiosk.services.codes import classify, clean
from kiosk.services.common import (
    authorize,
    device_card,
    location_card,
    require_site,
    student_card,
)
from models import Person


def case_card(number: int, config: Config) -> CaseCard:
    if not config.case_first <= number <= config.case_last:
        raise UnknownCode(
            f"CASE-{number} is outside the storage range {config.case_first}-{config.case_last}; check the tag."
        )
    person = Person.get_or_none(Person.case_number == number)
    return CaseCard(number, student_card(person, config) if person else None)


def lookup(code: str, *, config: Config, actor: Actor | None = None) -> Lookup:
    """A student, device, storage case or location for ``code``; UnknownCode when it is none of them.

    ``actor`` is None only for the local command line, which runs with the
    rights of whoever can read the database file or URL.
    """
    with unavailable_as_error():
        if actor is not None:
            authorize(actor, "lookup")
        found = classify(clean(code, config), config)
        if found.kind == "student":
            return Lookup("student", student=student_card(found.person, config))
        if found.kind == "device":
            return Lookup("device", device=device_card(found.device))
        if found.kind == "case":
            return Lookup("case", case=case_card(found.case_number, config))
        if found.kind == "location":
            return Lookup("location", location=location_card(require_site(found.code)))
        raise UnknownCode(f"{code} is a command code; there is nothing to look up.")
