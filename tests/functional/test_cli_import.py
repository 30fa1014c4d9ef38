"""``kiosk import`` and ``kiosk catalog`` run as a user runs them: subprocesses on a fresh data directory."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import db as kdb
from kiosk.config import Config
from tests.conftest import PIN, build_district

DATA = Path(__file__).resolve().parents[1] / "data"


def run(args, *, home, cwd=None, env=None, check_rc=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    full_env.update({"KIOSK_HOME": str(home), "PYTHONPATH": str(Path(__file__).resolve().parents[2]), **(env or {})})
    command = [sys.executable, "-m", "kiosk.cli", *map(str, args)]
    proc = subprocess.run(command, check=False, capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120)
    if check_rc is not None:
        assert proc.returncode == check_rc, (proc.stdout, proc.stderr)
    return proc


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def district_db(tmp_path):
    path = tmp_path / "district.db"
    database = kdb.connect(f"sqlite:///{path}", migrate=True)
    build_district(Config(station="test-station", station_site="HS"))
    database.close()
    return path


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(f"select count(*) from {table}").fetchone()[0]


def test_roster_import_then_again_then_check(home):
    run(["init"], home=home, check_rc=0)
    first = run(["import", "roster", DATA / "oneroster" / "bulk"], home=home, check_rc=0)
    assert "created           7 people, 4 sites" in first.stdout
    assert "Recorded as import event" in first.stdout
    assert first.stderr == ""  # no progress bar when stderr is not a terminal
    second = run(["import", "roster", DATA / "oneroster" / "bulk"], home=home, check_rc=0)
    assert "Nothing changed; no event was recorded." in second.stdout
    run(["check"], home=home, check_rc=0)
    looked = run(["lookup", "1001", "--json"], home=home, check_rc=0)
    card = json.loads(looked.stdout)
    assert (card["name"], card["grade"], card["school"], card["homeroom"]) == ("José López", "09", "RHS", "HR-101")


def test_dry_run_lists_rows_and_writes_nothing(home, district_db, tmp_path):
    events = count(district_db, "event")
    proc = run(["--db", district_db, "import", "devices", DATA / "devices" / "inventory_legacy.csv", "--dry-run"],
               home=home, cwd=tmp_path, check_rc=0)  # fmt: skip
    assert "(dry run: nothing was written)" in proc.stdout
    assert "would create      3 aliases, 3 devices" in proc.stdout
    assert "inventory_legacy.csv row 7: model 'Lenovo 100e Chromebook Gen 3' is not in the catalog" in proc.stdout
    assert "create     device A20001" in proc.stdout and "update     device CB1" in proc.stdout
    assert count(district_db, "event") == events and count(district_db, "device") == 7
    assert not list(tmp_path.glob("*.csv"))  # a dry run writes no files either


def test_needs_review_rows_go_to_a_csv_beside_the_report(home, district_db, tmp_path):
    report = tmp_path / "reports" / "legacy.json"
    report.parent.mkdir()
    proc = run(["--db", district_db, "import", "devices", DATA / "devices" / "inventory_legacy.csv",
                "--report", report], home=home, check_rc=0)  # fmt: skip
    review = tmp_path / "reports" / "legacy.needs-review.csv"
    assert f"needs review      1  (written to {review})" in proc.stdout
    rows = list(csv.DictReader(review.open(encoding="utf-8-sig")))
    assert rows[0]["reason"] == "model 'Lenovo 100e Chromebook Gen 3' is not in the catalog"
    assert rows[0]["Tag #"] == "A20004" and rows[0]["row"] == "7"
    saved = json.loads(report.read_text())
    assert saved["create"] == {"alias": 3, "device": 3} and saved["csv"]["needs_review"] == str(review)
    run(["--db", district_db, "check"], home=home, check_rc=0)


def test_bad_rows_refuse_the_import_unless_skipped(home, district_db, tmp_path):
    bad = DATA / "bad" / "ten_percent_bad.csv"
    devices = count(district_db, "device")
    refused = run(["--db", district_db, "import", "devices", bad], home=home, cwd=tmp_path, check_rc=2)
    assert "2 rows rejected, so nothing was imported" in refused.stderr
    assert "ten_percent_bad.csv row 8: no site has the code, name or SIS id 'Nowhere Annex'" in refused.stdout
    assert count(district_db, "device") == devices
    dry = run(["--db", district_db, "import", "devices", bad, "--dry-run"], home=home, cwd=tmp_path, check_rc=2)
    assert "a real run would import nothing" in dry.stderr
    done = run(["--db", district_db, "import", "devices", bad, "--skip-bad-rows", "--json"], home=home, cwd=tmp_path,
               check_rc=0)  # fmt: skip
    report = json.loads(done.stdout)
    assert report["create"] == {"device": 18} and [r["row"] for r in report["rejected"]] == [8, 16]
    rejected = Path(report["csv"]["rejected"])
    assert rejected.parent == tmp_path and rejected.name.endswith(".rejected.csv")
    assert [r["Asset Tag"] for r in csv.DictReader(rejected.open(encoding="utf-8-sig"))] == ["T007", "T015"]
    assert count(district_db, "device") == devices + 18
    run(["--db", district_db, "check"], home=home, check_rc=0)


def test_unreadable_files_exit_2_with_the_reason(home, district_db):
    proc = run(["--db", district_db, "import", "devices", DATA / "bad" / "empty.csv"], home=home, check_rc=2)
    assert "empty.csv is empty" in proc.stderr
    proc = run(["--db", district_db, "import", "devices", DATA / "bad" / "duplicate_header.csv"], home=home,
               check_rc=2)  # fmt: skip
    assert "has the header 'Serial' twice" in proc.stderr
    proc = run(["--db", district_db, "import", "devices", DATA / "devices" / "merge_a.csv", "--map", "Nope=site"],
               home=home, check_rc=2)  # fmt: skip
    assert "--map names a column 'nope'" in proc.stderr


def test_merge_three_files_chromeos_and_students(home, district_db, tmp_path):
    files = [DATA / "devices" / f"merge_{x}.csv" for x in "abc"]
    merged = run(["--db", district_db, "import", "devices", *files, "--skip-bad-rows", "--verbose"], home=home,
                 cwd=tmp_path, check_rc=0)  # fmt: skip
    assert "contradiction: serial SN-M2 appears with tags M2" in merged.stdout
    cros = run(["--db", district_db, "import", "chromeos", DATA / "chromeos" / "gam_print_cros.csv", "--ou-map",
                DATA / "chromeos" / "ou_map.csv"], home=home, check_rc=0)  # fmt: skip
    assert "created           1 device" in cros.stdout
    looked = json.loads(run(["--db", district_db, "lookup", "CB1", "--json"], home=home, check_rc=0).stdout)
    assert looked["aue_date"] == "2029-06-30"
    students = tmp_path / "s.csv"
    students.write_text("Perm,First Name,Last Name,Sped\nS101,Ben,Okafor,Y\n")
    run(["--db", district_db, "import", "students", students, "--map", "Perm=district_id", "--map", "Sped=iep"],
        home=home, check_rc=0)  # fmt: skip
    assert "IEP" in json.loads(run(["--db", district_db, "lookup", "S101", "--json"], home=home).stdout)["programs"]
    run(["--db", district_db, "check"], home=home, check_rc=0)


def test_operator_option_checks_the_role(home, district_db):
    env = {"KIOSK_PIN": PIN}
    refused = run(["--db", district_db, "import", "devices", DATA / "devices" / "merge_a.csv", "--operator", "TE1"],
                  home=home, env=env, check_rc=1)  # fmt: skip
    assert "An admin is needed for import" in refused.stderr
    run(["--db", district_db, "import", "devices", DATA / "devices" / "merge_a.csv", "--operator", "AD1"],
        home=home, env=env, check_rc=0)  # fmt: skip
    with sqlite3.connect(district_db) as db:
        assert db.execute("select operator from event where kind = 'import'").fetchone() == ("AD1",)


def test_catalog_commands(home, district_db, tmp_path):
    db = ["--db", district_db]
    run([*db, "import", "devices", DATA / "devices" / "inventory_legacy.csv", "--create-models"], home=home,
        cwd=tmp_path, check_rc=0)  # fmt: skip
    listed = json.loads(run([*db, "catalog", "list", "--json"], home=home, check_rc=0).stdout)
    names = {i["name"]: i for i in listed}
    assert names["Lenovo 100e Chromebook Gen 3"]["devices"] == 1
    assert "hp chrome book 11 g9 ee" in names["HP Chromebook 11 G9 EE"]["aliases"]
    text = run([*db, "catalog", "list"], home=home, check_rc=0).stdout
    assert "HP Chromebook 11 G9 EE  (chromebook)  7 devices" in text
    run([*db, "catalog", "alias", "Lenovo 100e G3", "Lenovo 100e Chromebook Gen 3"], home=home, check_rc=0)
    sqlite3.connect(district_db).execute("insert into catalog_item (name, category, manufacturer, eligible_grades, "
                                         "eligible_schools, lifespan_years, replacement_cost_cents) values "
                                         "('Lenovo 100e Chrome Book 3rd Gen', 'chromebook', '', '', '', 4, 0)"
                                         ).connection.commit()  # fmt: skip
    dup = json.loads(run([*db, "catalog", "duplicates", "--json"], home=home, check_rc=0).stdout)
    cluster = next(c for c in dup if c["suggested"] == "Lenovo 100e Chromebook Gen 3")
    assert cluster["score"] >= 0.75 and len(cluster["items"]) == 2
    shown = run([*db, "catalog", "duplicates"], home=home, check_rc=0).stdout
    assert 'kiosk catalog merge "Lenovo 100e Chrome Book 3rd Gen" "Lenovo 100e Chromebook Gen 3"' in shown
    merged = run([*db, "catalog", "merge", "Lenovo 100e Chrome Book 3rd Gen", "Lenovo 100e Chromebook Gen 3"],
                 home=home, check_rc=0)  # fmt: skip
    assert "is now an alias" in merged.stdout
    unknown = run([*db, "catalog", "merge", "Nope", "Lenovo 100e Chromebook Gen 3"], home=home, check_rc=1)
    assert "No catalog item is named or spelled 'Nope'" in unknown.stderr
    run([*db, "check"], home=home, check_rc=0)
