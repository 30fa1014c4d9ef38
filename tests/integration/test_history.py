"""A device's recent history reads as sentences, fees and repairs included."""

from __future__ import annotations

import peewee

from kiosk.services import circulation
from kiosk.services.lookup import lookup


def test_history_names_the_repair_ticket_and_the_free_break(district):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    circulation.return_device(district.operator, "CB1", config=district.config, condition="damaged")
    circulation.issue(district.operator, "S100", "CB2", config=district.config, confirmed=("loaner",))
    circulation.return_device(district.operator, "CB2", config=district.config, condition="damaged")
    first = [line.summary for line in lookup("CB1", config=district.config).device.history]
    assert any(s.startswith("repair ticket opened") for s in first), first
    assert any(s == "damage fee $0.00 to S100 (free break)" for s in first), first
    assert any(s.startswith("returned by S100 (damaged)") for s in first), first
    second = [line.summary for line in lookup("CB2", config=district.config).device.history]
    assert any(s.startswith("damage fee $25.00 to S100") for s in second), second


def test_history_is_read_from_one_index_on_sqlite(database):
    """SQLite reads a card's history from the covering index (no row of the event table); PostgreSQL keeps
    its asset-tag index. Either way the lines come newest first, the same as before the index."""
    from playhouse.migrations import Runner

    from kiosk import db as kdb
    from kiosk.services.common import _HISTORY
    from models import Event

    for n, kind in enumerate(["device.added", "issued", "returned"]):
        Event.create(uuid=f"u{n}", station="s", seq=n + 1, at=f"2026-11-2{n} 10:00:00", kind=kind, asset_tag="CB9",
                     person="S1", prev_hash="", hash=f"h{n}")  # fmt: skip
    Event.create(uuid="other", station="s", seq=9, at="2026-11-29 10:00:00", kind="issued", asset_tag="CB8",
                 prev_hash="", hash="h9")  # fmt: skip
    sql = _HISTORY._compile(2)[1]
    if isinstance(database, peewee.SqliteDatabase):
        plan = " ".join(row[-1] for row in database.execute_sql(f"EXPLAIN QUERY PLAN {sql}", ("CB9", 8)))
        assert "COVERING INDEX event_history" in plan, plan
    indexes = {index.name for index in database.get_indexes("event")}
    sqlite = isinstance(database, peewee.SqliteDatabase)
    assert ("event_history" in indexes) is sqlite and ("event_asset_tag" in indexes) is not sqlite
    assert [row[1] for row in _HISTORY.tuples("CB9", 8)] == ["returned", "issued", "device.added"]
    runner = Runner(database, str(kdb.MIGRATIONS_DIR))  # and the migration goes back and forth
    runner.down("0010_event_idem_key_partial")
    assert "event_asset_tag" in {index.name for index in database.get_indexes("event")}
    runner.up()
    assert [row[1] for row in _HISTORY.tuples("CB9", 2)] == ["returned", "issued"]
