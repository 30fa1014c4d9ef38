"""lookup (students, devices, cases, locations, patterns, ambiguity) and storage cases (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.dto import Actor
from kiosk.errors import AmbiguousCode, DomainError, GarbledScan, NoCaseFree, PermissionDenied, UnknownCode
from kiosk.services import cases, circulation, inventory
from kiosk.services.lookup import lookup
from models import Person
from tests.integration.helpers import add_fee, assert_check_clean, details, events

# -- lookup ---------------------------------------------------------------------


def test_lookup_a_student_shows_the_card(district):
    add_fee("S100", 1500, station=district.config.station)
    circulation.issue(district.operator, "S100", "CB1", config=district.config, confirmed=("fees",))
    found = lookup("S100", config=district.config, actor=district.operator)
    assert found.kind == "student" and found.device is None
    s = found.student
    assert (s.id, s.name, s.role, s.grade, s.school, s.school_name, s.homeroom) == (
        "S100", "Ana Lopez", "student", "10", "HS", "Central High School", "H-101",
    )  # fmt: skip
    assert s.programs == ("IEP",) and s.case_number is None and s.active is True
    assert s.devices == ("CB1",) and s.device_lines == ("CB1  HP Chromebook 11 G9 EE",)
    assert s.fees_owed_cents == 1500 and s.free_breaks_left == 1
    assert found.as_json()["kind"] == "student"


def test_lookup_an_inactive_student_says_so(district):
    assert lookup("S300", config=district.config).student.active is False


def test_lookup_a_device_by_tag_or_serial(district):
    circulation.issue(district.operator, "S101", "CB2", config=district.config)
    for code in ("CB2", "5CD00002", "  CB2\r\n"):
        found = lookup(code, config=district.config)
        d = found.device
        assert found.kind == "device"
        assert (d.asset_tag, d.serial, d.model, d.category, d.status) == (
            "CB2", "5CD00002", "HP Chromebook 11 G9 EE", "chromebook", "issued",
        )  # fmt: skip
        assert (d.holder, d.holder_name, d.site, d.site_name, d.home_site) == (
            "S101", "Ben Okafor", "HS", "Central High School", "STORE",
        )  # fmt: skip
        assert [h.kind for h in d.history] == ["issued", "device.moved", "device.added"]
        assert d.history[0].summary == "issued to S101" and d.history[1].summary == "moved STORE -> HS"


def test_lookup_cases(district):
    empty = lookup("CASE-3", config=district.config)
    assert empty.kind == "case" and empty.case.number == 3 and empty.case.student is None
    cases.assign_case(district.technician, "S101", config=district.config, number=3)
    taken = lookup("case-3", config=district.config)
    assert taken.case.student.id == "S101" and taken.case.student.case_number == 3
    assert lookup("S101", config=district.config).student.case_number == 3
    with pytest.raises(UnknownCode, match="CASE-21 is outside the storage range 1-20"):
        lookup("CASE-21", config=district.config)
    with pytest.raises(UnknownCode, match="CASE-A1 is not a storage case"):
        lookup("CASE-A1", config=district.config)


def test_lookup_locations(district):
    found = lookup("LOC-STORE", config=district.config)
    loc = found.location
    assert found.kind == "location"
    assert (loc.code, loc.name, loc.kind, loc.parent) == ("STORE", "Central Storage", "storage", "DIST")
    assert loc.devices_by_status == (("available", 6),)
    assert lookup("loc-es", config=district.config).location.devices_by_status == (("available", 1),)
    with pytest.raises(UnknownCode, match="No location has code MOON"):
        lookup("LOC-MOON", config=district.config)


def test_lookup_unknown_and_command_codes(district):
    with pytest.raises(UnknownCode, match="ZZZ is not a known student, device, location or case. Check the barcode"):
        lookup("ZZZ", config=district.config)
    with pytest.raises(UnknownCode, match="nothing to look up"):
        lookup("$ISSUE", config=district.config)
    with pytest.raises(UnknownCode, match=r"\$FOO is not a kiosk command code"):
        lookup("$FOO", config=district.config)
    with pytest.raises(GarbledScan, match="empty"):
        lookup("   ", config=district.config)


def test_a_code_that_is_both_a_student_and_a_device_is_ambiguous(district):
    inventory.add_person("CB3", "Cee", "Bee", grade="09", school="HS")
    with pytest.raises(AmbiguousCode, match="CB3 is both student Cee Bee and device CB3; a technician must fix"):
        lookup("CB3", config=district.config)
    # a student ID equal to a serial number is just as ambiguous
    inventory.add_person("5CD00004", "Sam", "Serial", grade="09", school="HS")
    with pytest.raises(AmbiguousCode, match="device CB4"):
        lookup("5CD00004", config=district.config)


def test_patterns_decide_which_table_is_asked(district):
    inventory.add_person("CB3", "Cee", "Bee", grade="09", school="HS")
    config = replace(district.config, student_pattern=r"S\d{3}", device_pattern=r"(CB|TB|HOT)\d+")
    assert lookup("CB3", config=config).kind == "device"  # the person CB3 fails the student pattern
    assert lookup("S100", config=config).kind == "student"
    with pytest.raises(UnknownCode):
        lookup("5CD00003", config=config)  # serials fail the device pattern
    only_x = replace(district.config, student_pattern=r"X\d+")
    with pytest.raises(UnknownCode, match="S100 is not a known student"):
        lookup("S100", config=only_x)


def test_lookup_checks_the_actor(district):
    with pytest.raises(PermissionDenied, match="not active"):
        lookup("S100", config=district.config, actor=Actor("GONE", "Gone", "admin", "x"))


# -- storage cases --------------------------------------------------------------


def test_assign_the_next_free_case_and_release(district):
    first = cases.assign_case(district.technician, "S100", config=district.config)
    second = cases.assign_case(district.technician, "S101", config=district.config)
    assert (first.number, second.number) == (1, 2)
    assert first.student.id == "S100" and first.student.case_number == 1
    released = cases.release_case(district.technician, "S100", config=district.config)
    assert released.number == 1 and released.student.case_number is None
    assert cases.assign_case(district.admin, "S200", config=district.config).number == 1
    assert [(e.kind, e.person, details(e)["case"]) for e in events() if e.kind.startswith("case.")] == [
        ("case.assigned", "S100", 1), ("case.assigned", "S101", 2), ("case.released", "S100", 1),
        ("case.assigned", "S200", 1),
    ]  # fmt: skip
    assert_check_clean()


def test_assign_a_specific_case(district):
    assert cases.assign_case(district.technician, "S100", config=district.config, number=7).number == 7
    with pytest.raises(NoCaseFree, match="CASE-7 is already taken; pick another or let kiosk choose"):
        cases.assign_case(district.technician, "S101", config=district.config, number=7)
    with pytest.raises(DomainError, match="Ana Lopez already has CASE-7"):
        cases.assign_case(district.technician, "S100", config=district.config)
    with pytest.raises(UnknownCode, match="outside the storage range"):
        cases.assign_case(district.technician, "S101", config=district.config, number=99)
    assert cases.assign_case(district.technician, "S101", config=district.config).number == 1
    assert_check_clean()


def test_the_case_range_runs_out(district):
    config = replace(district.config, case_first=5, case_last=6)
    cases.assign_case(district.technician, "S100", config=config)
    cases.assign_case(district.technician, "S101", config=config)
    with pytest.raises(NoCaseFree, match="All storage cases 5-6 are taken; release some first"):
        cases.assign_case(district.technician, "S200", config=config)
    assert lookup("S200", config=config).student.case_number is None


def test_release_without_a_case_and_permissions(district):
    with pytest.raises(DomainError, match="Ana Lopez has no storage case"):
        cases.release_case(district.technician, "S100", config=district.config)
    with pytest.raises(PermissionDenied, match="A technician is needed for case assign"):
        cases.assign_case(district.operator, "S100", config=district.config)
    with pytest.raises(PermissionDenied, match="case release"):
        cases.release_case(district.operator, "S100", config=district.config)
    with pytest.raises(UnknownCode, match="No student or staff member has ID S999"):
        cases.assign_case(district.technician, "S999", config=district.config)


def test_a_case_taken_at_another_station_at_the_same_moment(district, monkeypatch):
    """The unique index on case numbers is the last word: a case given away between the look and the write."""
    real_case_card = cases.case_card

    def meanwhile(number, config):
        Person.update(case_number=number).where(Person.district_id == "S200").execute()
        return real_case_card(number, config)

    monkeypatch.setattr(cases, "case_card", meanwhile)
    with pytest.raises(NoCaseFree, match="CASE-5 was just taken at another station; scan the student again"):
        cases.assign_case(district.technician, "S100", config=district.config, number=5)
    monkeypatch.undo()
    assert lookup("S100", config=district.config).student.case_number is None
    assert lookup("CASE-5", config=district.config).case.student is None  # the whole use case rolled back
    assert_check_clean()
