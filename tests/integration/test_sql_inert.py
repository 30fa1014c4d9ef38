"""Text that looks like SQL is only text: scanned, imported or looked up, it is stored and matched literally.

Every query kiosk runs binds its values as parameters, so ``'; DROP TABLE
device; --`` is a code nobody has, a name, or a model, and never a statement.
These tests run on SQLite and, with ``KIOSK_TEST_POSTGRES_URL``, on PostgreSQL.
"""

from __future__ import annotations

import csv
import json

import pytest

from kiosk.errors import UnknownCode
from kiosk.services import circulation, imports, inventory, lookup
from kiosk.workflow import Workflow
from models import MODELS, CatalogItem, Device, Event, Person
from tests.integration.helpers import assert_check_clean
from tests.integration.import_support import options

SQL = [
    "'; DROP TABLE device; --",
    "Robert'); DROP TABLE students;--",
    "1 OR 1=1",
    "' OR '1'='1",
    '" OR ""="',
    "S100' --",
    "S100; DELETE FROM person",
    "CB1' UNION SELECT asset_tag FROM device --",
    "%",
    "_",
    "S10%",
    "CB_",
    "\\' OR 1=1 --",
]
"""Injection attempts, and LIKE wildcards that must not match by pattern."""


def counts() -> dict[str, int]:
    """Rows in every table kiosk has: equal counts (and no error) mean every table is still there and whole."""
    return {model.__name__: model.select().count() for model in MODELS}


@pytest.mark.parametrize("technician", [False, True], ids=["operator", "technician"])
def test_sql_scans_are_refused_and_logged_literally(district, technician):
    actor = district.technician if technician else district.operator
    flow = Workflow(actor, district.config)
    for mode in ("$ISSUE", "$RETURN", "$LOOKUP"):
        flow.handle(mode)
        for text in SQL:
            before = counts()
            outcome = flow.handle(text)
            assert not outcome.ok and outcome.level == "error", (text, outcome.message)
            assert text in outcome.message  # the operator sees exactly what was scanned
            after = counts()
            assert after.pop("Event") == before.pop("Event") + 1 and after == before  # one rejected event, no more
            logged = Event.select().order_by(Event.id.desc()).first()
            assert logged.kind == "rejected" and json.loads(logged.details)["scan"] == text
    assert Device.select().count() == 7 and Person.select().count() == 4
    assert_check_clean()


def test_codes_that_look_like_sql_are_found_exactly(district):
    """A student ID and an asset tag that read like SQL are ordinary codes: matched whole, never as patterns."""
    inventory.add_person("1 OR 1=1", "Robert'); DROP TABLE students;--", "Tables", grade="10", school="HS")
    inventory.add_device("'; DROP TABLE device; --", "SN-'--", "HP Chromebook 11 G9 EE", "STORE",
                         station=district.config.station)  # fmt: skip
    flow = Workflow(district.operator, district.config)
    student = flow.handle("1 OR 1=1")
    assert student.ok and student.student.id == "1 OR 1=1"
    assert student.student.name == "Robert'); DROP TABLE students;-- Tables"
    issued = flow.handle("'; DROP TABLE device; --")
    assert issued.ok and issued.event == "issued", issued.message
    device = Device.get(Device.asset_tag == "'; DROP TABLE device; --")
    assert device.holder.district_id == "1 OR 1=1" and device.serial == "SN-'--"
    for near in ("1 OR 1=2", "1 OR 1", "'; DROP TABLE device;", "%", "1 OR 1=1%", "_ OR 1=1"):
        with pytest.raises(UnknownCode):
            lookup.lookup(near, config=district.config)
    found = lookup.lookup("'; DROP TABLE device; --", config=district.config)
    assert found.device.holder == "1 OR 1=1"
    circulation.return_device(district.operator, "'; DROP TABLE device; --", config=district.config)
    assert Device.select().count() == 8 and Person.select().count() == 5
    assert_check_clean()


def _csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_imported_sql_names_models_and_sites_are_stored_as_written(district, tmp_path):
    students = _csv(tmp_path / "students.csv", [
        ["Student ID", "First Name", "Last Name", "Grade", "School", "Homeroom"],
        ["Q100", "Robert'); DROP TABLE students;--", "Tables", "10", "HS", "'; DROP TABLE device; --"],
        ["Q101", "1 OR 1=1", "' OR '1'='1", "11", "HS", "%"],
    ])  # fmt: skip
    report = imports.import_students(students, options=options())
    assert sorted(c.key for c in report.changes if c.action == "create") == ["Q100", "Q101"]
    bobby = Person.get(Person.district_id == "Q100")
    assert (bobby.first_name, bobby.last_name, bobby.homeroom) == (
        "Robert'); DROP TABLE students;--", "Tables", "'; DROP TABLE device; --")  # fmt: skip
    assert lookup.lookup("Q101", config=district.config).student.name == "1 OR 1=1 ' OR '1'='1"

    inventory_file = _csv(tmp_path / "inventory.csv", [
        ["Asset Tag", "Serial", "Model", "Location", "Funding Source", "PO"],
        ["Q1", "SN-Q1", "Robert'); DROP TABLE students;--", "STORE", "'; DROP TABLE device; --", "1 OR 1=1"],
        ["Q2", "SN-Q2", "HP Chromebook 11 G9 EE", "STORE", "' OR '1'='1", "%"],
    ])  # fmt: skip
    before = counts()
    report = imports.import_devices([inventory_file], options=options(create_models=True))
    assert sorted(c.key for c in report.changes if c.action == "create" and c.entity == "device") == ["Q1", "Q2"]
    q1 = Device.get(Device.asset_tag == "Q1")
    assert (q1.funding_source, q1.po_number) == ("'; DROP TABLE device; --", "1 OR 1=1")
    assert "DROP TABLE students" in q1.item.name  # under the catalog's normalised spelling, still the text
    assert CatalogItem.select().where(CatalogItem.name == q1.item.name).count() == 1
    after = counts()
    assert after["Device"] == before["Device"] + 2 and after["Person"] == before["Person"]
    again = imports.import_devices([inventory_file], options=options(create_models=True))
    assert not again.changed
    assert_check_clean()
