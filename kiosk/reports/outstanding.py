"""The Outstanding sheet: devices on loan at the end of the day, and storage nobody scanned that day."""

from __future__ import annotations

import datetime as dt

from peewee import JOIN

from kiosk.reports.book import Book, Column
from kiosk.reports.day import DeviceSite, School
from kiosk.reports.scope import DayScope
from models import CatalogItem, Device, Event, Loan, Person, Site

GONE = ("issued", "lost", "stolen", "disposed", "retired")
"""Statuses of devices no one expects to find on a storage shelf."""

LOAN_COLUMNS = (
    Column("School", width=9),
    Column("School name", width=24),
    Column("Homeroom", width=10),
    Column("Student ID", width=12),
    Column("Student", width=24),
    Column("Grade", width=7),
    Column("Asset tag", width=12),
    Column("Serial", width=14),
    Column("Model", width=28),
    Column("Kind", width=11),
    Column("Device site", width=11),
    Column("Issued", "datetime", 17),
    Column("Days out", "int", 9),
)
STORAGE_COLUMNS = (
    Column("Storage site", width=12),
    Column("Site name", width=24),
    Column("Asset tag", width=12),
    Column("Serial", width=14),
    Column("Model", width=28),
    Column("Status", width=11),
)


def _open_loans(scope: DayScope):
    query = (
        Loan.select(
            School.code,
            School.name,
            Person.homeroom,
            Person.district_id,
            Person.first_name,
            Person.last_name,
            Person.grade,
            Device.asset_tag,
            Device.serial,
            CatalogItem.name,
            CatalogItem.category,
            DeviceSite.code,
            Loan.issued_at,
        )
        .join(Person)
        .join(School, JOIN.LEFT_OUTER, on=(Person.school == School.id))
        .switch(Loan)
        .join(Device)
        .join(CatalogItem)
        .switch(Device)
        .join(DeviceSite, JOIN.LEFT_OUTER, on=(Device.site == DeviceSite.id))
        .where((Loan.issued_at < scope.end) & (Loan.returned_at.is_null() | (Loan.returned_at >= scope.end)))
    )
    if scope.site is not None:
        query = query.where((School.code == scope.site) | (DeviceSite.code == scope.site))
    return query.order_by(
        School.name.is_null(),
        School.name,
        Person.homeroom.is_null(),
        Person.homeroom,
        Person.last_name,
        Person.first_name,
        Device.asset_tag,
    ).tuples()


def _unscanned_storage(scope: DayScope):
    touched = Event.select(Event.asset_tag).where(
        (Event.at >= scope.start) & (Event.at < scope.end) & Event.asset_tag.is_null(False)
    )
    query = (
        Device.select(Site.code, Site.name, Device.asset_tag, Device.serial, CatalogItem.name, Device.status)
        .join(Site, on=(Device.site == Site.id))
        .switch(Device)
        .join(CatalogItem)
        .where((Site.kind == "storage") & Device.status.not_in(GONE) & Device.asset_tag.not_in(touched))
    )
    if scope.site is not None:
        parent = Site.select(Site.id).where(Site.code == scope.site)
        query = query.where((Site.code == scope.site) | Site.parent.in_(parent))
    return query.order_by(Site.code, Device.asset_tag).tuples()


def write_outstanding(book: Book, scope: DayScope, heading: str) -> tuple[int, int]:
    """Write the sheet; returns (devices out, storage devices not scanned)."""
    sheet = book.sheet("Outstanding")
    sheet.title(
        "Outstanding",
        heading,
        "Devices on loan at the end of the day, by school and homeroom; then devices the records place "
        "in storage that no scan touched this day.",
    )
    end_local = scope.local(scope.end)
    table = sheet.table("OnLoan", LOAN_COLUMNS)
    for (
        school,
        school_name,
        homeroom,
        sid,
        first,
        last,
        grade,
        tag,
        serial,
        model,
        kind,
        site,
        issued_at,
    ) in _open_loans(scope).iterator():
        issued = scope.local(issued_at)
        days = (end_local.date() - issued.date()) // dt.timedelta(days=1)
        table.add(
            (school, school_name, homeroom, sid, f"{first} {last}", grade, tag, serial, model, kind, site, issued, days)
        )
    out = table.rows
    table.close("No devices were on loan at the end of the day.")
    sheet.line("In storage, not scanned this day", book.bold)
    storage = sheet.table("StorageNotScanned", STORAGE_COLUMNS, freeze=False)
    for row in _unscanned_storage(scope).iterator():
        storage.add(row)
    unscanned = storage.rows
    storage.close("Every device expected in storage was scanned this day, or none is expected.")
    return out, unscanned
