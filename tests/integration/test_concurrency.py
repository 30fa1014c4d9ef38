"""Two stations (two OS processes) race to issue the same device: exactly one wins.

SQLite: both processes open one file (BEGIN IMMEDIATE serialises them).
PostgreSQL: both connect to the test schema (the search_path is in the URL),
and SELECT ... FOR UPDATE plus the partial unique index decide.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from models import Loan
from tests.integration.helpers import assert_check_clean, device, events

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("race_worker.py")
TAGS = ("CB1", "HOT1", "TB1")  # one device of each category, so a winner's first device never blocks its next
NAMES = {"S100": "Ana Lopez", "S101": "Ben Okafor"}


def start(url: str, station: str, student: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), url, station, student, *TAGS],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    return proc


def test_two_processes_race_for_the_same_devices(db_url, district):
    racers = {"S100": start(db_url, "race-a", "S100"), "S101": start(db_url, "race-b", "S101")}
    try:
        for proc in racers.values():
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for tag in TAGS:
            for proc in racers.values():  # the start signal reaches both within microseconds
                proc.stdin.write("go\n")
                proc.stdin.flush()
            results = {student: json.loads(proc.stdout.readline()) for student, proc in racers.items()}
            winners = [student for student, r in results.items() if r["ok"]]
            assert len(winners) == 1, results
            winner = winners[0]
            loser = next(r for student, r in results.items() if student != winner)
            assert loser["error"] == "DeviceAlreadyIssued", loser
            assert f"{tag} is already issued to {NAMES[winner]} ({winner}) since " in loser["message"]
            assert device(tag).holder.district_id == winner
        for proc in racers.values():
            proc.stdin.close()
            assert proc.wait(timeout=30) == 0, proc.stderr.read()
    finally:
        for proc in racers.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert Loan.select().count() == len(TAGS)
    assert len(events("issued")) == len(TAGS) and events("rejected") == []
    assert_check_clean()
