"""OneRoster 1.1 imports: bulk and delta manifests, folders and ZIPs, ID fields, deactivation, re-import."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest

from kiosk.errors import BadInput
from kiosk.services import circulation, imports
from kiosk.services.import_common import ImportRefused
from models import Event, Person, Site
from tests.integration.import_support import (
    DATA,
    assert_clean,
    keys,
    ledger_checked,  # noqa: F401  (a fixture)
    options,
    person,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")

BULK = DATA / "oneroster" / "bulk"
DELTA = DATA / "oneroster" / "delta"


def test_bulk_roster_makes_sites_students_and_staff(database):
    report = imports.import_roster(BULK, options=options())
    sites = {s.code: (s.name, s.kind, s.sis_id, s.parent.code if s.parent else None) for s in Site.select()}
    assert sites == {
        "RUSD": ("Riverside Unified School District", "district", "org-district", None),
        "RHS": ("Riverside High School", "school", "org-hs", "RUSD"),
        "org-ms": ("Lincoln Middle School", "school", "org-ms", "RUSD"),  # no identifier: the sourcedId
        "OAK": ("Oak Elementary, North Campus", "school", "org-es", "RUSD"),
    }
    jose = person("1001")
    assert (jose.first_name, jose.last_name, jose.grade, jose.school.code, jose.homeroom, jose.sis_id) == (
        "José", "López", "09", "RHS", "HR-101", "u-1001")  # fmt: skip
    assert person("1002").last_name == "Smith, Jr." and person("1002").homeroom is None
    assert (person("1003").grade, person("1003").homeroom) == ("KG", "Kindergarten A")  # title when no classCode
    assert person("1005").school.code == "OAK"  # the school among its orgs, not the district
    assert person("1005").grade == "01"
    assert (person("T2001").role, person("T2001").grade, person("T2001").school.code) == ("staff", None, "RHS")
    assert not Person.select().where(Person.district_id.in_(["1006", "G5001"])).exists()  # disabled; guardian
    assert any("department" in n for n in report.notes)
    summary = json.loads(Event.get(Event.uuid == report.event).details)
    assert summary["kind"] == "roster" and summary["create"] == {"person": 7, "site": 4}
    assert_clean()


def test_reimport_changes_nothing_and_a_zip_reads_like_the_folder(database, tmp_path):
    imports.import_roster(BULK, options=options())
    before = snapshot()
    archive = tmp_path / "roster.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in BULK.iterdir():
            z.write(f, f"export-2025-08-01/{f.name}")  # SIS exports often wrap the files in a folder
    again = imports.import_roster(archive, options=options())
    assert not again.changed and again.event is None
    assert snapshot() == before
    assert any(f.startswith("roster.zip:export-2025-08-01/") for f in again.files)


def test_delta_deactivates_updates_and_adds_but_never_deletes(database, tmp_path):
    imports.import_roster(BULK, options=options())
    report = imports.import_roster(DELTA, options=options())
    assert keys(report, "deactivate", "person") == ["1001", "1002"]  # tobedeleted; enabledUser=false
    assert keys(report, "create", "person") == ["1007"]
    assert person("1003").grade == "01" and person("1003").homeroom == "Kindergarten A"  # no classes: kept
    assert not person("1001").active and person("1001").first_name == "José"
    assert person("1004").active  # absent from a delta file: untouched
    assert_clean()


def test_bulk_users_deactivate_the_people_they_leave_out_and_keep_their_history(district, tmp_path):
    folder = tmp_path / "bulk"
    shutil.copytree(BULK, folder)
    imports.import_roster(folder, options=options())
    circulation.issue(district.operator, "1002", "CB1", config=district.config)
    lines = (folder / "users.csv").read_text(encoding="utf-8-sig").splitlines()
    (folder / "users.csv").write_text("\n".join(line for line in lines if not line.startswith("u-1002")) + "\n")
    report = imports.import_roster(folder, options=options())
    assert keys(report, "deactivate", "person") == ["1002"]
    assert not person("1002").active and person("S100").active  # hand-added people are not the roster's
    assert person("1002").devices.count() == 1  # the loan stays
    assert_clean()


def test_id_field_username(database):
    imports.import_roster(BULK, options=options(), id_field="username")
    assert person("jlopez").sis_id == "u-1001"
    # A user without a username cannot be scanned, so the row is refused (g-5001 is a guardian: left out).
    assert not Person.select().where(Person.district_id == "").exists()


def test_an_existing_site_with_the_same_code_is_adopted(district, tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "orgs.csv").write_text(
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
        "org-hs,,2025-08-01,Central High School,school,HS,\n"
    )
    report = imports.import_roster(folder, options=options())
    assert keys(report, "update", "site") == ["HS"]
    assert Site.get(Site.code == "HS").sis_id == "org-hs"
    assert any("no manifest.csv" in n for n in report.notes)


def test_a_changed_id_for_the_same_sis_record_is_rejected(database, tmp_path):
    imports.import_roster(BULK, options=options())
    folder = tmp_path / "r"
    shutil.copytree(BULK, folder)
    users = (folder / "users.csv").read_text(encoding="utf-8-sig").replace(",1001,jlopez@", ",9001,jlopez@")
    (folder / "users.csv").write_text(users, encoding="utf-8")
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        imports.import_roster(folder, options=options())
    assert "SIS record u-1001 is 1001 in kiosk but the file gives ID 9001" in refused.value.report.rejected[0].reason
    assert snapshot() == before


@pytest.mark.parametrize(
    "files, message",
    [
        ({"manifest.csv": "propertyName,value\noneroster.version,1.2\n"}, "OneRoster 1.2"),
        ({"manifest.csv": "propertyName,value\nfile.users,bulk\n"}, "lists users.csv as bulk but there is no"),
        ({"classes.csv": "sourcedId,title\nc1,Art\n"}, "neither orgs.csv nor users.csv"),
        ({"users.csv": "sourcedId,givenName,familyName\nu1,A,B\n"}, "no role column"),
        ({"users.csv": "sourcedId,role,givenName,familyName,identifier\nu1,wizard,A,B,1\n"}, None),
    ],
)
def test_bad_rosters(database, tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    before = snapshot()
    if message is None:
        with pytest.raises(ImportRefused) as refused:
            imports.import_roster(tmp_path, options=options())
        assert "role 'wizard' is not a OneRoster 1.1 role" in refused.value.report.rejected[0].reason
    else:
        with pytest.raises(BadInput, match=message):
            imports.import_roster(tmp_path, options=options())
    assert snapshot() == before


def test_a_missing_roster_path(database, tmp_path):
    with pytest.raises(BadInput, match="does not exist"):
        imports.import_roster(tmp_path / "nope", options=options())
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(BadInput, match="neither a folder nor a ZIP"):
        imports.import_roster(tmp_path / "x.zip", options=options())
