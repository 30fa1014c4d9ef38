"""Workbooks kiosk writes are private (0600) and hold hostile names as inert text, never formulas."""

from __future__ import annotations

import stat

import openpyxl
import pytest

from kiosk.reports.status import write_status
from kiosk.services import circulation, inventory
from models import Device, Person

HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "'; DROP TABLE device; --", '" OR 1=1 --']


@pytest.fixture
def hostile(district):
    for n, name in enumerate(HOSTILE):
        inventory.add_catalog_item(name, "laptop", replacement_cost_cents=100)
        inventory.add_person(f"X{n}", name, name, grade="10", school="HS")
        inventory.add_device(f"EV{n}", f"SN-EV{n}", name, "HS", station=district.config.station)
        circulation.issue(district.admin, f"X{n}", f"EV{n}", config=district.config)
    return district


def test_status_report_is_private_and_inert(hostile, tmp_path):
    out = tmp_path / "status.xlsx"
    write_status(out, hostile.config)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    seen = set()
    for ws in openpyxl.load_workbook(out).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.update(h for h in HOSTILE if h in cell.value)
    assert seen & {"=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"}


def test_sql_looking_text_is_stored_as_text(hostile):
    assert Device.select().count() == 7 + len(HOSTILE)
    for n, name in enumerate(HOSTILE):
        person = Person.get(Person.district_id == f"X{n}")
        assert person.first_name == name and person.last_name == name
        assert Device.get(Device.asset_tag == f"EV{n}").item.name == name
