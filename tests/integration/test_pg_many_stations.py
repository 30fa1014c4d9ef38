"""Twenty stations (twenty OS processes) issue and return 1,000 devices at random on one PostgreSQL database.

Afterwards the ledger replays to the tables, no device ever had two open
loans, and every refusal was a domain error with its usual sentence: never a
raw IntegrityError or serialization failure.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from kiosk import db as kdb
from kiosk.services import check, inventory
from models import Device, Event, Loan, Person
from tests.conftest import build_district

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("many_race_worker.py")
STATIONS, DEVICES, SECONDS = 20, 1000, 6


@pytest.fixture
def crowded(pg_url, config):
    database = kdb.connect(pg_url, migrate=True)
    build_district(config)
    for n in range(STATIONS):
        inventory.add_person(f"R{n:03d}", "Racer", f"No{n}", grade="10", school="HS", homeroom="H-200")
    for n in range(DEVICES):
        inventory.add_device(f"RC{n:04d}", f"RSN{n:06d}", "HP Chromebook 11 G9 EE", "STORE", station="setup")
    yield pg_url
    database.close()


def test_twenty_stations_never_issue_one_device_twice(crowded):
    tags = [f"RC{n:04d}" for n in range(DEVICES)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), crowded, f"race-{n:02d}", f"R{n:03d}", str(SECONDS), str(n), *tags],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )
        for n in range(STATIONS)
    ]  # fmt: skip
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        reports = []
        for proc in procs:
            out, err = proc.communicate(timeout=SECONDS + 120)
            assert proc.returncode == 0, err
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()

    assert all(not r["unexpected"] for r in reports), [r["unexpected"] for r in reports if r["unexpected"]]
    refusals = defaultdict(int)
    for r in reports:
        for name, count in r["refusals"].items():
            refusals[name] += count
    assert set(refusals) <= {"DeviceAlreadyIssued", "DeviceNotIssuable", "DeviceNotOnLoan"}, dict(refusals)
    issued = sum(r["issued"] for r in reports)
    returned = sum(r["returned"] for r in reports)
    assert issued > 100 and refusals["DeviceAlreadyIssued"] > 0, "the stations really raced"

    race_events = Event.select().where(Event.station.startswith("race-"))
    assert race_events.where(Event.kind == "issued").count() == issued
    assert race_events.where(Event.kind == "returned").count() == returned
    # Per device, in the order the database wrote them, issues and returns alternate: never two loans at once.
    state: dict[str, str] = {}
    for tag, kind in (
        race_events.where(Event.kind.in_(("issued", "returned")))
        .order_by(Event.id)
        .tuples()
        .select(Event.asset_tag, Event.kind)
    ):
        assert state.get(tag, "returned") != kind, f"{tag}: two {kind} events in a row"
        state[tag] = kind
    loans = defaultdict(list)
    for device_id, out, back in Loan.select(Loan.device, Loan.issued_at, Loan.returned_at).tuples():
        loans[device_id].append((out, back))
    for periods in loans.values():
        periods.sort()
        assert all(back is not None and back <= nxt for (_, back), (nxt, _) in itertools.pairwise(periods))
    assert (
        Device.select().where(Device.status == "issued").count()
        == Loan.select().where(Loan.returned_at.is_null()).count()
    )
    assert Person.select().count() >= STATIONS
    report = check.check()
    assert report.ok, report.problems
