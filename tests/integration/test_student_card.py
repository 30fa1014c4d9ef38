"""The student card: fees, free breaks and devices held, read in one statement (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest

import models.prepared
from kiosk.errors import CategoryAlreadyHeld
from kiosk.services import circulation, common
from models import Person
from tests.integration.helpers import add_fee, assert_check_clean

CARD_READS = ('"fee"', '"holder_id" = ', '"loaner" = ')
"""What gives away a statement that reads for a student card: fees, the devices a student holds, loaners."""


@pytest.fixture
def card_reads(monkeypatch) -> list[str]:
    """From now on, the SQL of every prepared SELECT that reads what a student card shows."""
    seen: list[str] = []
    run = models.prepared._run

    def counting(sql, params):
        if sql.startswith("SELECT") and any(part in sql for part in CARD_READS):
            seen.append(sql)
        return run(sql, params)

    monkeypatch.setattr(models.prepared, "_run", counting)
    return seen


def fresh_card(district, code: str):
    return common.student_card(Person.get(Person.district_id == code), district.config)


def test_the_issue_card_is_the_card_the_database_holds(district):
    """The issue's card adds the new device to what it read before the loan: it must equal a fresh read."""
    add_fee("S101", 2500, station=district.config.station)
    config = replace(district.config, owed_fees="ignore")
    first = circulation.issue(district.operator, "S101", "HOT1", config=config).student
    assert first.devices == ("HOT1",) and first.fees_owed_cents == 2500
    assert first == fresh_card(district, "S101")
    second = circulation.issue(district.operator, "S101", "CB1", config=config).student
    assert second.devices == ("CB1", "HOT1"), "in asset tag order, the new device among the others"
    assert [line.split()[0] for line in second.device_lines] == ["CB1", "HOT1"]
    assert second == fresh_card(district, "S101")
    assert_check_clean()


def test_a_student_holding_nothing_has_an_empty_card(district):
    card = fresh_card(district, "S100")
    assert (card.devices, card.device_lines, card.fees_owed_cents) == ((), (), 0)
    assert card.free_breaks_left == district.config.free_breaks_per_year


def test_issue_return_and_a_student_scan_read_the_card_once(district, card_reads):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    assert len(card_reads) == 1, "the issue reads fees, devices held and loaner business together"
    card_reads.clear()
    returned = circulation.return_device(district.operator, "CB1", config=district.config)
    assert returned.student.devices == () and len(card_reads) == 1
    card_reads.clear()
    fresh_card(district, "S100")
    assert len(card_reads) == 1


def test_the_second_device_check_reads_the_held_list(district):
    """A second device of a kind is still caught without its own query (the held list answers it)."""
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    card = fresh_card(district, "S100")
    assert card.devices == ("CB1",)
    with pytest.raises(CategoryAlreadyHeld, match="already holds chromebook CB1"):
        circulation.issue(district.operator, "S100", "CB2", config=district.config)
