"""The PostgreSQL server restarts while three stations are scanning: every acknowledged scan is in the
ledger exactly once, nothing else is, and ``kiosk check`` is clean.

The test runs its own throwaway cluster (``pg_createcluster``) on a free port,
so restarting it never disturbs the shared test server; it needs root and the
Debian PostgreSQL cluster tools, and skips with a reason without them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from kiosk import db as kdb
from kiosk.config import Config
from kiosk.services import check, inventory
from models import Event
from tests.conftest import PG_URL, PIN, build_district

ROOT = Path(__file__).resolve().parents[2]
STATIONS, ROUNDS = 3, 25


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster():
    if not PG_URL:
        pytest.skip("KIOSK_TEST_POSTGRES_URL is not set; PostgreSQL tests skipped")
    if not shutil.which("pg_createcluster") or not Path("/etc/postgresql").is_dir():
        pytest.skip("the Debian PostgreSQL cluster tools (pg_createcluster) are not installed")
    if os.geteuid() != 0:
        pytest.skip("creating a throwaway PostgreSQL cluster needs root")
    version = max(os.listdir("/etc/postgresql"))
    name, port = f"kiosk{uuid.uuid4().hex[:6]}", _free_port()
    subprocess.run(["pg_createcluster", "-p", str(port), version, name, "--", "--auth=trust"],
                   check=True, capture_output=True)  # fmt: skip
    ctl = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name]
    try:
        subprocess.run([*ctl, "start"], check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", ctl
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True, check=False)


def _station(url: str, n: int, home: Path, acks: list, errors: list) -> None:
    lines = []
    for r in range(ROUNDS):
        tag = f"RT{n}{r:03d}"
        lines += [f"RS{n}", tag, "$RETURN", tag, "$ISSUE"]
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_PIN": PIN, "PYTHONPATH": str(ROOT)}
    with (home / f"stderr-{n}.txt").open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "scan", "--db", url, "--operator", "OP1", "--station", f"rs-{n}",
             "--json", "--patience", "60"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=ROOT,
        )  # fmt: skip
        try:
            for line in lines:
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
                answer = proc.stdout.readline()
                if not answer:
                    break
                acks.append(json.loads(answer))
                time.sleep(0.02)
            proc.stdin.close()
            proc.wait(timeout=120)
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(repr(exc))
            proc.kill()


def test_stations_ride_through_a_server_restart(cluster, tmp_path):
    url, ctl = cluster
    config = Config(station="setup", station_site="HS")
    kdb.connect(url, migrate=True)
    build_district(config)
    for n in range(STATIONS):
        inventory.add_person(f"RS{n}", "Restart", f"Student{n}", grade="10", school="HS")
        for r in range(ROUNDS):
            inventory.add_device(f"RT{n}{r:03d}", f"RTS{n}{r:03d}", "HP Chromebook 11 G9 EE", "STORE", station="setup")
    kdb.models.database.close()

    acks: list[list] = [[] for _ in range(STATIONS)]
    errors: list[str] = []
    threads = [threading.Thread(target=_station, args=(url, n, tmp_path, acks[n], errors)) for n in range(STATIONS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while sum(map(len, acks)) < STATIONS * ROUNDS and time.monotonic() < deadline:
        time.sleep(0.05)  # a fifth of the scans are in before the restart
    subprocess.run([*ctl, "restart"], check=True, capture_output=True)
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors
    waited = "".join((tmp_path / f"stderr-{n}.txt").read_text() for n in range(STATIONS))
    assert "Reconnecting to the database" in waited, "the restart happened while the stations were scanning"

    kdb.connect(url)
    for n, answered in enumerate(acks):
        assert len(answered) == ROUNDS * 5, f"station {n} got {len(answered)} answers"
        assert all(a["ok"] for a in answered), [a for a in answered if not a["ok"]][:3]
        written = {a["event_id"]: a["event"] for a in answered if a.get("event_id")}
        assert sorted(written.values()).count("issued") == ROUNDS
        ledger = Event.select(Event.uuid, Event.kind).where(Event.station == f"rs-{n}").tuples()
        by_uuid = {}
        for event_uuid, kind in ledger:
            assert event_uuid not in by_uuid
            by_uuid[event_uuid] = kind
        applied = {u: k for u, k in by_uuid.items() if k in ("issued", "returned")}
        assert applied == written, "every acknowledged scan once, and nothing that was not acknowledged"
    report = check.check()
    assert report.ok, report.problems
    kdb.models.database.close()
