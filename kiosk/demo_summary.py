"""What a demo district holds, and the codes worth scanning on a first tour.

``kiosk.demo.build_demo`` returns a ``DemoSummary`` of what it built;
``describe_demo`` reads the same summary back from a demo database built
earlier, so ``kiosk demo`` can print the tour again without rebuilding.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import demo_data as data
from kiosk.db import unavailable_as_error
from kiosk.errors import BadInput
from models import CatalogItem, Device, Event, Loan, Operator, Person, Site, Station


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo`` made, and codes worth scanning on a first tour."""

    sites: int
    students: int
    staff: int
    devices: int
    open_loans: int
    cases: int
    events: int
    operators: tuple[tuple[str, str, str, str], ...]
    """(badge, name, role, PIN) of the demo operators."""
    student_without_device: str
    """An active high-school student holding nothing: issue them ``available_chromebook``."""
    available_chromebook: str
    """An available 06-12 Chromebook waiting in central storage."""
    student_with_device: str
    """A high-school student with a Chromebook on loan: return it."""
    student_with_case: str
    case_number: int
    """The storage case of ``student_with_case`` (scan ``CASE-<n>``)."""
    location: str
    """A location barcode (``LOC-`` + site code) of the storage room."""

    def tour(self) -> list[str]:
        """Lines for the terminal: what was built, who can sign in, what to scan first."""
        lines = [
            (f"Demo district: {self.sites} sites, {self.students:,} students, {self.staff:,} staff, "
             f"{self.devices:,} devices, {self.open_loans:,} on loan, {self.events:,} ledger events."),
        ]  # fmt: skip
        lines += [f"  {role:<10} badge {badge:<11} PIN {pin}  ({name})" for badge, name, role, pin in self.operators]
        lines += [
            f"  Issue: scan student {self.student_without_device}, then device {self.available_chromebook}.",
            f"  Return: student {self.student_with_device} holds a Chromebook.",
            f"  Lookup: CASE-{self.case_number} ({self.student_with_case}) or {self.location}.",
        ]
        return lines


def is_empty() -> bool:
    """True when the database holds no people yet, so ``kiosk demo`` may build the district."""
    with unavailable_as_error():
        return not Person.select().exists()


def station_site(station: str) -> str | None:
    """The site code the demo gave ``station`` (the high school), so returns land there."""
    with unavailable_as_error():
        row = Station.get_or_none(Station.name == station)
        return row.site.code if row is not None and row.site_id is not None else None


def _first(query, what: str):
    row = query.first()
    if row is None:
        raise BadInput(f"This database holds no {what}; it is not a demo district (run kiosk demo on an empty one).")
    return row


def describe_demo() -> DemoSummary:
    """The summary of a demo district already in the connected database, as it is now.

    Tour codes are chosen from the current state (a student the tour issued to
    earlier no longer counts as holding nothing), so the tour stays true after use.
    """
    with unavailable_as_error():
        open_loans = Loan.select().where(Loan.returned_at.is_null())
        holders = open_loans.select(Loan.person)
        high = _first(Site.select().where(Site.code == data.HIGH), f"high school {data.HIGH}")
        chromebooks = CatalogItem.select(CatalogItem.id).where(
            (CatalogItem.category == "chromebook") & CatalogItem.eligible_grades.contains("12")
        )
        student = _first(
            Person.select()
            .where((Person.role == "student") & Person.active & (Person.school == high) & Person.id.not_in(holders))
            .order_by(Person.id),
            "high-school student without a device",
        )
        storage = Site.get_or_none(Site.code == data.STORAGE)
        available = Device.select().where((Device.status == "available") & Device.item.in_(chromebooks))
        device = (available.where(Device.site == storage).order_by(Device.id).first() if storage else None) or _first(
            available.order_by(Device.id), "available Chromebook"
        )
        holder = _first(
            Person.select()
            .join(Loan, on=(Loan.person == Person.id))
            .join(Device, on=(Loan.device == Device.id))
            .where(Loan.returned_at.is_null() & (Person.school == high) & Device.item.in_(chromebooks))
            .order_by(Person.id),
            "high-school student holding a Chromebook",
        )
        cased = _first(Person.select().where(Person.case_number.is_null(False)).order_by(Person.case_number), "case")
        demo_badges = {badge for badge, *_ in data.OPERATORS}
        present = {op.badge for op in Operator.select(Operator.badge).where(Operator.badge.in_(demo_badges))}
        return DemoSummary(
            sites=Site.select().count(),
            students=Person.select().where(Person.role == "student").count(),
            staff=Person.select().where(Person.role == "staff").count(),
            devices=Device.select().count(),
            open_loans=open_loans.count(),
            cases=Person.select().where(Person.case_number.is_null(False)).count(),
            events=Event.select().count(),
            operators=tuple(op for op in data.OPERATORS if op[0] in present),
            student_without_device=student.district_id,
            available_chromebook=device.asset_tag,
            student_with_device=holder.district_id,
            student_with_case=cased.district_id,
            case_number=cased.case_number,
            location=f"LOC-{storage.code if storage else data.STORAGE}",
        )
