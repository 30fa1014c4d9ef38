"""Riding through a lost PostgreSQL connection: a scan in flight is retried with its key and applied once.

The connection is really cut: the server terminates this test's backend
(``pg_terminate_backend``), as it does on a restart or a network drop.
"""

from __future__ import annotations

import psycopg
import pytest

from kiosk import db as kdb
from kiosk.errors import TransientConflict
from kiosk.retry import apply_scan
from kiosk.workflow import Workflow
from models import Event, database
from tests.conftest import PG_URL
from tests.integration.helpers import assert_check_clean, device

pytestmark = pytest.mark.usefixtures("district")


@pytest.fixture
def db_url(pg_url):
    """These tests cut PostgreSQL connections; SQLite has none to cut."""
    return pg_url


def _cut_this_connection() -> int:
    """Terminate the calling thread's backend from another connection; returns its pid."""
    pid = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    return pid


def test_a_scan_whose_connection_dropped_is_applied_once_after_reconnecting(district):
    flow = Workflow(district.operator, district.config)
    assert flow.handle("S100").event == "student"
    before = _cut_this_connection()
    waits, sleeps = [], []
    outcome = apply_scan(flow, "CB1", "key-cb1", on_wait=waits.append, sleep=sleeps.append)
    assert outcome.event == "issued" and outcome.ok, outcome.message
    assert len(waits) == 1 and "Reconnecting" in waits[0] and "'CB1'" in waits[0]
    assert sleeps == [1.0]
    assert database.execute_sql("SELECT pg_backend_pid()").fetchone()[0] != before
    assert Event.select().where(Event.idem_key == "key-cb1").count() == 1
    assert device("CB1").holder.district_id == "S100"
    assert flow.tally.scans == 2 and flow.tally.issued == 1
    # The answer to a committed scan was lost: the same key again gives the first result, nothing twice.
    again = apply_scan(Workflow(district.operator, district.config), "$RETURN", "k2")
    assert again.ok
    assert Event.select().where((Event.kind == "issued") & (Event.asset_tag == "CB1")).count() == 1
    assert_check_clean()


def test_the_workflow_keeps_its_state_while_the_database_is_away(district):
    flow = Workflow(district.operator, district.config)
    flow.handle("S100")
    flow.handle("CB1")
    flow.handle("$RETURN")
    assert flow.handle("$DAMAGED").armed == "damaged"
    _cut_this_connection()
    gave_up = apply_scan(flow, "CB1", "key-ret", patience=0, sleep=lambda s: None)
    assert (gave_up.ok, gave_up.event) == (False, "unavailable")
    assert "Nothing was recorded" in gave_up.message
    kdb.reconnect()
    assert Event.select().where(Event.idem_key == "key-ret").count() == 0
    done = apply_scan(flow, "CB1", "key-ret")
    assert done.event == "returned" and "DAMAGED" in done.message, done.message
    assert Event.select().where(Event.idem_key == "key-ret").count() == 1
    assert_check_clean()


def test_a_lost_race_is_a_transient_conflict_not_a_raw_driver_error():
    with pytest.raises(TransientConflict) as raised, kdb.unavailable_as_error(), kdb.atomic():
        database.execute_sql("DO $$ BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = '40001'; END $$")
    assert "Another station changed the same records" in raised.value.message
    with pytest.raises(TransientConflict), kdb.unavailable_as_error(), kdb.atomic():
        database.execute_sql("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$")
    assert database.execute_sql("SELECT 1").fetchone() == (1,)


def test_reconnect_says_so_while_the_server_is_still_away(district, monkeypatch):
    from kiosk.errors import DatabaseUnavailable

    real = database.obj.connect

    def refused(*args, **kwargs):
        raise psycopg.OperationalError("connection refused")

    _cut_this_connection()
    monkeypatch.setattr(database.obj, "_connect", lambda: refused())
    with pytest.raises(DatabaseUnavailable, match="still not answering"):
        kdb.reconnect()
    monkeypatch.undo()
    assert real is not None
    kdb.reconnect()
    assert database.execute_sql("SELECT 1").fetchone() == (1,)
