"""``kiosk report special-ed``: are the students of each program (IEP, 504, ELL) served, and with what?

For each program: active students enrolled, those holding a device (which
kind, in which status), those without one listed by school and homeroom, and
devices in repair whose last borrower is in the program. A student in two
programs is counted in both.
"""

from __future__ import annotations

from collections import Counter

from peewee import JOIN

from kiosk.config import Config
from kiosk.reports.book import Column
from kiosk.reports.common import PROGRAMS, ReportResult, heading, open_report
from kiosk.reports.scope import localizer, zone_of
from models import CatalogItem, Device, Loan, Person, Site

REPAIR = ("damaged", "in_repair")

WITH_COLUMNS = (
    Column("Program", width=8),
    Column("School", width=8),
    Column("Homeroom", width=10),
    Column("Student ID", width=12),
    Column("Student", width=24),
    Column("Grade", width=7),
    Column("Asset tag", width=12),
    Column("Model", width=30),
    Column("Kind", width=11),
    Column("Device status", width=13),
)
WITHOUT_COLUMNS = (
    Column("Program", width=8),
    Column("School", width=8),
    Column("School name", width=26),
    Column("Homeroom", width=10),
    Column("Student ID", width=12),
    Column("Student", width=24),
    Column("Grade", width=7),
    Column("Own device in repair", width=20),
)
REPAIR_COLUMNS = (
    Column("Program", width=8),
    Column("School", width=8),
    Column("Homeroom", width=10),
    Column("Student ID", width=12),
    Column("Student", width=24),
    Column("Asset tag", width=12),
    Column("Model", width=30),
    Column("Status", width=10),
    Column("Returned", "datetime", 17),
)


def _students(flag):
    return (
        Person.select(
            Person.id,
            Site.code,
            Site.name,
            Person.homeroom,
            Person.district_id,
            Person.first_name,
            Person.last_name,
            Person.grade,
        )
        .join(Site, JOIN.LEFT_OUTER, on=(Person.school == Site.id))
        .where((Person.role == "student") & Person.active & (getattr(Person, flag) == True))
        .order_by(
            Site.code.is_null(),
            Site.code,
            Person.homeroom.is_null(),
            Person.homeroom,
            Person.last_name,
            Person.first_name,
            Person.district_id,
        )
        .tuples()
    )


def _in_repair() -> dict[int, tuple]:
    """Person id -> (asset tag, model, status, returned at) of a device in repair they borrowed last."""
    latest: dict[int, tuple] = {}
    query = (
        Loan.select(Loan.device, Loan.person, Loan.returned_at, Device.asset_tag, CatalogItem.name, Device.status)
        .join(Device)
        .join(CatalogItem)
        .where(Device.status.in_(REPAIR))
        .order_by(Loan.device, Loan.issued_at)
        .tuples()
    )
    by_device: dict[int, tuple] = {}
    for device, person, returned, tag, model, status in query.iterator():
        by_device[device] = (person, tag, model, status, returned)
    for person, tag, model, status, returned in by_device.values():
        latest[person] = (tag, model, status, returned)
    return latest


def write_special_ed(path, config: Config) -> ReportResult:
    local = localizer(zone_of(config))
    held: dict[int, list[tuple]] = {}
    query = (
        Device.select(Device.holder, Device.asset_tag, CatalogItem.name, CatalogItem.category, Device.status)
        .join(CatalogItem)
        .join_from(Device, Person, on=(Device.holder == Person.id))
        .where(Device.holder.is_null(False) & (Person.iep | Person.sec504 | Person.ell))
        .order_by(Device.asset_tag)
        .tuples()
    )
    for holder, tag, model, kind, status in query.iterator():
        held.setdefault(holder, []).append((tag, model, kind, status))
    repair = _in_repair()
    figures: dict[str, Counter] = {}
    kinds: Counter = Counter()
    with open_report(
        path, config, "Special education and program students", "Devices for IEP, 504 and ELL students"
    ) as book:
        summary = book.sheet("Summary")
        with_sheet, without_sheet, repair_sheet = (
            book.sheet("With a device"),
            book.sheet("Without a device"),
            book.sheet("In repair"),
        )
        with_sheet.title("Program students holding a device", heading(config))
        without_sheet.title("Program students without a device, by school and homeroom", heading(config))
        repair_sheet.title("Devices in repair last borrowed by program students", heading(config))
        with_table = with_sheet.table("WithDevice", WITH_COLUMNS)
        without_table = without_sheet.table("WithoutDevice", WITHOUT_COLUMNS)
        repair_table = repair_sheet.table("InRepair", REPAIR_COLUMNS)
        for program, flag in PROGRAMS:
            c = figures[program] = Counter()
            for pid, school, school_name, homeroom, sid, first, last, grade in _students(flag).iterator():
                name = f"{first} {last}"
                c["enrolled"] += 1
                devices = held.get(pid)
                if devices:
                    c["with"] += 1
                    for tag, model, kind, status in devices:
                        kinds[(program, kind, status)] += 1
                        with_table.add((program, school, homeroom, sid, name, grade, tag, model, kind, status))
                else:
                    c["without"] += 1
                    fixing = repair.get(pid)
                    without_table.add(
                        (program, school, school_name, homeroom, sid, name, grade, fixing[0] if fixing else None)
                    )
                fixing = repair.get(pid)
                if fixing:
                    c["repair"] += 1
                    tag, model, status, returned = fixing
                    repair_table.add(
                        (
                            program,
                            school,
                            homeroom,
                            sid,
                            name,
                            tag,
                            model,
                            status,
                            local(returned) if returned else None,
                        )
                    )
        with_table.close("No program student holds a device.")
        without_table.close("Every program student holds a device.")
        repair_table.close("No device of a program student is in repair.")

        summary.title(
            "Program students and their devices",
            heading(config),
            "Enrolled: active students with the program flag. A student in two programs counts in both.",
        )
        table = summary.table(
            "Programs",
            (
                Column("Program", width=9),
                Column("Enrolled", "int", 10),
                Column("With a device", "int", 14),
                Column("Without a device", "int", 17),
                Column("Share served", "percent", 13),
                Column("Devices in repair", "int", 17),
            ),
        )
        for program, _ in PROGRAMS:
            c = figures[program]
            share = c["with"] / c["enrolled"] if c["enrolled"] else None
            table.add((program, c["enrolled"], c["with"], c["without"], share, c["repair"]))
        table.close()
        kinds_table = summary.table(
            "ProgramDevices",
            (
                Column("Program", width=9),
                Column("Kind", width=12),
                Column("Status", width=10),
                Column("Devices", "int", 9),
            ),
            freeze=False,
        )
        for key in sorted(kinds):
            kinds_table.add((*key, kinds[key]))
        kinds_table.close("No devices held by program students.")
        written = book.close()
    return ReportResult(
        written, "special-ed", {f"{p} students without a device": figures[p]["without"] for p, _ in PROGRAMS}
    )
