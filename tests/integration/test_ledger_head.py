"""The chain head a process remembers is only a guess: whoever moved the head, the chain stays whole."""

from __future__ import annotations

import pytest

from kiosk import ledger
from kiosk.db import atomic
from models import Event, Station
from tests.integration.helpers import assert_check_clean


def _write(station: str, n: int = 1) -> list[Event]:
    with atomic():
        return [
            ledger.record("rejected", station=station, details={"scan": f"X{i}", "reason": "test"}) for i in range(n)
        ]


def _chain(station: str) -> list[tuple[int, str, str]]:
    rows = Event.select(Event.seq, Event.prev_hash, Event.hash).where(Event.station == station).order_by(Event.seq)
    return list(rows.tuples())


def _another_writer(station: str) -> str:
    """One event written as another process would write it (from the stored head); its hash."""
    other = ledger.BulkChain.open(station)
    with atomic():
        Event.insert_many([other.row("rejected", details={"scan": "Y", "reason": "other"})]).execute()
        other.close()
    return other.last_hash


def _rolled_back_write(station: str) -> None:
    """An event written by a use case that then failed: its transaction, station row and all, is undone."""
    with pytest.raises(RuntimeError), atomic():
        ledger.record("rejected", station=station, details={"scan": "Z", "reason": "undone"})
        raise RuntimeError("the use case failed after writing its event")


def _assert_whole(station: str) -> None:
    chain = _chain(station)
    assert [seq for seq, _, _ in chain] == list(range(1, len(chain) + 1))
    assert all(chain[i][1] == chain[i - 1][2] for i in range(1, len(chain)))
    head = Station.get(Station.name == station)
    assert (head.last_seq, head.last_hash) == (chain[-1][0], chain[-1][2])
    assert_check_clean()


def test_events_in_a_row_chain_on_the_remembered_head(district):
    events = _write("desk-9", 3) + _write("desk-9", 2)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    _assert_whole("desk-9")


@pytest.mark.parametrize("rolled_back_first", [False, True], ids=["moved", "rolled-back-then-moved"])
def test_a_head_moved_by_another_writer_is_read_again(district, rolled_back_first):
    """After a rolled-back write, the remembered head names seq 3 with one hash and the stored one seq 3 with
    another."""
    _write("desk-9", 2)
    if rolled_back_first:
        _rolled_back_write("desk-9")
    moved_to = _another_writer("desk-9")
    event = _write("desk-9")[0]
    assert event.seq == 4 and event.prev_hash == moved_to
    _assert_whole("desk-9")


def test_a_rolled_back_write_leaves_no_gap(district):
    _write("desk-9", 2)
    _rolled_back_write("desk-9")
    assert _write("desk-9")[0].seq == 3
    _assert_whole("desk-9")


def test_a_station_row_removed_and_made_again(district):
    _write("desk-9", 2)
    Event.delete().where(Event.station == "desk-9").execute()
    Station.delete().where(Station.name == "desk-9").execute()
    assert _write("desk-9")[0].seq == 1
    _assert_whole("desk-9")
