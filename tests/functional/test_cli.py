"""The command line, run as a user runs it: a subprocess on a fresh data directory."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from kiosk import db as kdb
from kiosk.config import Config
from tests.conftest import PIN, build_district


def run(args, *, home, stdin="", env=None, check_rc=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    full_env.update({"KIOSK_HOME": str(home), **(env or {})})
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args],
        input=stdin,
        check=False,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )
    if check_rc is not None:
        assert proc.returncode == check_rc, (proc.stdout, proc.stderr)
    return proc


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def district_db(tmp_path):
    """A SQLite file with the small test district, and its URL."""
    url = f"sqlite:///{tmp_path / 'district.db'}"
    database = kdb.connect(url, migrate=True)
    build_district(Config(station="test-station", station_site="HS"))
    database.close()
    return url


def test_init_is_idempotent_and_uses_the_data_directory(home):
    first = run(["init"], home=home, check_rc=0)
    second = run(["init"], home=home, check_rc=0)
    newest = max(path.stem for path in kdb.MIGRATIONS_DIR.glob("[0-9]*.py"))
    assert f"(schema {newest})" in first.stdout and first.stdout == second.stdout
    assert (home / "kiosk.db").exists()
    run(["check"], home=home, check_rc=0)


def test_commands_refuse_an_uninitialised_database(home):
    proc = run(["lookup", "S100"], home=home, check_rc=2)
    assert "kiosk init" in proc.stderr


def test_operator_add_reads_the_pin_from_stdin_and_never_prints_it(home):
    run(["init"], home=home, check_rc=0)
    added = run(["operator", "add", "--badge", "B9", "--name", "Nia North", "--role", "technician"],
                home=home, stdin="97531\n", check_rc=0)  # fmt: skip
    assert "97531" not in added.stdout + added.stderr
    listed = run(["operator", "list"], home=home, check_rc=0)
    assert "B9" in listed.stdout and "technician" in listed.stdout
    dup = run(["operator", "add", "--badge", "B9", "--name", "X", "--role", "operator"], home=home, stdin="1111\n")
    assert dup.returncode == 2 and "already" in dup.stderr
    short = run(["operator", "add", "--badge", "B8", "--name", "Y", "--role", "operator"], home=home, stdin="12\n")
    assert short.returncode == 2 and "at least 4 digits" in short.stderr
    db = sqlite3.connect(home / "kiosk.db")
    assert all("97531" not in (row[0] or "") for row in db.execute("select pin_hash from operator"))
    assert all("97531" not in row[0] for row in db.execute("select details from event"))


def test_scan_json_gives_one_object_per_line_and_issues(home, district_db):
    scans = "S100\nCB1\n\nnot-a-code\n$RETURN\nCB1\n" + "x" * 10_000 + "\n"
    proc = run(["--db", district_db, "scan", "--operator", "OP1", "--json"], home=home, stdin=scans,
               env={"KIOSK_PIN": PIN})  # fmt: skip
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 7, proc.stdout
    assert [o["event"] for o in lines] == ["student", "issued", "error", "error", "mode", "returned", "error"]
    assert lines[1]["ok"] and lines[1]["device"]["asset_tag"] == "CB1" and lines[1]["student"]["id"] == "S100"
    assert "empty" in lines[2]["message"]
    assert "not a known" in lines[3]["message"]
    assert "10000 characters" in lines[6]["message"]
    assert proc.returncode == 1  # some scans were refused
    assert run(["--db", district_db, "check"], home=home).returncode == 0


def test_scan_text_output_and_a_file_of_scans(home, district_db, tmp_path):
    scans = tmp_path / "scans.txt"
    scans.write_text("S101\nCB2\n")
    proc = run(["scan", str(scans), "--operator", "OP1", "--db", district_db], home=home, env={"KIOSK_PIN": PIN},
               check_rc=0)  # fmt: skip
    assert proc.stdout.splitlines()[1].startswith("OK   issued")


def test_scan_refuses_a_wrong_pin_and_a_missing_file(home, district_db):
    wrong = run(["--db", district_db, "scan", "--operator", "OP1"], home=home, env={"KIOSK_PIN": "0000"})
    assert wrong.returncode == 1 and "wrong PIN" in wrong.stderr
    missing = run(["--db", district_db, "scan", "/nonexistent/scans.txt", "--operator", "OP1"], home=home,
                  env={"KIOSK_PIN": PIN})  # fmt: skip
    assert missing.returncode == 2 and "Cannot read scans" in missing.stderr


def test_lookup_json_for_each_kind(home, district_db):
    student = json.loads(run(["--db", district_db, "lookup", "S100", "--json"], home=home, check_rc=0).stdout)
    assert student["kind"] == "student"
    for key in ("id", "name", "grade", "school", "homeroom", "programs", "case_number", "devices",
                "fees_owed_cents", "free_breaks_left"):  # fmt: skip
        assert key in student
    assert student["programs"] == ["IEP"] and student["grade"] == "10"
    device = json.loads(run(["--db", district_db, "lookup", "CB1", "--json"], home=home, check_rc=0).stdout)
    assert device["kind"] == "device"
    for key in ("asset_tag", "serial", "model", "category", "status", "holder", "site", "home_site", "aue_date"):
        assert key in device
    assert device["holder"] is None and device["status"] == "available"
    case = json.loads(run(["--db", district_db, "lookup", "CASE-7", "--json"], home=home, check_rc=0).stdout)
    assert case == {"kind": "case", "number": 7, "student": None}
    loc = json.loads(run(["--db", district_db, "lookup", "LOC-STORE", "--json"], home=home, check_rc=0).stdout)
    assert loc["kind"] == "location" and loc["devices_by_status"] == {"available": 6}
    text = run(["--db", district_db, "lookup", "S100"], home=home, check_rc=0).stdout
    assert "Ana Lopez" in text
    unknown = run(["--db", district_db, "lookup", "NOPE"], home=home)
    assert unknown.returncode == 1 and "not a known" in unknown.stderr


def test_case_assign_and_release(home, district_db):
    env = {"KIOSK_PIN": PIN}
    out = run(["--db", district_db, "case", "assign", "S100", "--operator", "TE1", "--json"], home=home, env=env,
              check_rc=0)  # fmt: skip
    assert json.loads(out.stdout)["number"] == 1
    denied = run(["--db", district_db, "case", "assign", "S101", "--operator", "OP1"], home=home, env=env)
    assert denied.returncode == 1 and "technician" in denied.stderr.lower()
    run(["--db", district_db, "case", "release", "S100", "--operator", "TE1"], home=home, env=env, check_rc=0)
    run(["--db", district_db, "check"], home=home, check_rc=0)


def test_check_names_tampering_and_exits_1(home, district_db):
    path = district_db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("update device set status = 'lost' where asset_tag = 'CB3'")
    proc = run(["--db", district_db, "check"], home=home)
    assert proc.returncode == 1
    assert "CB3" in proc.stdout and "PROBLEM" in proc.stdout


def test_bad_usage_and_bad_places_exit_2(home, tmp_path):
    assert run(["frobnicate"], home=home).returncode == 2
    assert run(["scan"], home=home).returncode == 2  # --operator is required
    unwritable = run(["--db", "sqlite:////proc/no/such/kiosk.db", "init"], home=home)
    assert unwritable.returncode == 2 and "Cannot open the database" in unwritable.stderr
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("eligibility = 'sometimes'\n")
    proc = run(["--config", str(bad_config), "init"], home=home)
    assert proc.returncode == 2 and "eligibility" in proc.stderr
    proc = run(["--config", str(tmp_path / "missing.toml"), "init"], home=home)
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_a_newer_schema_is_refused(home):
    run(["init"], home=home, check_rc=0)
    with sqlite3.connect(home / "kiosk.db") as db:
        db.execute("insert into schema_migration (name, applied) values ('0999_from_the_future', '2030-01-01')")
    proc = run(["check"], home=home)
    assert proc.returncode == 2 and "newer kiosk" in proc.stderr and "0999_from_the_future" in proc.stderr


def test_postgres_url_works_for_the_commands(home, pg_url):
    run(["--db", pg_url, "init"], home=home, check_rc=0)
    run(["--db", pg_url, "operator", "add", "--badge", "P1", "--name", "Pat", "--role", "admin"], home=home,
        stdin="4321\n", check_rc=0)  # fmt: skip
    run(["--db", pg_url, "check"], home=home, check_rc=0)
    proc = run(["--db", pg_url, "scan", "--operator", "P1", "--json"], home=home, stdin="$LOOKUP\nLOC-X\n",
               env={"KIOSK_PIN": "4321"})  # fmt: skip
    assert [json.loads(line)["event"] for line in proc.stdout.splitlines()] == ["mode", "error"]


def test_a_pooled_postgres_url_with_pool_settings_works(home, pg_url):
    pooled = pg_url.replace("postgresql://", "postgresql+pool://", 1) + "&max_connections=4&stale_timeout=300"
    run(["--db", pooled, "init"], home=home, check_rc=0)
    again = run(["--db", pooled, "init"], home=home, check_rc=0)
    assert "Database ready" in again.stdout and "(schema 0" in again.stdout
    run(["--db", pooled, "operator", "add", "--badge", "P1", "--name", "Pat", "--role", "admin"], home=home,
        stdin="4321\n", check_rc=0)  # fmt: skip
    listed = run(["--db", pooled, "operator", "list"], home=home, check_rc=0)
    assert "P1" in listed.stdout
    run(["--db", pooled, "check"], home=home, check_rc=0)
