"""The station through a lost PostgreSQL connection: it says it is reconnecting, keeps the scans in
order, and shows a scan as done only once it is committed."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from kiosk import db as kdb
from models import Event
from tests.conftest import PG_URL, build_district
from tests.functional import test_station_support as support
from tests.functional.test_station_support import banner_text, make_app, scan, send_fast, sign_in, wait_drained

station_config = support.station_config  # the shared fixture, by name


@pytest.fixture
def pg_station(pg_url, station_config):
    name = f"kiosk-test-{uuid.uuid4().hex[:8]}"
    url = f"{pg_url}&application_name={name}"
    database = kdb.connect(url, migrate=True)
    district = build_district(station_config)
    yield district, name
    database.close()


def _cut(application_name: str) -> int:
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchall()
    return len(rows)


async def test_the_station_reconnects_and_applies_queued_scans_in_order(pg_station, station_config):
    _, name = pg_station
    app = make_app(station_config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await sign_in(pilot)
        await scan(pilot, "S100")
        assert _cut(name) >= 1
        send_fast(app, "CB1\n")  # the worker meets the dead connection here
        send_fast(app, "S101\nCB2\n")  # queued behind it
        screen = await wait_drained(pilot, timeout=30)
        assert screen.reconnects >= 1
        assert [job.value for job in screen.applied][-3:] == ["CB1", "S101", "CB2"]
        assert "Issued CB2 to Ben Okafor" in banner_text(screen)
    kdb.reconnect()
    issued = Event.select(Event.asset_tag, Event.person).where(Event.kind == "issued").order_by(Event.id).tuples()
    assert list(issued) == [("CB1", "S100"), ("CB2", "S101")]
