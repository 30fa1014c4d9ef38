"""Power cuts: ``kiosk scan`` is killed with SIGKILL at random moments on a long scripted feed.

After each kill the feed is sent again from the start of the interrupted
student's sequence, with the same idempotency keys (``--keyed``), as a
station's queue would after a reboot. At the end every scan the program
acknowledged is in the ledger exactly once, nothing was applied twice or by
half, and ``kiosk check`` is clean. 50 kills on SQLite, 20 on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from peewee import fn

from kiosk import db as kdb
from kiosk.services import check, inventory
from models import Device, Event, Loan, database
from tests.conftest import PIN, build_district

ROOT = Path(__file__).resolve().parents[2]
PAIRS, CYCLES = 12, 70
KILLS = {"sqlite": 50, "postgres": 20}


def _feed() -> list[tuple[int, str, str]]:
    """(cycle, key, scan): each cycle issues a device to a student and takes it back."""
    lines = []
    for c in range(CYCLES):
        student, tag = f"PC{c % PAIRS:02d}", f"PT{c % PAIRS:02d}"
        for step, scan in enumerate((student, tag, "$RETURN", tag, "$ISSUE")):
            lines.append((c, f"c{c}-s{step}", scan))
    return lines


@pytest.fixture
def feed_db(db_url, config):
    database_ = kdb.connect(db_url, migrate=True)
    build_district(config)
    for n in range(PAIRS):
        inventory.add_person(f"PC{n:02d}", "Power", f"Cut{n}", grade="10", school="HS", homeroom="H-300")
        inventory.add_device(f"PT{n:02d}", f"PTS{n:04d}", "HP Chromebook 11 G9 EE", "STORE", station="setup")
    database_.close()
    yield db_url
    kdb.connect(db_url)


def _start(url: str, home: Path) -> subprocess.Popen:
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_PIN": PIN, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "scan", "--db", url, "--operator", "OP1", "--station", "crash-desk",
         "--json", "--keyed"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT,
        bufsize=1,
    )  # fmt: skip


def test_acknowledged_scans_survive_sigkill_exactly_once(feed_db, db_url, tmp_path):
    kind = "postgres" if db_url.startswith("postgres") else "sqlite"
    kills_wanted = KILLS[kind]
    rng = random.Random(f"crash-{kind}")
    lines = _feed()
    acked: dict[str, dict] = {}
    position, kills = 0, 0
    while position < len(lines):
        proc = _start(feed_db, tmp_path)
        budget = rng.randint(1, 8) if kills < kills_wanted else None
        read = 0
        for _, key, scan in lines[position:]:
            proc.stdin.write(f"{key}\t{scan}\n")
        proc.stdin.flush()
        if budget is None:
            proc.stdin.close()
        try:
            while position < len(lines):
                answer = proc.stdout.readline()
                if not answer:
                    break
                out = json.loads(answer)
                assert out["key"] == lines[position][1], (out, lines[position])
                acked[out["key"]] = out
                position, read = position + 1, read + 1
                if budget is not None and read >= budget:
                    time.sleep(rng.uniform(0, 0.02))  # land inside the next scan's transaction, or not
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
                    break
        finally:
            if proc.poll() is None and budget is None:
                proc.wait(timeout=60)
            proc.kill()
            proc.wait()
            proc.stdout.close()
        if budget is not None:
            # Re-send from the start of the interrupted cycle: the station lost its selected student.
            cycle = lines[min(position, len(lines) - 1)][0]
            position = next(n for n, line in enumerate(lines) if line[0] == cycle)
    assert kills == kills_wanted

    kdb.connect(feed_db)
    assert all(out["ok"] for out in acked.values()), [o for o in acked.values() if not o["ok"]][:3]
    doubled = (Event.select(Event.idem_key, fn.COUNT(Event.id)).where(Event.idem_key.is_null(False))
               .group_by(Event.idem_key).having(fn.COUNT(Event.id) > 1).tuples())  # fmt: skip
    assert list(doubled) == [], "a key applied twice"
    for key, out in acked.items():
        if out.get("event_id"):
            row = Event.get_or_none(Event.uuid == out["event_id"])
            assert row is not None and row.idem_key == key, (key, out)
    desk = Event.select().where(Event.station == "crash-desk")
    assert desk.where(Event.kind == "issued").count() == CYCLES
    assert desk.where(Event.kind == "returned").count() == CYCLES
    assert Loan.select().where(Loan.returned_at.is_null()).count() == 0
    assert Device.select().where(Device.asset_tag.startswith("PT") & (Device.status != "available")).count() == 0
    report = check.check()
    assert report.ok, report.problems
    database.close()
