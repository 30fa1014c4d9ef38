"""``kiosk labels ...`` run as a user runs it: a subprocess, a fresh data directory, PDFs read back by a scanner."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from kiosk import db as kdb
from kiosk.config import Config
from kiosk.services.codes import COMMANDS
from tests.conftest import build_district
from tests.functional.test_cli import run
from tests.integration.test_labels_support import decode, mode, pages


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def out(tmp_path):
    path = tmp_path / "out"
    path.mkdir()
    return path


@pytest.fixture
def db(tmp_path):
    """The small test district in a SQLite file: its URL."""
    url = f"sqlite:///{tmp_path / 'district.db'}"
    database = kdb.connect(url, migrate=True)
    build_district(Config(station="test-station", station_site="HS"))
    database.close()
    return url


def labels(*args, home, db=None, check_rc=None, config=None):
    extra = ["--db", db] if db else []
    extra += ["--config", str(config)] if config else []
    return run(["labels", *args, *extra], home=home, check_rc=check_rc)


def test_students_assets_and_locations_from_the_district_database(home, db, out):
    proc = labels("students", "--site", "HS", "-o", str(out / "hs.pdf"), home=home, db=db, check_rc=0)
    assert proc.stdout.startswith("Wrote 2 students in 2 homeroom lists") and str(out / "hs.pdf") in proc.stdout
    assert decode(out / "hs.pdf") == Counter(["S100", "S101"]) and mode(out / "hs.pdf") == 0o600
    assert "Lopez, Ana" in pages(out / "hs.pdf")[0].text
    labels("students", "--grade", "03", "--paper", "a4", "-o", str(out / "g3.pdf"), home=home, db=db, check_rc=0)
    assert decode(out / "g3.pdf") == Counter(["S200"]) and round(pages(out / "g3.pdf")[0].height) == 842

    proc = labels("assets", "--tags", "CB2, CB1", "-o", str(out / "a.pdf"), home=home, db=db, check_rc=0)
    assert "Wrote 2 asset labels on 1 sheet of 5160" in proc.stdout and "no longer count as unlabeled" in proc.stdout
    assert decode(out / "a.pdf") == Counter(["CB1", "CB2"])
    labels("assets", "--unlabeled", "--layout", "L7160", "-o", str(out / "u.pdf"), home=home, db=db, check_rc=0)
    assert decode(out / "u.pdf") == Counter(["CB3", "CB4", "CB5", "HOT1", "TB1"])
    proc = labels("assets", "--unlabeled", "-o", str(out / "none.pdf"), home=home, db=db, check_rc=1)
    assert "There is no unlabeled device to label" in proc.stderr and not (out / "none.pdf").exists()
    run(["check", "--db", db], home=home, check_rc=0)
    count = sqlite3.connect(db.removeprefix("sqlite:///")).execute(
        "select count(*) from event where kind = 'device.labeled'"
    )
    assert count.fetchone()[0] == 7

    labels("locations", "--per-page", "8", "-o", str(out / "loc.pdf"), home=home, db=db, check_rc=0)
    assert decode(out / "loc.pdf") == Counter(["LOC-DIST", "LOC-ES", "LOC-HS", "LOC-STORE"])


def test_cases_and_commands_need_no_database(home, out, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('district_name = "Riverside Unified"\ncase_first = 7\ncase_last = 9\n[labels]\npaper = "a4"\n')
    proc = labels("cases", "-o", str(out / "c.pdf"), home=home, config=config, check_rc=0)
    assert proc.stdout.strip().startswith("Wrote 3 case tags (CASE-7 to CASE-9, 1 page)")
    assert decode(out / "c.pdf") == Counter(["CASE-7", "CASE-8", "CASE-9"])
    first = pages(out / "c.pdf")[0]
    assert round(first.height) == 842 and "Riverside" in first.text
    labels("cases", "--from", "1", "--to", "2", "--per-page", "1", "-o", str(out / "c2.pdf"), home=home, check_rc=0)
    assert decode(out / "c2.pdf") == Counter(["CASE-1", "CASE-2"])
    proc = labels("commands", "-o", str(out / "cmd.pdf"), home=home, check_rc=0)
    assert f"Wrote the {len(COMMANDS)} command codes" in proc.stdout
    assert decode(out / "cmd.pdf") == Counter(COMMANDS)
    assert not (home / "kiosk.db").exists()


@pytest.mark.parametrize(
    ("args", "rc", "words"),
    [
        (["students", "--site", "NOPE"], 2, "No site has code NOPE"),
        (["students", "--grade", "13"], 2, "'13' is not a grade"),
        (["students", "--homeroom", "Z-1"], 1, "No active student matches --homeroom Z-1"),
        (["assets", "--tags", "CB1,XX9"], 2, "No device has asset tag XX9"),
        (["assets", "--tags", " , "], 2, "--tags names no asset tag"),
        (["assets", "--layout", "avery"], 2, "Unknown label layout 'avery'"),
        (["assets", "--skip", "30"], 2, "--skip must be between 0 and 29"),
        (["assets", "--tags", "CB1", "--unlabeled"], 2, "not allowed with argument --tags"),
        (["cases", "--from", "9", "--to", "3"], 2, "--from 9 is greater than --to 3"),
        (["cases", "--per-page", "5"], 2, "invalid choice: 5"),
        (["commands", "--paper", "legal"], 2, "invalid choice: 'legal'"),
        (["locations", "--site", "XX"], 2, "No site has code XX"),
    ],
)
def test_bad_input_says_what_is_wrong_and_writes_nothing(home, db, out, args, rc, words):
    proc = labels(*args, "-o", str(out / "x.pdf"), home=home, db=db, check_rc=rc)
    assert words in proc.stderr
    assert list(out.iterdir()) == []
    events = sqlite3.connect(db.removeprefix("sqlite:///")).execute(
        "select count(*) from event where kind like 'device.l%'"
    )
    assert events.fetchone()[0] == 0


def test_the_output_must_be_given_and_be_a_pdf(home, db, out):
    proc = labels("commands", home=home, check_rc=2)
    assert "the following arguments are required: -o/--output" in proc.stderr
    proc = labels("students", "-o", str(out / "lists.xlsx"), home=home, db=db, check_rc=2)
    assert "must be a PDF" in proc.stderr
    proc = labels("commands", "-o", str(out / "nowhere" / "c.pdf"), home=home, check_rc=2)
    assert "does not exist" in proc.stderr
    assert list(out.iterdir()) == []


def test_an_uninitialised_database_is_named(home, out):
    proc = labels("students", "-o", str(out / "s.pdf"), home=home, check_rc=2)
    assert "kiosk init" in proc.stderr and list(out.iterdir()) == []


def test_help_lists_every_sheet_kind(home):
    proc = run(["labels", "--help"], home=home, check_rc=0)
    for kind in ("students", "assets", "cases", "commands", "locations"):
        assert kind in proc.stdout
    proc = run(["labels", "assets", "--help"], home=home, check_rc=0)
    assert "--unlabeled" in proc.stdout and "5160" in proc.stdout and "L7160" in proc.stdout
