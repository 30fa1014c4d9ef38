"""Faults of the machine, not of the input: a read-only database, a full disk, a database locked too long.

Each one must end in one clear sentence and leave nothing half done: the tables
exactly as they were (or the scan applied once when it is retried after the
fault), and no half-written file. SQLite only: these are the faults of a
station's own database file (PostgreSQL's lost connections are in
test_reconnect.py).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from unittest import mock

import pytest
import xlsxwriter.worksheet
from reportlab.pdfgen.canvas import Canvas

import models
from kiosk import cli, clock
from kiosk import db as kdb
from kiosk.errors import BadInput, DatabaseUnavailable
from kiosk.io.mapping import Rejection
from kiosk.io.writers import write_rows
from kiosk.labels.students import write_student_lists
from kiosk.reports import REPORTS
from kiosk.retry import apply_scan
from kiosk.services import imports
from kiosk.workflow import Workflow
from models import Event
from tests.conftest import PIN
from tests.integration.helpers import assert_check_clean, device_rows, loan_rows
from tests.integration.import_support import options


@pytest.fixture
def db_url(sqlite_url):
    """These are faults of a SQLite file."""
    return sqlite_url


def state() -> tuple:
    """Everything a scan or an import could change."""
    return device_rows(), loan_rows(), Event.select().count(), sorted(Event.select(Event.uuid).tuples())


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


# -- a read-only database ------------------------------------------------------------------------


@contextlib.contextmanager
def read_only(path: Path):
    """``path`` made unwritable: mode 0444 for an ordinary user; for root, which ignores modes, the
    immutable attribute (skipped where chattr is not allowed)."""
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    immutable = False
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            path.chmod(0o600)
            pytest.skip(f"running as root and chattr +i is not allowed here: {done.stderr.decode().strip()}")
        immutable = True
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o600)


def test_kiosk_scan_on_a_read_only_database_file_says_so_and_writes_nothing(district, db_url, tmp_path):
    path = Path(db_url.removeprefix("sqlite:///"))
    before = state()
    models.database.close()
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    with read_only(path):
        proc = subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "scan", "-", "--operator", "OP1", "--db", db_url],
            input="S100\nCB1\n", capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "KIOSK_PIN": PIN, "KIOSK_HOME": str(tmp_path / "home")},
        )  # fmt: skip
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert "readonly database" in proc.stderr and "Nothing was recorded" in proc.stderr, proc.stderr
    assert proc.stdout == ""  # no scan was acknowledged
    kdb.connect(db_url)
    assert state() == before
    assert_check_clean()


def test_a_database_that_turns_read_only_mid_session_keeps_the_scan_for_later(district):
    flow = Workflow(district.operator, district.config)
    assert flow.handle("S100").event == "student"
    before = state()
    models.database.execute_sql("PRAGMA query_only = ON")  # what a remount read-only does to the next write
    try:
        outcome = flow.handle("CB1", "key-ro")
        assert (outcome.ok, outcome.event) == (False, "unavailable")
        assert "readonly database" in outcome.message and "Nothing was recorded" in outcome.message
        assert state() == before
        with pytest.raises(DatabaseUnavailable, match="readonly database"):
            imports.import_devices([Path(__file__).parents[1] / "data" / "devices" / "merge_a.csv"], options=options())
        assert state() == before
    finally:
        models.database.execute_sql("PRAGMA query_only = OFF")
    again = flow.handle("CB1", "key-ro")  # the workflow kept the student: the same scan, the same key
    assert again.event == "issued", again.message
    assert Event.select().where(Event.idem_key == "key-ro").count() == 1
    assert_check_clean()


# -- a full disk: the database ------------------------------------------------------------------


def _fill_the_disk() -> None:
    """Let the database grow no further, as a full disk would (SQLite answers SQLITE_FULL either way)."""
    db = models.database
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute_sql("VACUUM")
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages}")


def _scan_until_full(district):
    """Issue and return until a scan meets the full disk; returns (workflow, scan, key, outcome, state before)."""
    flow = Workflow(district.operator, district.config)
    for n in range(200):
        for step, code in enumerate(("$ISSUE", "S100", "CB1", "$RETURN", "CB1")):
            before, key = state(), f"full-{n}-{step}"
            outcome = flow.handle(code, key)
            if outcome.event == "unavailable":
                return flow, code, key, outcome, before
            assert outcome.ok, outcome.message
    raise AssertionError("the disk never filled up")


def test_a_full_disk_during_a_scan_leaves_nothing_half_written(district):
    _fill_the_disk()
    flow, code, key, outcome, before = _scan_until_full(district)
    assert not outcome.ok and "Nothing was recorded" in outcome.message
    assert state() == before
    assert_check_clean()
    models.database.execute_sql("PRAGMA max_page_count = 1073741823")  # space freed
    again = flow.handle(code, key)
    assert again.ok and again.event in ("issued", "returned"), again.message
    assert Event.select().where(Event.idem_key == key).count() == 1
    assert_check_clean()


def test_a_full_disk_refuses_an_import_whole(district, tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("Asset Tag,Serial,Model,Location\n" + "".join(
        f"F{n:05d},SN-F{n:05d},HP Chromebook 11 G9 EE,STORE\n" for n in range(3000)))  # fmt: skip
    before = state()
    _fill_the_disk()
    with pytest.raises(DatabaseUnavailable) as refused:
        imports.import_devices([big], options=options())
    assert "Traceback" not in refused.value.message
    assert state() == before
    assert_check_clean()


def test_a_full_disk_is_named_in_the_message(district):
    _fill_the_disk()
    _, _, _, outcome, _ = _scan_until_full(district)
    assert "disk is full" in outcome.message, outcome.message


# -- a full disk: the files kiosk writes ------------------------------------------------------------


def _left_behind(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if name in p.name)


def test_a_workbook_that_does_not_fit_on_the_disk(district, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(clock, "_zone", clock._zone)  # the command sets the display zone from its config
    out = tmp_path / "status.xlsx"
    # The disk fills up while the finished workbook is packed into its ZIP ...
    with mock.patch.object(zipfile.ZipFile, "write", _no_space), pytest.raises(BadInput) as refused:
        REPORTS["status"](out, district.config)
    assert refused.value.message == f"Cannot write {out}: No space left on device. Nothing was written."
    assert _left_behind(tmp_path, "status") == []
    # ... or while its rows are streamed to temporary files.
    with mock.patch.object(xlsxwriter.worksheet.Worksheet, "_write_single_row", _no_space), \
            pytest.raises(BadInput, match="No space left on device"):  # fmt: skip
        REPORTS["fees"](tmp_path / "fees.xlsx", district.config)
    assert _left_behind(tmp_path, "fees") == []
    # The command line prints the sentence and exits 2.
    with mock.patch.object(zipfile.ZipFile, "write", _no_space):
        code = cli.main(["--db", db_url, "report", "lifecycle", "-o", str(tmp_path / "life.xlsx")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("kiosk: Cannot write ") and "No space left on device" in err
    assert "Traceback" not in err and _left_behind(tmp_path, "life") == []


def test_a_pdf_that_does_not_fit_on_the_disk(district, tmp_path):
    out = tmp_path / "students.pdf"
    out.write_bytes(b"%PDF the list printed yesterday")
    with mock.patch.object(Canvas, "save", _no_space), pytest.raises(BadInput, match="No space left on device"):
        write_student_lists(out)
    assert out.read_bytes() == b"%PDF the list printed yesterday"  # the old file stays whole
    assert _left_behind(tmp_path, "students") == ["students.pdf"]


def test_a_rejected_rows_csv_that_does_not_fit_on_the_disk(tmp_path):
    out = tmp_path / "import.rejected.csv"
    rows = [Rejection("inv.csv", n, "no site", (("Asset Tag", f"T{n}"),)) for n in range(2, 50)]

    class FullAfterTwoRows:
        def __init__(self, f):
            self.n = 0

        def writerow(self, row):
            self.n += 1
            if self.n > 2:
                _no_space()

    with mock.patch("kiosk.io.writers.csv.writer", FullAfterTwoRows), pytest.raises(BadInput) as refused:
        write_rows(out, rows)
    assert refused.value.message == f"Cannot write {out}: No space left on device."
    assert _left_behind(tmp_path, "import") == []  # neither the CSV nor its part file


# -- a database locked by another process -------------------------------------------------------------

BUSY_MS = 300
"""The busy timeout for these tests (the station waits 15 s; the behaviour past it is the same)."""

HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
"""


@pytest.fixture
def short_busy_timeout(district, db_url, monkeypatch):
    pragmas = tuple((k, BUSY_MS if k == "busy_timeout" else v) for k, v in kdb.SQLITE_PRAGMAS)
    monkeypatch.setattr(kdb, "SQLITE_PRAGMAS", pragmas)
    models.database.close()
    database = kdb.connect(db_url)
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == BUSY_MS
    return district


@contextlib.contextmanager
def locked_by_another_process(db_url: str):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, db_url.removeprefix("sqlite:///")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_database_locked_past_the_busy_timeout(short_busy_timeout, db_url, tmp_path):
    district = short_busy_timeout
    flow = Workflow(district.operator, district.config)
    shutil.copyfile(Path(__file__).parents[1] / "data" / "devices" / "merge_a.csv", tmp_path / "a.csv")
    with locked_by_another_process(db_url):
        assert flow.handle("S100").event == "student"  # reading still works (WAL)
        before = state()
        started = time.monotonic()
        outcome = flow.handle("CB1", "key-locked")
        waited = time.monotonic() - started
        assert (outcome.ok, outcome.event) == (False, "unavailable")
        assert outcome.message == "The database did not answer: database is locked. Nothing was recorded; scan again."
        assert BUSY_MS / 1000 * 0.8 <= waited < 10
        with pytest.raises(DatabaseUnavailable, match="database is locked"):
            imports.import_devices([tmp_path / "a.csv"], options=options())
        # The station's retry loop gives up after its patience and says the same.
        given_up = apply_scan(flow, "CB1", "key-locked", patience=0.5, sleep=lambda s: None)
        assert given_up.event == "unavailable"
        assert state() == before
    again = apply_scan(flow, "CB1", "key-locked")  # lock released: the same scan and key go through, once
    assert again.event == "issued", again.message
    assert Event.select().where(Event.idem_key == "key-locked").count() == 1
    assert_check_clean()
