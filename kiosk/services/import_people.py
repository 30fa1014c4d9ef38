"""What the roster and student imports share: grades, the people already known, person writes.

A person's district ID is the code on their card and in the ledger; an import
never changes it. A row that would (same SIS record, another ID) is rejected.
People are never deleted: leaving the SIS deactivates them, and their loans,
fees and history stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kiosk.errors import BadInput
from kiosk.services.import_common import Change, ImportOptions
from kiosk.services.import_sql import batches, chunked_in, insert_rows
from kiosk.services.inventory import normalise_grade
from models import Person

PERSON_FIELDS = ("district_id", "first_name", "last_name", "role", "grade", "school", "homeroom", "iep", "sec504",
                 "ell", "active", "sis_id")  # fmt: skip
_SELECT = (Person.id, *(getattr(Person, n) for n in PERSON_FIELDS))
_NAMES = ("id", *PERSON_FIELDS)
_GRADE_WORDS = {
    "PREKINDERGARTEN": "PK", "PRE-KINDERGARTEN": "PK", "PREK": "PK", "PRESCHOOL": "PK", "PS": "PK", "PR": "PK",
    "IT": "PK", "TK": "PK", "TRANSITIONALKINDERGARTEN": "PK", "TRANSITIONAL KINDERGARTEN": "PK",
    "UNGRADED": "", "UG": "", "OTHER": "", "POSTGRADUATE": "", "": "",
}  # fmt: skip
"""CEDS and Clever grade words beyond ``normalise_grade``'s; "" means no grade (ungraded)."""
_LABELS = {"first_name": "first name", "last_name": "last name", "sis_id": "SIS id", "sec504": "504", "iep": "IEP",
           "ell": "ELL", "school": "school"}  # fmt: skip


def grade(text: str | None) -> str | None:
    """A CEDS grade (PK, KG, 01-12) from an SIS spelling, None for ungraded; ValueError otherwise."""
    if text is None:
        return None
    value = " ".join(text.strip().upper().split())
    value = re.sub(r"^(GRADE|GR\.?)\s*", "", value)
    value = re.sub(r"^(\d+)(ST|ND|RD|TH)$", r"\1", value)
    if value in _GRADE_WORDS:
        return _GRADE_WORDS[value] or None
    try:
        return normalise_grade(value)
    except BadInput as exc:
        raise ValueError(f"grade {text!r} is not one kiosk knows (PK, KG, 01-12, or Ungraded)") from exc


@dataclass
class People:
    """The people an import may touch, loaded once by ID and by SIS id."""

    by_id: dict[str, dict] = field(default_factory=dict)
    by_sis: dict[str, dict] = field(default_factory=dict)

    def add(self, values: tuple) -> None:
        record = dict(zip(_NAMES, values))
        self.by_id[record["district_id"]] = record
        if record["sis_id"]:
            self.by_sis[record["sis_id"]] = record

    @classmethod
    def everyone(cls) -> People:
        people = cls()
        for values in Person.select(*_SELECT).tuples().iterator():
            people.add(values)
        return people

    @classmethod
    def named(cls, ids, sis_ids) -> People:
        """Only the people these IDs and SIS ids name (in chunks: no query per row)."""
        people = cls()
        found = chunked_in(lambda c: Person.select(*_SELECT).where(Person.district_id.in_(c)).tuples(), ids)
        found += chunked_in(lambda c: Person.select(*_SELECT).where(Person.sis_id.in_(c)).tuples(), sis_ids)
        for values in found:
            people.add(values)
        return people

    def match(self, district_id: str | None, sis_id: str | None) -> dict | None:
        """The known person a row means; ValueError when its ID and its SIS id point at different people."""
        by_sis = self.by_sis.get(sis_id) if sis_id else None
        by_id = self.by_id.get(district_id) if district_id else None
        if by_sis and district_id and by_sis["district_id"] != district_id:
            raise ValueError(
                f"SIS record {sis_id} is {by_sis['district_id']} in kiosk but the file gives ID {district_id}; "
                "kiosk never changes the ID printed on a card"
            )
        if by_id and sis_id and by_id["sis_id"] and by_id["sis_id"] != sis_id:
            raise ValueError(f"ID {district_id} belongs to SIS record {by_id['sis_id']} in kiosk, not {sis_id}")
        return by_sis or by_id


def doubled(keys: list[str | None]) -> set[str]:
    """Keys that appear more than once (their rows are rejected: kiosk will not pick one)."""
    seen: set[str] = set()
    twice: set[str] = set()
    for key in keys:
        if key:
            (twice if key in seen else seen).add(key)
    return twice


@dataclass
class PersonWrites:
    """Person rows to insert and update, gathered while planning and written in bulk."""

    changes: list[Change] = field(default_factory=list)
    inserts: list[dict] = field(default_factory=list)
    updates: list[tuple[int, dict]] = field(default_factory=list)
    deactivate: list[int] = field(default_factory=list)

    def create(self, values: dict, where: str, detail: str) -> None:
        self.inserts.append(values)
        self.changes.append(Change("create", "person", values["district_id"], where, detail))

    def update(self, person: dict, new: dict, where: str, describe) -> None:
        """Record the fields of ``new`` that differ from ``person``: None means not given, "" means clear it."""
        diff = {}
        for k, v in new.items():
            if v is not None and (None if v == "" else v) != person[k]:
                diff[k] = None if v == "" else v
        if not diff:
            self.changes.append(Change("unchanged", "person", person["district_id"], where))
            return
        self.updates.append((person["id"], diff))
        action = "deactivate" if diff.get("active") is False else "update"

        def show(k, value):
            return ("yes" if value else "no") if isinstance(value, bool) else describe(k, value)

        detail = "; ".join(f"{_LABELS.get(k, k)} {show(k, person[k])} -> {show(k, v)}" for k, v in diff.items())
        self.changes.append(Change(action, "person", person["district_id"], where, detail))

    def write(self, options: ImportOptions, site_ids: dict[int, int] | None = None) -> None:
        """Insert and update in the caller's transaction; ``site_ids`` maps placeholder site ids to real ones."""
        site_ids = site_ids or {}
        rows = [tuple(site_ids.get(v[n], v[n]) if n == "school" else v[n] for n in PERSON_FIELDS) for v in self.inserts]
        insert_rows(Person, PERSON_FIELDS, rows, options, "writing people")
        for n, (person_id, diff) in enumerate(self.updates, start=1):
            if "school" in diff:
                diff = {**diff, "school": site_ids.get(diff["school"], diff["school"])}
            Person.update(**diff).where(Person.id == person_id).execute()
            if n % 1000 == 0:
                options.tick("updating people", n, len(self.updates))
        for chunk in batches(self.deactivate, 900):
            Person.update(active=False).where(Person.id.in_(chunk)).execute()
