"""Scans arrive faster than the database answers: all of them are applied, once each, in the order scanned."""

from __future__ import annotations

import time

from kiosk.app import WorkflowSession
from kiosk.workflow import Workflow
from models import Event
from tests.functional import test_station_support as support
from tests.functional.test_station_support import make_app, send_fast, sign_in, wait_drained

station, station_config = support.station, support.station_config  # the shared fixtures, by name

SLOW = 0.02
"""Seconds each scan takes in the worker: far longer than the app takes to read the whole burst."""


class SlowSession(WorkflowSession):
    """A real workflow that answers slowly, and notes how many jobs were waiting each time it started one."""

    def __init__(self, workflow, seen: list[int], waiting):
        super().__init__(workflow)
        self.seen = seen
        self.waiting = waiting

    def handle(self, raw, idem_key, on_wait=None):
        self.seen.append(self.waiting())
        time.sleep(SLOW)
        return super().handle(raw, idem_key)

    def switch(self, mode):
        self.seen.append(self.waiting())
        time.sleep(SLOW)
        return super().switch(mode)


def slow_app(config, seen: list[int]):
    holder = {}

    def open_session(actor):
        return SlowSession(Workflow(actor, config), seen, lambda: holder["screen"].queue.waiting)

    return make_app(config, open_session=open_session), holder


def ledger(kinds=("issued", "returned")) -> list[tuple[str, str | None, str | None, str | None]]:
    query = Event.select().where(Event.kind.in_(kinds)).order_by(Event.id)
    return [(e.kind, e.asset_tag, e.person, e.idem_key) for e in query]


async def test_twenty_scans_in_one_burst_are_applied_in_order(district, config):
    """On SQLite and PostgreSQL (the ``district`` fixture runs on both)."""
    seen: list[int] = []
    app, holder = slow_app(config, seen)
    codes = []
    for i in range(4):
        codes += ["$ISSUE", "S100" if i % 2 == 0 else "S101", "CB1", "$RETURN", "CB1"]
    assert len(codes) == 20
    async with app.run_test(size=(80, 24)) as pilot:
        holder["screen"] = await sign_in(pilot)
        send_fast(app, "".join(f"{code}\n" for code in codes))
        screen = await wait_drained(pilot, timeout=30)
        assert [job.value for job in screen.applied] == codes
        assert [job.seq for job in screen.applied] == list(range(1, 21))
        assert screen.session.tally.issued == 4 and screen.session.tally.returned == 4
        assert screen.session.tally.refused == 0
        assert "Returned CB1 from Ben Okafor." in screen.query_one("#banner").sentence.plain
        assert not screen.query_one("#busy").has_class("-busy")
        keys = {job.seq: job.idem_key for job in screen.applied}
    # The worker was behind: jobs piled up while it answered, and none was lost.
    assert max(seen) >= 5
    events = ledger()
    assert [(kind, tag, person) for kind, tag, person, _ in events] == [
        (kind, "CB1", person) for person in ("S100", "S101", "S100", "S101") for kind in ("issued", "returned")
    ]
    # Each applied scan carries the idempotency key it got when it was queued.
    issue_and_return_jobs = [seq for seq in range(1, 21) if seq % 5 in (3, 0)]
    assert [key for *_, key in events] == [keys[seq] for seq in issue_and_return_jobs]


async def test_function_keys_keep_their_place_among_fast_scans(station, station_config):
    seen: list[int] = []
    app, holder = slow_app(station_config, seen)
    async with app.run_test(size=(80, 24)) as pilot:
        holder["screen"] = await sign_in(pilot)
        # Scan, F3 (RETURN), scan, F2 (ISSUE) ... all typed before the first answer arrives.
        from textual import events

        for student in ("S100", "S101", "S100"):
            send_fast(app, f"{student}\nCB2\n")
            app._driver.send_message(events.Key("f3", None))
            send_fast(app, "CB2\n")
            app._driver.send_message(events.Key("f2", None))
        screen = await wait_drained(pilot, timeout=30)
        assert [job.value for job in screen.applied] == ["S100", "CB2", "RETURN", "CB2", "ISSUE"] + [
            "S101", "CB2", "RETURN", "CB2", "ISSUE", "S100", "CB2", "RETURN", "CB2", "ISSUE"
        ]  # fmt: skip
        assert screen.session.tally.refused == 0
        assert screen.query_one("#mode-title").text == "ISSUE"
    assert [(kind, person) for kind, _, person, _ in ledger()] == [
        (kind, person) for person in ("S100", "S101", "S100") for kind in ("issued", "returned")
    ]
