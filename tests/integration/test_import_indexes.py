"""A large first import into SQLite rebuilds the table's plain indexes once instead of updating them per row.

What must hold: the indexes come back exactly as they were, queries use them,
a small import (or one into a table already larger than it) leaves the schema
alone, and a failed insert takes the drop back with the rest of its transaction.
"""

from __future__ import annotations

import csv
import sqlite3

import pytest

from kiosk.db import atomic
from kiosk.services import imports
from kiosk.services.import_devices import DEVICE_FIELDS
from kiosk.services.import_sql import REBUILD_AT_LEAST, insert_rows
from models import Device, Site
from tests.integration.import_support import assert_clean, options


@pytest.fixture
def db_url(sqlite_url):
    """SQLite only: PostgreSQL imports load with COPY and never touch the schema."""
    return sqlite_url


def _indexes() -> list[tuple[str, str]]:
    db = Device._meta.database
    return db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'device' "
                          "AND sql IS NOT NULL ORDER BY name").fetchall()  # fmt: skip


def _schema_version() -> int:
    return Device._meta.database.execute_sql("PRAGMA schema_version").fetchone()[0]


def _inventory(path, count: int, first: int = 0):
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(("Asset Tag", "Serial Number", "Model", "Location", "Status"))
        for n in range(first, first + count):
            site = ("HS", "ES", "STORE")[n % 3]
            out.writerow((f"T{n:06d}", f"SER{n:07d}", "HP Chromebook 11 G9 EE", site, "In Stock"))
    return path


def test_a_first_large_import_rebuilds_the_plain_indexes_as_they_were(district, tmp_path):
    before, version = _indexes(), _schema_version()
    assert {name for name, _ in before} >= {"device_item_id", "device_site_id", "device_status"}
    report = imports.import_devices([_inventory(tmp_path / "big.csv", REBUILD_AT_LEAST)], options=options())
    assert report.count("create") == REBUILD_AT_LEAST
    assert _schema_version() > version  # the indexes were dropped and built again ...
    assert _indexes() == before  # ... exactly as they were
    db = Device._meta.database
    assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    storage = Site.get(Site.code == "STORE").id
    plan = " ".join(row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN SELECT id FROM device WHERE site_id = ?",
                                                      (storage,)))  # fmt: skip
    assert "device_site_id" in plan
    at_storage = Device.select().where(Device.site == storage).count()
    assert at_storage == REBUILD_AT_LEAST // 3 + 6  # every third row, and the district's CB1..CB5 and HOT1
    assert_clean()


def test_a_smaller_import_updates_the_indexes_in_place(district, tmp_path):
    imports.import_devices([_inventory(tmp_path / "big.csv", REBUILD_AT_LEAST)], options=options())
    version = _schema_version()
    # Fewer rows than the table already holds: index entries are added row by row, the schema stays as it is.
    report = imports.import_devices([_inventory(tmp_path / "more.csv", 500, first=REBUILD_AT_LEAST)],
                                    options=options())  # fmt: skip
    assert report.count("create") == 500
    assert _schema_version() == version
    assert Device.select().where(Device.status == "available").count() == REBUILD_AT_LEAST + 500 + 7


def test_a_failed_insert_keeps_the_indexes(district):
    before, version, count = _indexes(), _schema_version(), Device.select().count()
    item, site = Device.get(Device.asset_tag == "CB1").item_id, Site.get(Site.code == "HS").id
    rows = [(f"T{n:06d}", f"SER{n:07d}", item, "available", site, site, "", "", None, None, None, None, None)
            for n in range(REBUILD_AT_LEAST)]  # fmt: skip
    rows.append(("CB1", "ANOTHER", item, "available", site, site, "", "", None, None, None, None, None))
    with pytest.raises(sqlite3.IntegrityError), atomic():
        insert_rows(Device, DEVICE_FIELDS, rows, options(), "writing devices")
    assert _indexes() == before
    assert _schema_version() == version
    assert Device.select().count() == count
