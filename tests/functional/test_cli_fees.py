"""``kiosk fees``, ``kiosk policy show`` and ``kiosk tickets`` run as a user runs them: subprocesses on a district."""

from __future__ import annotations

import json

import pytest

from kiosk import db as kdb
from kiosk.config import Config
from tests.conftest import PIN, build_district
from tests.functional.test_cli import run

ENV = {"KIOSK_PIN": PIN}
MORNING = (
    "S100", "CB1", "S101", "CB2",  # both get a Chromebook
    "$RETURN", "$DAMAGED", "CB1", "$DAMAGED", "CB2",  # both use their free break; tickets for CB1 and CB2
    "$ISSUE", "S101", "CB3", "$RETURN", "$NOCHARGER", "CB3",  # Ben's loaner comes back without its charger
    "$ISSUE", "S101", "CB4", "$CONFIRM", "$RETURN", "$DAMAGED", "CB4",  # he owes, gets one more, breaks it
)  # fmt: skip


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def district_db(tmp_path):
    """The small test district where Ana (S100) used her free break on CB1 and Ben (S101) owes $45.00."""
    url = f"sqlite:///{tmp_path / 'district.db'}"
    database = kdb.connect(url, migrate=True)
    build_district(Config(station="test-station", station_site="HS"))
    database.close()
    scans = "".join(f"{code}\n" for code in MORNING)
    out = run(["--db", url, "scan", "--operator", "OP1", "--json"], home=tmp_path / "home", stdin=scans, env=ENV)
    assert out.returncode == 0, out.stdout + out.stderr
    return url


def kiosk(district_db, home, *args, check_rc=None, env=ENV, stdin=""):
    return run(["--db", district_db, *args], home=home, env=env, stdin=stdin, check_rc=check_rc)


def fee_ids(district_db, home, student):
    statement = json.loads(kiosk(district_db, home, "fees", student, "--json", check_rc=0).stdout)
    return {f["kind"]: f["id"] for f in statement["fees"] if not f["free_break"]}, statement


def test_fees_statement_text_and_json(district_db, home):
    text = kiosk(district_db, home, "fees", "S101", check_rc=0).stdout
    assert text.splitlines()[0] == "Ben Okafor (S101)  owes $45.00"
    assert "Free breaks left in " in text and ": 0 of 1;" in text
    assert "charger" in text and "$20.00" in text and "damage" in text and "$25.00" in text and "FREE BREAK" in text
    _, statement = fee_ids(district_db, home, "S101")
    assert statement["balance_cents"] == 4500 and statement["free_breaks_left"] == 0
    ana = kiosk(district_db, home, "fees", "S100", check_rc=0).stdout
    assert "owes $0.00" in ana and "FREE BREAK" in ana
    unknown = kiosk(district_db, home, "fees", "S999")
    assert unknown.returncode == 1 and "No student or staff member has ID S999" in unknown.stderr


def test_pay_in_parts_then_in_full(district_db, home):
    ids, _ = fee_ids(district_db, home, "S101")
    part = kiosk(district_db, home, "fees", "pay", "S101", "10", "--receipt", "R-1", "--operator", "OP1", check_rc=0)
    assert part.stdout.strip().endswith("Balance $35.00.")
    rest = kiosk(district_db, home, "fees", "pay", "S101", "$35.00", "--method", "check", "--receipt", "R-2",
                 "--operator", "OP1", "--json", check_rc=0)  # fmt: skip
    assert json.loads(rest.stdout)["balance_cents"] == 0
    again = kiosk(district_db, home, "fees", "pay", "S101", "1", "--receipt", "R-3", "--fee", str(ids["charger"]),
                  "--operator", "OP1")  # fmt: skip
    assert again.returncode == 1 and "already paid in full" in again.stderr
    _, statement = fee_ids(district_db, home, "S101")
    assert [p["receipt"] for p in statement["payments"]] == ["R-1", "R-2", "R-2"]
    kiosk(district_db, home, "check", check_rc=0)


def test_bad_payments_exit_2_or_1_and_change_nothing(district_db, home):
    before = kiosk(district_db, home, "fees", "S101", "--json", check_rc=0).stdout
    cases = [
        (["pay", "S101", "ten", "--receipt", "R", "--operator", "OP1"], 2, "The amount must be an amount of money"),
        (["pay", "S101", "5", "--operator", "OP1"], 2, "A payment needs the receipt number"),
        (["pay", "S101", "5", "--receipt", "R"], 2, "give --operator BADGE"),
        (["pay", "S101", "99", "--receipt", "R", "--operator", "OP1"], 1, "more than the $45.00 owed"),
        (["pay", "S101", "5", "--receipt", "R", "--method", "iou", "--operator", "OP1"], 2, "Unknown payment method"),
        (["pay", "S101", "--receipt", "R"], 2, "Usage: kiosk fees pay STUDENT AMOUNT"),
        (["S101", "--receipt", "R"], 2, "--receipt does not apply to `kiosk fees S101`"),
        (["S101", "S100"], 2, "Usage:"),
    ]
    for args, rc, message in cases:
        proc = kiosk(district_db, home, "fees", *args)
        assert proc.returncode == rc and message in proc.stderr, (args, proc.stderr)
    wrong_pin = kiosk(district_db, home, "fees", "pay", "S101", "5", "--receipt", "R", "--operator", "OP1",
                      env={"KIOSK_PIN": "0000"})  # fmt: skip
    assert wrong_pin.returncode == 1
    assert kiosk(district_db, home, "fees", "S101", "--json", check_rc=0).stdout == before


def test_waive_is_for_admins_with_a_reason(district_db, home):
    ids, _ = fee_ids(district_db, home, "S101")
    for badge in ("OP1", "TE1"):
        denied = kiosk(district_db, home, "fees", "waive", str(ids["damage"]), "--reason", "hardship", "--operator",
                       badge)  # fmt: skip
        assert denied.returncode == 1 and "An admin is needed for fee waive" in denied.stderr
    no_reason = kiosk(district_db, home, "fees", "waive", str(ids["damage"]), "--operator", "AD1")
    assert no_reason.returncode == 2 and "A waiver needs a reason" in no_reason.stderr
    done = kiosk(district_db, home, "fees", "waive", str(ids["damage"]), "--reason", "police report 77",
                 "--operator", "AD1", check_rc=0)  # fmt: skip
    assert done.stdout.strip() == f"Waived $25.00 on fee {ids['damage']}. Balance $20.00."
    assert kiosk(district_db, home, "fees", "waive", "x1", "--reason", "r", "--operator", "AD1").returncode == 2
    kiosk(district_db, home, "check", check_rc=0)


def test_charge_an_accessory_from_the_policy(district_db, home, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[fees.accessories]\ncase = 15\n"stylus pen" = "$7.50"\n')
    out = kiosk(district_db, home, "--config", str(config), "fees", "charge", "S100", "case", "--device", "CB4",
                "--operator", "TE1", check_rc=0)  # fmt: skip
    assert out.stdout.strip() == "Case fee $15.00 charged to Ana Lopez (S100)."
    unknown = kiosk(district_db, home, "--config", str(config), "fees", "charge", "S100", "strap", "--operator", "TE1")
    assert unknown.returncode == 2 and "it lists charger, case, stylus pen" in unknown.stderr
    operator = kiosk(district_db, home, "--config", str(config), "fees", "charge", "S100", "case", "--operator", "OP1")
    assert operator.returncode == 1 and "technician" in operator.stderr


def test_policy_show(district_db, home, tmp_path):
    default = kiosk(district_db, home, "policy", "show", check_rc=0).stdout
    assert "Free breaks         1 accidental-damage" in default and "Damage fee          $25.00" in default
    assert "Charger fee         $20.00" in default and "Yearly cap          none" in default
    config = tmp_path / "kiosk.toml"
    config.write_text(
        "free_breaks_per_year = 3\n[fees]\nfree_breaks_per_year = 2\nyearly_cap = 100\n"
        '[fees.damage_by_category]\ntablet = 40\nlaptop = 60\n[fees.loss]\ndepreciate = true\nfloor = "20%"\n'
    )
    text = kiosk(district_db, home, "--config", str(config), "policy", "show", check_rc=0).stdout
    assert "Free breaks         2 accidental-damage" in text and "Yearly cap          $100.00 per student" in text
    assert "  tablet            $40.00" in text and "floor 20%" in text
    assert "Note: [fees.damage_by_category] laptop: no catalog item has this category." in text
    data = json.loads(kiosk(district_db, home, "--config", str(config), "policy", "show", "--json", check_rc=0).stdout)
    assert data["yearly_cap_cents"] == 10000 and data["loss"] == {"depreciate": True, "floor_cents": 0,
                                                                  "floor_percent": 20}  # fmt: skip
    config.write_text("[fees]\ndamage_fee = -1\n")
    bad = kiosk(district_db, home, "--config", str(config), "policy", "show")
    assert bad.returncode == 2 and "[fees] damage_fee must be zero or more" in bad.stderr
    # A bad policy stops every command, not only `policy show`: nothing runs on a policy nobody can read.
    assert kiosk(district_db, home, "--config", str(config), "fees", "S100").returncode == 2


def test_tickets_list_show_and_update(district_db, home):
    listed = json.loads(kiosk(district_db, home, "tickets", "--json", check_rc=0).stdout)
    assert [(t["asset_tag"], t["student"], t["status"]) for t in listed] == [
        ("CB1", "S100", "open"), ("CB2", "S101", "open"), ("CB4", "S101", "open"),
    ]  # fmt: skip
    text = kiosk(district_db, home, "tickets", check_rc=0).stdout
    assert "CB1" in text and "open" in text
    moved = kiosk(district_db, home, "tickets", "update", "CB1", "--status", "awaiting_parts", "--parts", "34.50",
                  "--operator", "TE1", check_rc=0)  # fmt: skip
    assert moved.stdout.strip() == f"Ticket {listed[0]['id']}: open -> awaiting parts, costs $34.50."
    done = kiosk(district_db, home, "tickets", "update", str(listed[0]["id"]), "--status", "repaired", "--labour", "20",
                 "--site", "HS", "--operator", "TE1", check_rc=0)  # fmt: skip
    assert "awaiting parts -> repaired, costs $54.50. CB1 is available at HS." in done.stdout
    gone = kiosk(district_db, home, "tickets", "update", "CB2", "--status", "unrepairable", "--operator", "TE1",
                 check_rc=0)  # fmt: skip
    assert "CB2 is disposed" in gone.stdout
    kiosk(district_db, home, "tickets", "update", "CB4", "--status", "repaired", "--operator", "TE1", check_rc=0)
    assert kiosk(district_db, home, "tickets", check_rc=0).stdout.strip() == "No open tickets."
    shown = kiosk(district_db, home, "tickets", "show", str(listed[0]["id"]), check_rc=0).stdout
    assert "REPAIRED" in shown and "total $54.50" in shown
    assert len(json.loads(kiosk(district_db, home, "tickets", "list", "--all", "--json", check_rc=0).stdout)) == 3
    denied = kiosk(district_db, home, "tickets", "open", "CB5", "--problem", "hinge", "--operator", "OP1")
    assert denied.returncode == 1 and "technician" in denied.stderr
    opened = kiosk(district_db, home, "tickets", "open", "CB5", "--problem", "hinge", "--operator", "TE1", check_rc=0)
    assert "it is in repair" in opened.stdout
    bad = kiosk(district_db, home, "tickets", "update", "CB5", "--status", "broken", "--operator", "TE1")
    assert bad.returncode == 2
    back = kiosk(district_db, home, "tickets", "update", "CB5", "--status", "sent_out", "--parts", "-3",
                 "--operator", "TE1")  # fmt: skip
    assert back.returncode == 2 and "--parts must be zero or more" in back.stderr
    kiosk(district_db, home, "check", check_rc=0)
