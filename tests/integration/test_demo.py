"""The demo district: consistent with its ledger, deterministic, and realistic enough to tour."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from kiosk import db as kdb
from kiosk import demo
from kiosk.config import Config
from kiosk.errors import BadInput
from kiosk.services import check, circulation, lookup, operators
from models import CatalogAlias, CatalogItem, Device, Event, Loan, Person, Site, Ticket

STATION = "demo-station"
SMALL = {"students": 300, "devices": 400}
CEDS = ("KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")


@pytest.fixture
def built(database) -> demo.DemoSummary:
    return demo.build_demo(station=STATION, **SMALL)


def _actor(summary: demo.DemoSummary, role: str):
    badge, _, _, pin = next(op for op in summary.operators if op[2] == role)
    return operators.sign_in(badge, pin, station=STATION)


def test_the_ledger_replays_to_exactly_the_demo_district(built):
    report = check.check()
    assert report.ok, report.problems
    assert report.devices == built.devices == SMALL["devices"]
    assert report.events == built.events == Event.select().count()


def test_the_summary_counts_what_is_in_the_tables(built):
    assert Person.select().where(Person.role == "student").count() == built.students == SMALL["students"]
    assert Person.select().where(Person.role == "staff").count() == built.staff > 0
    assert Site.select().count() == built.sites
    assert Person.select().where(Person.case_number.is_null(False)).count() == built.cases > 0
    open_loans = Loan.select().where(Loan.returned_at.is_null()).count()
    issued = Device.select().where(Device.status == "issued").count()
    assert open_loans == issued == built.open_loans
    assert Loan.select().where(Loan.returned_at.is_null(False)).count() > 0, "some past loans were returned"


def test_every_kind_of_site_exists_under_the_district_office(built):
    office = Site.get(Site.kind == "district")
    kinds = Counter(site.kind for site in Site.select())
    assert kinds["district"] == 1 and kinds["storage"] >= 1 and kinds["repair"] >= 1 and kinds["pickup"] == 2
    assert 5 <= kinds["school"] <= 8
    assert all(site.parent_id == office.id for site in Site.select().where(Site.kind != "district"))
    names = " ".join(site.name for site in Site.select().where(Site.kind == "school"))
    assert "Elementary" in names and "Middle" in names and "High" in names and "alternative" in names


def test_students_look_like_a_k12_district(built):
    students = list(Person.select().where(Person.role == "student"))
    assert {s.grade for s in students} == set(CEDS)
    assert all(re.fullmatch(r"R-\d{3}", s.homeroom) for s in students)
    iep = sum(s.iep for s in students) / len(students)
    assert 0.12 <= iep <= 0.16
    assert any(s.sec504 for s in students) and any(s.ell for s in students)
    assert all(s.school.kind == "school" for s in students)
    assert len({s.district_id for s in students}) == len(students)


def test_each_grade_band_has_its_own_model_and_holders_are_eligible(built):
    bands = {item.eligible_grades for item in CatalogItem.select() if item.category in ("tablet", "chromebook")}
    assert {"KG,01,02", "03,04,05", "06,07,08,09,10,11,12"} <= bands
    held = 0
    query = Device.select(Device, CatalogItem, Person).join(CatalogItem).switch(Device).join(Person)
    for device in query:
        grades = [g for g in device.item.eligible_grades.split(",") if g]
        if device.holder.role == "student":
            assert not grades or device.holder.grade in grades, (device.asset_tag, device.holder.grade)
            held += device.item.category in ("tablet", "chromebook")
        else:
            assert device.item.category == "laptop"
        assert device.site_id == device.holder.school_id
    assert 0.6 <= held / SMALL["students"] <= 0.75, "about 70 % of students hold their grade-band device"


def test_the_catalog_and_devices_carry_lifecycle_facts(built):
    assert all(item.lifespan_years and item.replacement_cost_cents and item.damage_fee_cents
               for item in CatalogItem.select())  # fmt: skip
    aliases = [a.alias for a in CatalogAlias.select()]
    assert aliases and all(a == " ".join(a.lower().split()) for a in aliases)
    devices = list(Device.select(Device, CatalogItem).join(CatalogItem))
    assert len({d.serial for d in devices}) == len(devices)
    assert all(re.fullmatch(r"A\d{6}", d.asset_tag) for d in devices)
    assert len({d.purchase_date.year for d in devices}) >= 4
    assert {"ESSER III", "General Fund"} <= {d.funding_source for d in devices}
    assert all(d.aue_date for d in devices if d.item.category == "chromebook")
    assert all(d.purchase_cost_cents and d.home_site_id and d.po_number for d in devices)
    statuses = Counter(d.status for d in devices)
    assert statuses["damaged"] and statuses["in_repair"] and statuses["available"]
    depot = Site.get(Site.kind == "repair")
    in_repair = [d for d in devices if d.status == "in_repair"]
    assert all(d.site_id == depot.id for d in in_repair)
    assert Ticket.select().count() == len(in_repair)


def test_the_demo_operators_sign_in_with_their_pins(built):
    assert {role for _, _, role, _ in built.operators} == {"operator", "technician", "admin"}
    for badge, name, role, pin in built.operators:
        assert len(pin) >= 4 and pin.isdigit()
        actor = operators.sign_in(badge, pin, station=STATION)
        assert (actor.badge, actor.name, actor.role) == (badge, name, role)
    assert check.check().ok


def test_the_tour_codes_resolve(built):
    config = Config(station=STATION)
    free = lookup.lookup(built.student_without_device, config=config).student
    assert free.school == "RHS" and free.devices == () and free.active
    device = lookup.lookup(built.available_chromebook, config=config).device
    assert (device.category, device.status, device.site) == ("chromebook", "available", "STOR")
    holder = lookup.lookup(built.student_with_device, config=config).student
    assert holder.school == "RHS" and holder.devices
    case = lookup.lookup(f"CASE-{built.case_number}", config=config).case
    assert case.student.id == built.student_with_case
    location = lookup.lookup(built.location, config=config).location
    assert location.kind == "storage" and dict(location.devices_by_status)["available"] > 0


def test_the_tour_issue_and_return_work_and_keep_the_ledger_clean(built):
    config = Config(station=STATION)
    operator = _actor(built, "operator")
    issued = circulation.issue(operator, built.student_without_device, built.available_chromebook, config=config)
    assert issued.moved_from == "STOR" and issued.confirmed == ()
    assert issued.device.status == "issued" and issued.device.site == "RHS"
    held = lookup.lookup(built.student_with_device, config=config).student.devices[0]
    returned = circulation.return_device(operator, held, config=config)
    assert returned.device.status == "available"
    report = check.check()
    assert report.ok, report.problems


def test_a_second_build_is_refused_and_changes_nothing(built):
    assert not demo.is_empty()
    events = Event.select().count()
    with pytest.raises(BadInput):
        demo.build_demo(station=STATION, **SMALL)
    assert Event.select().count() == events
    assert Person.select().count() == built.students + built.staff


def test_an_empty_database_is_empty(database):
    assert demo.is_empty()


def test_too_small_a_district_is_refused(database):
    with pytest.raises(BadInput):
        demo.build_demo(station=STATION, students=10, devices=400)
    assert demo.is_empty()


def _snapshot() -> tuple[list, list, list]:
    sites = dict(Site.select(Site.id, Site.code).tuples())
    people = dict(Person.select(Person.id, Person.district_id).tuples())
    persons = [
        (p.district_id, p.first_name, p.last_name, p.role, p.grade, sites.get(p.school_id), p.homeroom,
         p.iep, p.sec504, p.ell, p.active, p.case_number)
        for p in Person.select().order_by(Person.district_id)
    ]  # fmt: skip
    devices = [
        (d.asset_tag, d.serial, d.item.name, d.status, sites.get(d.home_site_id), sites.get(d.site_id),
         people.get(d.holder_id), d.funding_source, d.po_number, d.purchase_date, d.purchase_cost_cents,
         d.warranty_end, d.aue_date)
        for d in Device.select(Device, CatalogItem).join(CatalogItem).order_by(Device.asset_tag)
    ]  # fmt: skip
    loans = sorted(
        (loan.device.asset_tag, people[loan.person_id], loan.issued_at, loan.returned_at)
        for loan in Loan.select(Loan, Device).join(Device)
    )
    return persons, devices, loans


def _build(url: str, seed: int) -> tuple[list, list, list]:
    database = kdb.connect(url, migrate=True)
    try:
        demo.build_demo(station=STATION, seed=seed, **SMALL)
        assert check.check().ok
        return _snapshot()
    finally:
        database.close()


def test_the_same_seed_builds_the_same_district(tmp_path):
    first = _build(f"sqlite:///{tmp_path / 'one.db'}", seed=7)
    second = _build(f"sqlite:///{tmp_path / 'two.db'}", seed=7)
    other = _build(f"sqlite:///{tmp_path / 'three.db'}", seed=8)
    assert first == second
    assert first[0] != other[0] and first[1] != other[1]
