"""Two stations (two OS processes) take back two damaged devices of one student at the same moment:
the student's one free break is used once, and the other return is charged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.services import circulation
from models import Fee
from tests.integration.helpers import assert_check_clean

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import json, sys
from kiosk import db
from kiosk.config import Config
from kiosk.dto import Actor
from kiosk.services import circulation
from models import Device

url, station, tag = sys.argv[1:]
db.connect(url)
Device.select().count()  # the connection is open and warm before the start signal
actor = Actor("OP1", "Olive Operator", "operator", station)
print("ready", flush=True)
if sys.stdin.readline().strip() == "go":
    result = circulation.return_device(actor, tag, config=Config(station=station, station_site="HS"),
                                       condition="damaged")
    print(json.dumps({"tag": tag, "charge": result.charge}), flush=True)
"""


def start(url: str, station: str, tag: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, url, station, tag],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip


def test_one_free_break_is_used_once_by_two_stations_at_once(db_url, district):
    # Ana holds a Chromebook and a hotspot (two categories, so both can be on loan to her).
    for tag in ("CB1", "HOT1"):
        circulation.issue(district.operator, "S100", tag, config=district.config)
    racers = [start(db_url, "desk-a", "CB1"), start(db_url, "desk-b", "HOT1")]
    try:
        for proc in racers:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for proc in racers:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        lines = [proc.stdout.readline() for proc in racers]
        assert all(lines), [proc.stderr.read() for proc in racers]
        charges = sorted(json.loads(line)["charge"] for line in lines)
        for proc in racers:
            assert proc.wait(timeout=30) == 0, proc.stderr.read()
    finally:
        for proc in racers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert charges[0] == "Damage fee $25.00 charged to Ana Lopez." and charges[1].startswith("Free break used")
    assert sorted(f.amount_cents for f in Fee.select()) == [0, 2500]
    assert_check_clean()
