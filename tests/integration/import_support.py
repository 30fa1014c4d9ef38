"""Shared by the import and catalog tests: fixture paths, options, and "nothing was written" snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.services.check import check
from kiosk.services.import_common import ImportOptions
from models import CatalogAlias, CatalogItem, Device, Event, Person, Site, Station

DATA = Path(__file__).resolve().parents[1] / "data"
STATION = "import-station"


def options(**kw) -> ImportOptions:
    return ImportOptions(station=STATION, **kw)


def snapshot() -> dict:
    """Row counts of every table an import writes, and the chain heads: equal snapshots mean nothing changed."""
    counts = {m.__name__: m.select().count() for m in (Site, Person, CatalogItem, CatalogAlias, Device, Event)}
    counts["heads"] = sorted(Station.select(Station.name, Station.last_seq).tuples())
    counts["devices"] = sorted(Device.select(Device.asset_tag, Device.status, Device.site, Device.aue_date,
                                             Device.purchase_cost_cents).tuples())  # fmt: skip
    counts["people"] = sorted(Person.select(Person.district_id, Person.active, Person.iep, Person.grade).tuples())
    return counts


def assert_clean() -> None:
    """kiosk check finds nothing: the ledger replays to the tables."""
    report = check()
    assert report.ok, report.problems


def keys(report, action: str, entity: str = "device") -> list[str]:
    return sorted(c.key for c in report.changes if c.action == action and c.entity == entity)


def device(tag: str) -> Device:
    return Device.get(Device.asset_tag == tag)


def person(district_id: str) -> Person:
    return Person.get(Person.district_id == district_id)


@pytest.fixture
def ledger_checked(database):
    """After the test, whatever it imported or refused: kiosk check finds no problem."""
    yield
    assert_clean()
