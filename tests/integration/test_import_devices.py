"""Device imports from legacy inventories and Snipe-IT: create, update, re-import, merge, conflicts, ledger."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import xlsxwriter

from kiosk.errors import PermissionDenied
from kiosk.services import circulation, imports
from kiosk.services.check import check
from kiosk.services.common import device_card
from kiosk.services.import_common import ImportRefused
from models import CatalogAlias, CatalogItem, Device, Event
from tests.integration.import_support import (
    DATA,
    STATION,
    assert_clean,
    device,
    keys,
    ledger_checked,  # noqa: F401  (a fixture)
    options,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")

LEGACY = DATA / "devices" / "inventory_legacy.csv"
MERGE = [DATA / "devices" / f"merge_{x}.csv" for x in "abc"]


def test_legacy_inventory_creates_updates_and_keeps_every_spelling(district):
    report = imports.import_devices([LEGACY], options=options())
    assert keys(report, "create") == ["A20001", "A20002", "A20003"]
    assert keys(report, "update") == ["CB1", "CB2"]
    assert not report.rejected and not report.conflicts
    # The Lenovo is not in the catalog: its row waits for review and nothing was made for it.
    assert [(r.row, r.reason) for r in report.needs_review] == [
        (7, "model 'Lenovo 100e Chromebook Gen 3' is not in the catalog")
    ]
    assert not CatalogItem.select().where(CatalogItem.name.contains("Lenovo")).exists()
    cb1, new = device("CB1"), device("A20001")
    assert (cb1.status, cb1.site.code, cb1.purchase_cost_cents, cb1.funding_source) == ("damaged", "STORE", 28900,
                                                                                         "ESSER III")  # fmt: skip
    assert (cb1.purchase_date, cb1.warranty_end) == (dt.date(2023, 8, 15), dt.date(2026, 8, 14))
    assert device("CB2").warranty_end == dt.date(2026, 8, 14)  # 14-Aug-2026
    assert new.warranty_end == dt.date(2026, 8, 14)  # 8/14/2026
    assert (new.site.code, new.home_site.code, new.item.name) == ("HS", "HS", "HP Chromebook 11 G9 EE")
    assert device("A20002").purchase_cost_cents == 128900  # "$1,289.00", a quoted comma
    assert device("A20003").item.name == "Apple iPad 9th gen"
    aliases = {a.alias: a.item.name for a in CatalogAlias.select()}
    assert aliases == {
        "hp chrome book 11 g9 ee": "HP Chromebook 11 G9 EE",
        "chromebook 11 g9 ee": "HP Chromebook 11 G9 EE",
        "apple ipad (9th generation)": "Apple iPad 9th gen",
    }
    # New devices come in on one devices.added event that each of them names; a status change has its own
    # event; one more summarises the import.
    (added,) = Event.select().where((Event.kind == "devices.added") & (Event.station == STATION))
    assert added.asset_tag is None
    groups = json.loads(added.details)["groups"]
    assert sorted(tag for g in groups for tag, _ in g["devices"]) == ["A20001", "A20002", "A20003"]
    ipad = {"model": "Apple iPad 9th gen", "site": "ES", "status": "available", "devices": [["A20003", "DMPX2003"]]}
    assert ipad in groups
    assert {device(tag).added_event for tag in ("A20001", "A20002", "A20003")} == {added.uuid}
    assert device("CB1").added_event is None
    assert [(h.kind, h.summary) for h in device_card(device("A20002")).history] == [
        ("devices.added", "imported with 3 devices")
    ]
    status = Event.get((Event.kind == "status") & (Event.asset_tag == "CB1"))
    assert json.loads(status.details)["status"] == "damaged" and json.loads(status.details)["previous"] == "available"
    summary = json.loads(Event.get(Event.kind == "import").details)
    assert summary["files"] == [str(LEGACY)] and summary["create"]["device"] == 3 and summary["needs_review"] == 1
    assert report.event == Event.get(Event.kind == "import").uuid
    assert_clean()


def test_running_an_import_twice_changes_nothing_the_second_time(district):
    imports.import_devices([LEGACY], options=options())
    before = snapshot()
    again = imports.import_devices([LEGACY], options=options())
    assert snapshot() == before
    assert again.event is None and not again.changed
    assert keys(again, "unchanged") == ["A20001", "A20002", "A20003", "CB1", "CB2"]
    assert_clean()


def test_dry_run_reports_everything_and_writes_nothing(district):
    before = snapshot()
    report = imports.import_devices([LEGACY], options=options(dry_run=True))
    assert snapshot() == before
    assert report.dry_run and report.event is None
    lines = [c.line() for c in report.changes]
    assert any("update     device CB1" in line and "status available -> damaged" in line for line in lines)
    assert any(line.startswith("create     device A20001") and "inventory_legacy.csv row 4" in line for line in lines)


def test_create_models_adds_the_unknown_model_under_its_normalised_name(district):
    report = imports.import_devices([LEGACY], options=options(create_models=True))
    assert not report.needs_review
    item = CatalogItem.get(CatalogItem.name == "Lenovo 100e Chromebook Gen 3")
    assert (item.category, item.manufacturer) == ("chromebook", "Lenovo")
    assert device("A20004").item == item
    assert_clean()


def test_an_actor_must_be_an_admin(district):
    before = snapshot()
    with pytest.raises(PermissionDenied, match="admin"):
        imports.import_devices([LEGACY], options=options(actor=district.technician))
    assert snapshot() == before
    report = imports.import_devices([LEGACY], options=options(actor=district.admin))
    assert Event.get(Event.uuid == report.event).operator == "AD1"


def test_three_files_merge_by_serial_and_tag_and_a_contradiction_is_listed(district):
    with pytest.raises(ImportRefused) as refused:
        imports.import_devices(MERGE, options=options())
    rejected = refused.value.report.rejected
    assert sorted((r.file.rsplit("/", 1)[-1], r.row) for r in rejected) == [
        ("merge_a.csv", 3), ("merge_b.csv", 3), ("merge_c.csv", 4)]  # fmt: skip
    assert all("serial SN-M2 appears with tags M2" in r.reason and "M9" in r.reason for r in rejected)
    before = snapshot()
    report = imports.import_devices(MERGE, options=options(skip_bad_rows=True))
    assert keys(report, "create") == ["M1", "M3", "M4", "M5"]
    m1, m3, m5 = device("M1"), device("M3"), device("M5")
    assert (m1.site.code, m1.purchase_cost_cents, m1.funding_source) == ("STORE", 28900, "ESSER III")  # a + b
    assert (m3.site.code, m3.aue_date) == ("HS", dt.date(2029, 6, 30))  # a + c ("HP CB 11 G9 EE" is the same model)
    assert (m5.site.code, m5.purchase_date, m5.aue_date) == ("STORE", dt.date(2024, 1, 16), dt.date(2029, 6, 30))
    assert snapshot()["Device"] == before["Device"] + 4
    assert_clean()


def test_rows_that_disagree_on_a_field_are_not_guessed(district, tmp_path):
    (tmp_path / "a.csv").write_text("Asset Tag,Serial,Model,Site\nQ1,SN-Q1,HP Chromebook 11 G9 EE,STORE\n")
    (tmp_path / "b.csv").write_text("Asset Tag,Serial,Site\nQ1,SN-Q1,HS\n")
    with pytest.raises(ImportRefused) as refused:
        imports.import_devices([tmp_path / "a.csv", tmp_path / "b.csv"], options=options())
    assert "device Q1 has site STORE" in refused.value.report.rejected[0].reason


def test_file_and_database_disagreeing_about_a_serial_is_rejected(district, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Asset Tag,Serial\nCB1,WRONG1\nNEWTAG,5CD00002\n")
    with pytest.raises(ImportRefused) as refused:
        imports.import_devices([path], options=options())
    reasons = [r.reason for r in refused.value.report.rejected]
    assert reasons == ["tag CB1 has serial 5CD00001 in kiosk, but the file says WRONG1",
                       "serial 5CD00002 is tag CB2 in kiosk, but the file says tag NEWTAG"]  # fmt: skip


def test_a_device_on_loan_keeps_its_status_and_site(district, tmp_path):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    path = tmp_path / "inv.csv"
    path.write_text("Asset Tag,Serial,Location,Status,AUE Date\nCB1,5CD00001,STORE,In Stock,2029-06-30\n")
    report = imports.import_devices([path], options=options())
    cb1 = device("CB1")
    assert (cb1.status, cb1.site.code, cb1.holder.district_id) == ("issued", "HS", "S100")
    assert cb1.aue_date == dt.date(2029, 6, 30)  # the rest of the row applies
    assert len(report.conflicts) == 1 and "on loan" in report.conflicts[0].reason
    assert "status 'In Stock' and site STORE not applied" in report.conflicts[0].reason
    assert_clean()


def test_a_move_and_a_status_change_write_their_events(district, tmp_path):
    path = tmp_path / "inv.csv"
    path.write_text("Asset Tag,Serial,Location,Status\nCB3,5CD00003,Oak Elementary,Out for Repair\n")
    imports.import_devices([path], options=options())
    moved = Event.get((Event.kind == "device.moved") & (Event.asset_tag == "CB3"))
    assert (moved.from_site, moved.to_site) == ("STORE", "ES")
    assert (device("CB3").site.code, device("CB3").status) == ("ES", "in_repair")
    assert_clean()


def test_a_new_device_said_to_be_on_loan_is_rejected(district, tmp_path):
    path = tmp_path / "inv.csv"
    path.write_text("Asset Tag,Serial,Model,Location,Status\nZ1,SN-Z1,HP Chromebook 11 G9 EE,HS,Checked Out\n")
    with pytest.raises(ImportRefused) as refused:
        imports.import_devices([path], options=options())
    assert "means on loan" in refused.value.report.rejected[0].reason


def test_default_site_fills_rows_without_one(district, tmp_path):
    path = tmp_path / "inv.csv"
    path.write_text("Asset Tag,Serial,Model\nZ2,SN-Z2,HP Chromebook 11 G9 EE\n")
    with pytest.raises(ImportRefused, match="1 row rejected"):
        imports.import_devices([path], options=options())
    imports.import_devices([path], options=options(), default_site="STORE")
    assert device("Z2").site.code == "STORE"
    assert_clean()


def test_snipeit_export(district):
    path = DATA / "devices" / "snipeit_assets.csv"
    report = imports.import_devices([path], options=options(), fmt="snipeit")
    assert keys(report, "create") == ["S1001", "S1002", "S1003", "S1004"]
    statuses = {t: device(t).status for t in ("S1001", "S1002", "S1003", "S1004")}
    assert statuses == {"S1001": "available", "S1002": "in_repair", "S1003": "retired", "S1004": "damaged"}
    assert (device("S1001").po_number, device("S1001").home_site.code) == ("PO-2023-114", "STORE")
    assert device("S1003").item.name == "Apple iPad 9th gen"  # "iPad 9th Gen" by Apple
    # CB1 says Deployed in Snipe-IT but kiosk has it in storage: the status is a conflict, the move applies.
    assert device("CB1").status == "available" and device("CB1").site.code == "HS"
    assert "the file's status 'Deployed' not applied" in report.conflicts[0].reason
    auto = imports.import_devices([path], options=options())  # recognised by its headers
    assert not auto.changed
    assert_clean()


def test_xlsx_inventory(district, tmp_path):
    path = tmp_path / "inventory.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    when = book.add_format({"num_format": "m/d/yyyy"})
    sheet.write_row(0, 0, ["Barcode", "Serial #", "Model", "Building", "Purchase Date", "Cost", "Notes"])
    sheet.write_row(1, 0, ["X1", "SN-X1", "HP Chromebook 11 G9 EE", "Central High School"])
    sheet.write_datetime(1, 4, dt.datetime(2024, 3, 15), when)
    sheet.write_number(1, 5, 289)
    sheet.write_string(1, 6, "=not a formula, a note")  # an unread column may hold anything
    sheet.write_row(2, 0, [2002, "SN-X2", "HP Chromebook 11 G9 EE", "HS"])
    book.close()
    report = imports.import_devices([path], options=options())
    assert keys(report, "create") == ["2002", "X1"]
    assert (device("X1").purchase_date, device("X1").purchase_cost_cents) == (dt.date(2024, 3, 15), 28900)
    assert_clean()


def test_tampering_with_an_imported_device_or_its_batch_event_is_found(district):
    imports.import_devices([LEGACY], options=options())
    (added,) = Event.select().where(Event.kind == "devices.added")
    # A device row pointed at another event, a device slipped into the batch: both are reported.
    Device.update(added_event="0190-made-up").where(Device.asset_tag == "A20002").execute()
    found = check().problems
    assert f"device A20002: the records say event 0190-made-up added it, the ledger says {added.uuid}." in found
    Device.update(added_event=added.uuid).where(Device.asset_tag == "A20002").execute()
    assert check().ok
    details = json.loads(added.details)
    details["groups"][0]["devices"].append(["SNEAK", "SN-SNEAK"])
    Event.update(details=json.dumps(details)).where(Event.id == added.id).execute()
    found = check().problems
    assert any("its content does not match its hash" in p for p in found)
    assert "device SNEAK is in the ledger but missing from the inventory." in found
    Event.update(details=added.details).where(Event.id == added.id).execute()  # put back for the fixture's check
