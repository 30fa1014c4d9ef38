"""Shared fixtures: a real database (SQLite file, and PostgreSQL when configured) and a small district."""

from __future__ import annotations

import functools
import os
import uuid
from dataclasses import dataclass
from unittest import mock

import pytest

from kiosk import db as kdb
from kiosk import security
from kiosk.config import Config
from kiosk.dto import Actor
from kiosk.services import inventory, operators
from models import Person

PG_URL = os.environ.get("KIOSK_TEST_POSTGRES_URL")
PIN = "2468"


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def pg_url():
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not PG_URL:
        pytest.skip("KIOSK_TEST_POSTGRES_URL is not set; PostgreSQL tests skipped")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE SCHEMA {schema}")
    try:
        yield _pg_schema_url(schema)
    finally:
        _pg_admin(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A fresh, migrated database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kiosk.db'}"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'kiosk.db'}"


@pytest.fixture
def database(db_url):
    database = kdb.connect(db_url, migrate=True)
    yield database
    database.close()


@pytest.fixture
def config():
    return Config(station="test-station", station_site="HS", case_first=1, case_last=20)


@dataclass
class District:
    config: Config
    operator: Actor
    technician: Actor
    admin: Actor


@functools.cache
def _pin_hash(pin: str) -> str:
    return security.hash_pin(pin)


def build_district(config: Config) -> District:
    """A small district: one high school, one elementary school, storage, a few students and devices.

    Students: S100 (grade 10, HS, IEP), S101 (grade 11, HS), S200 (grade 03, ES),
    S300 (inactive). Devices: CB1..CB5 (Chromebook for 06-12) in storage,
    TB1 (tablet for KG-02) at ES, HOT1 (hotspot) in storage.
    """
    inventory.add_site("DIST", "Demo District Office", "district")
    inventory.add_site("HS", "Central High School", "school", parent="DIST")
    inventory.add_site("ES", "Oak Elementary", "school", parent="DIST")
    inventory.add_site("STORE", "Central Storage", "storage", parent="DIST")
    inventory.add_catalog_item(
        "HP Chromebook 11 G9 EE", "chromebook", eligible_grades="06,07,08,09,10,11,12", replacement_cost_cents=28900
    )
    inventory.add_catalog_item("Apple iPad 9th gen", "tablet", eligible_grades="KG,01,02", replacement_cost_cents=32900)
    inventory.add_catalog_item("Kajeet SmartSpot", "hotspot", replacement_cost_cents=9900)
    inventory.add_person("S100", "Ana", "Lopez", grade="10", school="HS", homeroom="H-101", iep=True)
    inventory.add_person("S101", "Ben", "Okafor", grade="11", school="HS", homeroom="H-102")
    inventory.add_person("S200", "Cara", "Nguyen", grade="03", school="ES", homeroom="E-3A")
    inventory.add_person("S300", "Dev", "Patel", grade="09", school="HS")
    Person.update(active=False).where(Person.district_id == "S300").execute()
    for n in range(1, 6):
        inventory.add_device(f"CB{n}", f"5CD{n:05d}", "HP Chromebook 11 G9 EE", "STORE", station=config.station)
    inventory.add_device("TB1", "DMPX0001", "Apple iPad 9th gen", "ES", station=config.station)
    inventory.add_device("HOT1", "KJ0001", "Kajeet SmartSpot", "STORE", station=config.station)
    # scrypt costs ~40 ms a hash: the three test operators share one hash of PIN, made once per test process.
    with mock.patch.object(operators, "hash_pin", _pin_hash):
        for badge, name, role in (("OP1", "Olive Operator", "operator"), ("TE1", "Theo Tech", "technician"),
                                  ("AD1", "Ada Admin", "admin")):  # fmt: skip
            operators.add_operator(badge, name, role, PIN, station=config.station)
    return District(
        config,
        Actor("OP1", "Olive Operator", "operator", config.station),
        Actor("TE1", "Theo Tech", "technician", config.station),
        Actor("AD1", "Ada Admin", "admin", config.station),
    )


@pytest.fixture
def district(database, config) -> District:
    return build_district(config)


def layout_requests(widget) -> list[bool]:
    """From now on, each refresh ``widget`` asks for, as whether it asked for a layout of the screen."""
    asked: list[bool] = []
    original = widget.refresh

    def refresh(*regions, **kwargs):
        asked.append(kwargs.get("layout", False))
        return original(*regions, **kwargs)

    widget.refresh = refresh
    return asked
