"""The fee policy matrix, applied by real returns and status changes (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from kiosk import clock
from kiosk.config import load_config
from kiosk.errors import BadInput
from kiosk.services import circulation, fees, inventory, tickets
from models import Fee
from tests.integration.helpers import assert_check_clean, details, events


def lend(d, student, tag, config=None):
    return circulation.issue(d.operator, student, tag, config=config or d.config, confirmed=("ineligible", "fees"))


def give_back(d, tag, condition, config=None):
    return circulation.return_device(d.operator, tag, config=config or d.config, condition=condition)


def with_fees(d, **table):
    return replace(d.config, extra={"fees": table})


def fee_rows(student):
    return [(f.kind, f.amount_cents, f.status, f.reason) for f in Fee.select().order_by(Fee.id)
            if f.person.district_id == student]  # fmt: skip


def repair(d, tag):
    tickets.update_ticket(d.technician, tag, config=d.config, status="repaired")


def test_first_damage_is_a_free_break_the_second_is_charged(district):
    lend(district, "S100", "CB1")
    first = give_back(district, "CB1", "damaged")
    year = clock.school_year(clock.today())
    label = f"{year}-{(year + 1) % 100:02d}"
    assert first.charge == f"Free break used: no fee (0 left in {label})."
    assert first.student.free_breaks_left == 0 and first.student.fees_owed_cents == 0
    assessed = events("fee.assessed")[0]
    assert (assessed.person, assessed.asset_tag) == ("S100", "CB1")
    assert details(assessed) == {"kind": "damage", "amount_cents": 0, "school_year": year, "reason": "free break",
                                 "free_break": 1, "free_breaks_per_year": 1}  # fmt: skip
    lend(district, "S100", "CB2")  # a loaner while CB1 is in repair
    second = give_back(district, "CB2", "damaged")
    assert second.charge == "Damage fee $25.00 charged to Ana Lopez."
    assert second.student.fees_owed_cents == 2500
    assert fee_rows("S100") == [("damage", 0, "paid", "free break"), ("damage", 2500, "owed", "district damage fee")]
    assert_check_clean()


def test_damage_fee_by_model_then_catalog_then_category_then_default(district):
    inventory.add_catalog_item("Dell 3120", "chromebook", damage_fee_cents=4000, replacement_cost_cents=30000)
    inventory.add_device("DL1", "DL0001", "Dell 3120", "STORE", station=district.config.station)
    config = with_fees(district, free_breaks_per_year=0, damage_by_category={"chromebook": 30, "hotspot": "$15.50"},
                       damage_by_model={"Apple iPad 9th gen": 55})  # fmt: skip
    cases = [("S100", "CB1", 3000), ("S101", "DL1", 4000), ("S100", "HOT1", 1550)]
    for student, tag, cents in cases:
        lend(district, student, tag, config)
        assert give_back(district, tag, "damaged", config).student.fees_owed_cents >= cents
    lend(district, "S200", "TB1", config)
    give_back(district, "TB1", "damaged", config)
    assert [f.amount_cents for f in Fee.select().order_by(Fee.id)] == [3000, 4000, 1550, 5500]
    assert [f.reason for f in Fee.select().order_by(Fee.id)] == [
        "damage fee for a chromebook", "catalog damage fee for Dell 3120", "damage fee for a hotspot",
        "damage fee for Apple iPad 9th gen",
    ]  # fmt: skip
    assert_check_clean()


def test_a_new_school_year_resets_the_count(district, monkeypatch):
    lend(district, "S100", "CB1")
    give_back(district, "CB1", "damaged")
    repair(district, "CB1")
    lend(district, "S100", "CB1")
    give_back(district, "CB1", "damaged")  # same year: charged
    year = clock.school_year(clock.today())
    monkeypatch.setattr(clock, "today", lambda: dt.date(year + 1, 7, 1))
    repair(district, "CB1")
    lend(district, "S100", "CB1")
    later = give_back(district, "CB1", "damaged")
    assert later.charge.startswith("Free break used") and later.student.free_breaks_left == 0
    assert [(f.school_year, f.amount_cents) for f in Fee.select().order_by(Fee.id)] == [
        (year, 0), (year, 2500), (year + 1, 0),
    ]  # fmt: skip
    assert fees.statement("S100", config=district.config).free_breaks_left == 0
    assert_check_clean()


def test_the_school_year_start_comes_from_the_policy(district, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 8, 20))
    config = with_fees(district, school_year_start="09-01")
    lend(district, "S100", "CB1", config)
    give_back(district, "CB1", "damaged", config)
    assert Fee.get().school_year == 2026  # 20 August is still 2026-27 when the year starts on 1 September
    assert fees.statement("S100", config=config).school_year == "2026-27"


def test_the_yearly_cap_stops_further_charges(district):
    config = with_fees(district, yearly_cap=30)
    for tag in ("CB1", "CB2", "CB3", "CB4"):
        lend(district, "S100", tag, config)
        result = give_back(district, tag, "damaged", config)
    assert result.charge == "Damage fee $0.00 (yearly cap $30.00 reached (would have been $25.00))."
    assert [(f.amount_cents, f.status) for f in Fee.select().order_by(Fee.id)] == [
        (0, "paid"), (2500, "owed"), (500, "owed"), (0, "paid"),
    ]  # fmt: skip
    assert "yearly cap $30.00 reached" in Fee.select().order_by(Fee.id)[2].reason
    statement = fees.statement("S100", config=config)
    assert statement.balance_cents == 3000 and statement.charged_this_year_cents == 3000
    assert_check_clean()


def test_a_waived_fee_does_not_count_towards_the_cap(district):
    config = with_fees(district, yearly_cap=30, free_breaks_per_year=0)
    lend(district, "S100", "CB1", config)
    give_back(district, "CB1", "damaged", config)
    fees.waive(district.admin, Fee.get().id, reason="accident on the school bus")
    lend(district, "S100", "CB2", config)
    assert give_back(district, "CB2", "damaged", config).charge == "Damage fee $25.00 charged to Ana Lopez."


def test_a_lost_device_costs_its_replacement_value(district):
    lend(district, "S100", "CB1")
    result = give_back(district, "CB1", "lost")
    assert result.charge == "Loss fee $289.00 charged to Ana Lopez."
    assert fee_rows("S100") == [("loss", 28900, "owed", "replacement cost $289.00")]
    lend(district, "S101", "CB2")
    status = circulation.set_status(district.technician, "CB2", "stolen", config=district.config)
    assert status.charge == "Loss fee $289.00 charged to Ben Okafor." and status.device.holder is None
    assert_check_clean()


def test_a_stolen_device_costs_nothing_when_the_policy_says_so(district):
    config = with_fees(district, stolen="none")
    lend(district, "S100", "CB1", config)
    assert circulation.set_status(district.technician, "CB1", "stolen", config=config).charge is None
    assert Fee.select().count() == 0
    lend(district, "S100", "CB2", config)
    assert circulation.set_status(district.technician, "CB2", "lost", config=config).charge.startswith("Loss fee")


@pytest.mark.parametrize(
    ("age_days", "floor", "cents", "basis"),
    [
        (0, 0, 28900, "0.0 years old"),
        (730, 0, 14460, "2.0 years old"),  # half the lifespan (4 x 365.25 days): about half the cost
        (1800, 50, 5000, "floor $50.00"),  # past the lifespan: the floor
        (1800, "25%", 7225, "floor $72.25"),
    ],
)
def test_depreciation_by_age_with_a_floor(district, monkeypatch, age_days, floor, cents, basis):
    today = dt.date(2027, 3, 1)
    monkeypatch.setattr(clock, "today", lambda: today)
    inventory.add_device("OLD1", "OLD0001", "HP Chromebook 11 G9 EE", "STORE", station=district.config.station,
                         purchase_date=today - dt.timedelta(days=age_days))  # fmt: skip
    config = with_fees(district, loss={"depreciate": True, "floor": floor})
    lend(district, "S100", "OLD1", config)
    give_back(district, "OLD1", "lost", config)
    fee = Fee.get()
    assert fee.amount_cents == cents and basis in fee.reason
    assert "depreciated over 4 years" in fee.reason
    assert_check_clean()


def test_a_loss_without_a_replacement_cost_is_recorded_uncharged_or_uses_the_purchase_cost(district):
    inventory.add_catalog_item("Mystery Tablet", "tablet")
    inventory.add_device("MT1", "MT0001", "Mystery Tablet", "STORE", station=district.config.station)
    inventory.add_device("MT2", "MT0002", "Mystery Tablet", "STORE", station=district.config.station,
                         purchase_cost_cents=19900)  # fmt: skip
    lend(district, "S100", "MT1")
    result = give_back(district, "MT1", "lost")
    assert result.charge == "No loss fee: Mystery Tablet has no replacement cost in the catalog."
    assert fee_rows("S100") == [("loss", 0, "paid", "no replacement cost on record for Mystery Tablet")]
    lend(district, "S101", "MT2")
    assert give_back(district, "MT2", "lost").charge == "Loss fee $199.00 charged to Ben Okafor."
    assert_check_clean()


def test_depreciation_without_a_purchase_date_charges_the_replacement_cost(district):
    config = with_fees(district, loss={"depreciate": True})
    lend(district, "S100", "CB1", config)
    give_back(district, "CB1", "lost", config)
    assert Fee.get().amount_cents == 28900 and "no purchase date" in Fee.get().reason


def test_a_missing_charger_costs_the_charger_fee_and_never_a_free_break(district):
    lend(district, "S100", "CB1")
    result = give_back(district, "CB1", "nocharger")
    assert result.device.status == "available" and result.charge == "Charger fee $20.00 charged to Ana Lopez."
    assert result.student.free_breaks_left == 1
    config = with_fees(district, charger_fee=32.5)
    lend(district, "S101", "CB2", config)
    assert give_back(district, "CB2", "nocharger", config).charge == "Charger fee $32.50 charged to Ben Okafor."
    assert [f.kind for f in Fee.select()] == ["charger", "charger"]
    assert_check_clean()


def test_the_count_follows_the_student_not_the_device(district):
    lend(district, "S100", "CB1")
    give_back(district, "CB1", "damaged")  # Ana's free break
    lend(district, "S100", "CB2")
    assert give_back(district, "CB2", "damaged").charge.startswith("Damage fee $25.00")  # another device, same count
    repair(district, "CB1")
    lend(district, "S101", "CB1")  # CB1's next holder starts from his own count
    ben = give_back(district, "CB1", "damaged")
    assert ben.charge.startswith("Free break used") and ben.student.fees_owed_cents == 0
    assert [(f.person.district_id, f.device.asset_tag, f.amount_cents) for f in Fee.select().order_by(Fee.id)] == [
        ("S100", "CB1", 0), ("S100", "CB2", 2500), ("S101", "CB1", 0),
    ]  # fmt: skip
    assert_check_clean()


def test_accessory_charges_come_from_the_policy(district):
    config = with_fees(district, accessories={"Case": 15, "stylus": "$9.99"})
    result = fees.charge_accessory(district.technician, "S100", "case", config=config, device_code="CB1")
    assert result.fee.kind == "accessory" and result.fee.amount_cents == 1500 and result.fee.asset_tag == "CB1"
    assert fees.charge_accessory(district.technician, "S100", "charger", config=config).fee.kind == "charger"
    with pytest.raises(BadInput, match="The fee policy has no accessory 'pen'; it lists charger, case, stylus"):
        fees.charge_accessory(district.technician, "S100", "pen", config=config)
    assert Fee.select().count() == 2
    assert_check_clean()


# -- the [fees] table in the config file -------------------------------------------


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_fees_table_supersedes_the_top_level_keys(tmp_path):
    path = write(tmp_path, """
free_breaks_per_year = 3
owed_fees = "block"
school_year_start_month = 8
[fees]
free_breaks_per_year = 2
school_year_start = "09-15"
owed = "warn"
owed_threshold = 10.00
damage_fee = "$30"
""")  # fmt: skip
    config = load_config(path)
    assert (config.free_breaks_per_year, config.school_year_start_month, config.school_year_start_day) == (2, 9, 15)
    assert (config.owed_fees, config.owed_threshold_cents) == ("warn", 1000)
    top = load_config(write(tmp_path, "free_breaks_per_year = 3\nowed_threshold_cents = 500\n"))
    assert (top.free_breaks_per_year, top.owed_threshold_cents) == (3, 500)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("damage_fee = -5", r"\[fees\] damage_fee must be zero or more, not -5"),
        ('damage_fee = "twenty"', r"\[fees\] damage_fee must be an amount of money such as 25.00, not 'twenty'"),
        ("damage_fee = 25.005", r"\[fees\] damage_fee has more than two decimals"),
        ("free_breaks_per_year = 1.5", r"free_breaks_per_year must be a whole number between 0 and 100, not 1.5"),
        ('school_year_start = "13-01"', r"school_year_start '13-01' is not a day of the year"),
        ('school_year_start = "July"', r'school_year_start must be a month and day such as "07-01"'),
        ('owed = "maybe"', r"owed must be one of ignore, warn, block, not 'maybe'"),
        ('stolen = "free"', r"stolen must be one of loss, none"),
        ("damage_fees = 5", r"\[fees\] has no key 'damage_fees'; the keys are"),
        ('loss = { depreciate = "yes" }', r"\[fees.loss\] depreciate must be true or false"),
        ('loss = { floor = "120%" }', r"\[fees.loss\] floor must be an amount or a percentage"),
        ("loss = { lifespan = 3 }", r"\[fees.loss\] has no key 'lifespan'"),
        ('damage_by_category = { "Chrome Book" = 3 }', r"'Chrome Book' is not a category name such as chromebook"),
        ("accessories = { charger = 5 }", r"must not name the charger; set charger_fee"),
        ("yearly_cap = true", r"yearly_cap must be an amount of money"),
        ("loss = 5", r"fees.loss must be a table \(\[fees.loss\]\), not 5"),
        ("damage_by_category = 5", r"\[fees.damage_by_category\] must be a table \(\[fees.damage_by_category\]\)"),
    ],
)
def test_a_bad_fees_table_is_refused_with_what_to_fix(tmp_path, table, message):
    with pytest.raises(BadInput, match=message) as refused:
        load_config(write(tmp_path, f"[fees]\n{table}\n"))
    assert str(tmp_path / "kiosk.toml") in refused.value.message
