"""``kiosk report status|lifecycle|special-ed|fees``: each workbook read back and checked against the tables."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections import Counter

import pytest

from kiosk.reports import REPORTS
from kiosk.reports.lifecycle import end_of_life
from kiosk.services import circulation, inventory
from models import CatalogItem, Device, Fee, Person, utcnow
from tests.integration.test_reports_support import INJECTION, assess, cells, has_formula, load, pay, table, waive


def _write(name, config, tmp_path):
    path = tmp_path / f"{name}.xlsx"
    result = REPORTS[name](path, config)
    assert result.path == path and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    wb = load(path)
    for ws in wb:
        assert ws.tables and ws.freeze_panes, ws.title
    assert not has_formula(path)
    return result, wb


def test_status_by_site_and_model_and_the_device_list(district, tmp_path):
    config = district.config
    circulation.issue(district.operator, "S100", "CB1", config=config)
    circulation.set_status(district.technician, "CB2", "in_repair")
    result, wb = _write("status", config, tmp_path)
    grid = table(wb["By status"], "StatusBySiteModel")
    expected = Counter((d.site.code, d.item.name, d.status) for d in Device.select().join(CatalogItem).switch(Device))
    found = Counter()
    for row in grid:
        for status in ("available", "issued", "damaged", "in repair", "lost", "stolen", "disposed", "retired"):
            if row[status]:
                found[(row["Site"], row["Model"], status.replace(" ", "_"))] += row[status]
        assert row["Total"] == sum(row[s] for s in ("available", "issued", "in repair", "damaged"))
    assert found == expected
    hs = next(r for r in grid if r["Site"] == "HS")
    assert (hs["Model"], hs["issued"]) == ("HP Chromebook 11 G9 EE", 1)
    devices = table(wb["Devices"], "Devices")
    assert len(devices) == Device.select().count() == result.figures["devices"]
    cb1 = next(r for r in devices if r["Asset tag"] == "CB1")
    assert (cb1["Status"], cb1["Holder ID"], cb1["Holder"], cb1["Site"]) == ("issued", "S100", "Ana Lopez", "HS")


def test_lifecycle_by_school_year_with_costs(district, tmp_path):
    config, station = district.config, district.config.station
    inventory.add_device(
        "OLD1",
        "SN-OLD1",
        "HP Chromebook 11 G9 EE",
        "HS",
        station=station,
        funding_source="ESSER",
        purchase_date=dt.date(2022, 8, 15),
        aue_date=dt.date(2025, 6, 1),
    )
    inventory.add_device(
        "NEW1",
        "SN-NEW1",
        "HP Chromebook 11 G9 EE",
        "ES",
        station=station,
        funding_source="E-Rate",
        purchase_date=dt.date(2024, 8, 15),
        aue_date=dt.date(2031, 6, 1),
    )
    inventory.add_device(
        "NEW2",
        "SN-NEW2",
        "Apple iPad 9th gen",
        "ES",
        station=station,
        funding_source="E-Rate",
        purchase_date=dt.date(2024, 9, 1),
    )
    inventory.add_device(
        "GONE",
        "SN-GONE",
        "Apple iPad 9th gen",
        "ES",
        station=station,
        status="disposed",
        purchase_date=dt.date(2024, 9, 1),
    )
    assert end_of_life(dt.date(2022, 8, 15), 4, dt.date(2025, 6, 1)) == (dt.date(2025, 6, 1), "AUE")
    assert end_of_life(dt.date(2024, 2, 29), 4, None) == (dt.date(2028, 2, 29), "lifespan")
    assert end_of_life(dt.date(2023, 2, 28), 1, None) == (dt.date(2024, 2, 28), "lifespan")
    assert end_of_life(None, 4, None) == (None, "unknown")
    result, wb = _write("lifecycle", config, tmp_path)
    years = {r["School year"]: r for r in table(wb["By year"], "EndOfLifeByYear")}
    assert (years["2024-25"]["Devices"], years["2024-25"]["By AUE date"], years["2024-25"]["Replacement cost"]) == (
        1,
        1,
        289.0,
    )
    assert years["2028-29"]["Devices"] == 2 and years["2028-29"]["Replacement cost"] == 289.0 + 329.0
    assert years["2024-25"]["Note"] == "already past"
    unknown = Device.select().where(Device.purchase_date.is_null() & Device.aue_date.is_null()).count()
    assert years["unknown"]["Devices"] == unknown == 7
    devices = table(wb["Devices"], "LifecycleDevices")
    assert "GONE" not in {r["Asset tag"] for r in devices}
    old = next(r for r in devices if r["Asset tag"] == "OLD1")
    assert (old["End of life"], old["Because of"], old["School year"]) == (dt.datetime(2025, 6, 1), "AUE", "2024-25")
    groups = {
        (r["School year"], r["Site"], r["Funding source"]): r for r in table(wb["By site and funding"], "EndOfLife")
    }
    assert groups[("2028-29", "ES", "E-Rate")]["Devices"] == 2
    assert groups[("2024-25", "HS", "ESSER")]["Replacement cost"] == 289.0
    summary = {r[0].value: r[1].value for r in wb["By year"].iter_rows(max_row=7) if r[0].value}
    assert summary["Already past end of life (devices)"] == 1
    assert result.figures["devices"] == Device.select().where(Device.status != "disposed").count()


def test_special_ed_served_unserved_and_in_repair(district, tmp_path):
    config = district.config.with_overrides(owed_fees="ignore")
    inventory.add_person("S500", "Eli", "Moss", grade="10", school="HS", homeroom="H-103", iep=True, ell=True)
    inventory.add_person("S600", INJECTION, "Reyes", grade="11", school="HS", homeroom="H-101", sec504=True)
    inventory.add_person("S700", "Fay", "Ito", grade="10", school="HS", homeroom="H-101", iep=True)
    Person.update(active=False).where(Person.district_id == "S700").execute()
    circulation.issue(district.operator, "S100", "CB1", config=config)
    circulation.issue(district.operator, "S600", "CB2", config=config)
    circulation.issue(district.operator, "S500", "CB3", config=config)
    circulation.return_device(district.operator, "CB3", config=config, condition="damaged")
    result, wb = _write("special-ed", config, tmp_path)
    programs = {r["Program"]: r for r in table(wb["Summary"], "Programs")}
    assert (programs["IEP"]["Enrolled"], programs["IEP"]["With a device"], programs["IEP"]["Without a device"]) == (
        2,
        1,
        1,
    )
    assert programs["IEP"]["Share served"] == 0.5 and programs["IEP"]["Devices in repair"] == 1
    assert (programs["504"]["Enrolled"], programs["504"]["With a device"]) == (1, 1)
    assert (programs["ELL"]["Enrolled"], programs["ELL"]["Without a device"]) == (1, 1)
    held = table(wb["With a device"], "WithDevice")
    assert [(r["Program"], r["Student ID"], r["Asset tag"], r["Kind"], r["Device status"]) for r in held] == [
        ("IEP", "S100", "CB1", "chromebook", "issued"),
        ("504", "S600", "CB2", "chromebook", "issued"),
    ]
    name_cell = cells(wb["With a device"], "WithDevice")[1][4]
    assert name_cell.value == f"{INJECTION} Reyes" and name_cell.data_type == "s"
    without = table(wb["Without a device"], "WithoutDevice")
    assert [
        (r["Program"], r["School"], r["Homeroom"], r["Student ID"], r["Own device in repair"]) for r in without
    ] == [
        ("IEP", "HS", "H-103", "S500", "CB3"),
        ("ELL", "HS", "H-103", "S500", "CB3"),
    ]
    repair = table(wb["In repair"], "InRepair")
    status = Device.get(Device.asset_tag == "CB3").status
    assert [(r["Program"], r["Asset tag"], r["Status"]) for r in repair] == [
        ("IEP", "CB3", status),
        ("ELL", "CB3", status),
    ]
    assert result.figures["IEP students without a device"] == 1


def test_fee_balances_by_student_and_homeroom_with_aging(district, tmp_path):
    op, admin = district.operator, district.admin
    recent = assess(op, "S100", "CB1", 4000, "cracked screen")
    pay(op, recent, 1000)
    month = assess(op, "S100", None, 1500, "charger")
    old = assess(op, "S101", None, 2500, "case")
    gone = assess(op, "S101", None, 9900, "hotspot")
    waive(admin, gone, "hardship")
    now = utcnow()
    Fee.update(created_at=now - dt.timedelta(days=45)).where(Fee.id == month.id).execute()
    Fee.update(created_at=now - dt.timedelta(days=100)).where(Fee.id == old.id).execute()
    result, wb = _write("fees", district.config, tmp_path)
    students = {r["Student ID"]: r for r in table(wb["By student"], "BalancesByStudent")}
    assert set(students) == {"S100", "S101"}
    s100 = students["S100"]
    assert (s100["Fees"], s100["Balance"], s100["0-30 days"], s100["31-60 days"], s100["over 90 days"]) == (
        2,
        45.0,
        30.0,
        15.0,
        0,
    )
    assert (s100["School"], s100["Homeroom"], s100["Student"]) == ("HS", "H-101", "Ana Lopez")
    assert students["S101"]["over 90 days"] == 25.0 and students["S101"]["Balance"] == 25.0
    rooms = {(r["School"], r["Homeroom"]): r for r in table(wb["By homeroom"], "BalancesByHomeroom")}
    assert rooms[("HS", "H-101")]["Balance"] == 45.0 and rooms[("HS", "H-102")]["Students owing"] == 1
    fees = table(wb["Fees"], "OwedFees")
    assert sorted((r["Student ID"], r["Balance"], r["Aging"]) for r in fees) == [
        ("S100", 15.0, "31-60 days"),
        ("S100", 30.0, "0-30 days"),
        ("S101", 25.0, "over 90 days"),
    ]
    owed = sum(f.amount_cents - f.paid_cents for f in Fee.select().where(Fee.status == "owed"))
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(max_row=8) if r[0].value}
    assert summary["Total balance"] == owed / 100 == 70.0 and summary["Students owing"] == 2
    aging = {r["Age"]: r["Balance"] for r in table(wb["Summary"], "Aging")}
    assert aging == {"0-30 days": 30.0, "31-60 days": 15.0, "61-90 days": 0, "over 90 days": 25.0}
    assert result.figures["students owing"] == 2


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_an_empty_district_gives_valid_reports(database, config, tmp_path, name):
    result, wb = _write(name, config, tmp_path)
    assert wb.sheetnames and result.report == name
