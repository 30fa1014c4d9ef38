"""Storage cases: numbered slots where a student's device waits over the summer."""

from __future__ import annotations

from peewee import IntegrityError

from kiosk import ledger
from kiosk.config import Config
from kiosk.db import atomic, for_update, unavailable_as_error
from kiosk.dto import Actor, CaseCard
from kiosk.errors import DomainError, NoCaseFree
from kiosk.services.common import authorize, require_student, student_card
from kiosk.services.lookup import case_card
from models import Person


def assign_case(actor: Actor, student_code: str, *, config: Config, number: int | None = None) -> CaseCard:
    """Give the student the lowest free case (or ``number``); a student keeps one case."""
    with unavailable_as_error(), atomic():
        authorize(actor, "case.assign")
        person = for_update(Person.select().where(Person.id == require_student(student_code).id)).get()
        if person.case_number is not None:
            raise DomainError(f"{person.full_name} already has CASE-{person.case_number}.")
        taken = {n for (n,) in Person.select(Person.case_number).where(Person.case_number.is_null(False)).tuples()}
        if number is not None:
            case_card(number, config)  # range check
            if number in taken:
                raise NoCaseFree(f"CASE-{number} is already taken; pick another or let kiosk choose.")
        else:
            number = next((n for n in range(config.case_first, config.case_last + 1) if n not in taken), None)
            if number is None:
                raise NoCaseFree(
                    f"All storage cases {config.case_first}-{config.case_last} are taken; release some first."
                )
        person.case_number = number
        try:
            with atomic():
                person.save()
        except IntegrityError as exc:  # another station gave the same case away a moment ago
            raise NoCaseFree(f"CASE-{number} was just taken at another station; scan the student again.") from exc
        ledger.record(
            "case.assigned",
            station=actor.station,
            operator=actor.badge,
            person=person.district_id,
            details={"case": number},
        )
        return CaseCard(number, student_card(person, config))


def release_case(actor: Actor, student_code: str, *, config: Config) -> CaseCard:
    """Free the student's case so it can be given to someone else."""
    with unavailable_as_error(), atomic():
        authorize(actor, "case.release")
        person = for_update(Person.select().where(Person.id == require_student(student_code).id)).get()
        if person.case_number is None:
            raise DomainError(f"{person.full_name} has no storage case.")
        number = person.case_number
        person.case_number = None
        person.save()
        ledger.record(
            "case.released",
            station=actor.station,
            operator=actor.badge,
            person=person.district_id,
            details={"case": number},
        )
        return CaseCard(number, student_card(person, config))
