"""Paying in full or in part, waiving (admins only), statements, and the ledger's view of it all."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.errors import BadInput, PermissionDenied, UnknownCode
from kiosk.services import circulation, fees
from kiosk.services.fees import FeeNotOwed, Overpayment
from models import Event, Fee
from tests.integration.helpers import assert_check_clean, details, events, problems


@pytest.fixture
def owing(district):
    """Ben (S101) owes two fees: a $25.00 damage fee (his free break is used first) and a $20.00 charger fee."""
    config = replace(district.config, extra={"fees": {"free_breaks_per_year": 0}})
    circulation.issue(district.operator, "S101", "CB1", config=config)
    circulation.return_device(district.operator, "CB1", config=config, condition="damaged")
    circulation.issue(district.operator, "S101", "CB2", config=config, confirmed=("fees",))
    circulation.return_device(district.operator, "CB2", config=config, condition="nocharger")
    return district


def ids():
    return [f.id for f in Fee.select().order_by(Fee.id)]


def table():
    return [(f.amount_cents, f.paid_cents, f.status) for f in Fee.select().order_by(Fee.id)]


def test_partial_payments_add_up_oldest_fee_first(owing):
    first = fees.pay(owing.operator, "S101", 1000, method="cash", receipt="R-100")
    assert (first.paid_cents, first.balance_cents) == (1000, 3500)
    assert [(f.id, f.paid_cents, f.status) for f in first.fees] == [(ids()[0], 1000, "owed")]
    second = fees.pay(owing.operator, "S101", 2000, method="check", receipt="R-101")
    assert [(f.paid_cents, f.status) for f in second.fees] == [(2500, "paid"), (500, "owed")]
    assert len(second.event_ids) == 2 and second.balance_cents == 1500
    assert table() == [(2500, 2500, "paid"), (2000, 500, "owed")]
    paid = events("fee.paid")
    assert [details(e)["amount_cents"] for e in paid] == [1000, 1500, 500]
    assert details(paid[1])["receipt"] == "R-101" and details(paid[1])["method"] == "check"
    assert details(paid[1])["payment"] == details(paid[2])["payment"] != details(paid[0])["payment"]
    assert details(paid[1])["fee"] == Fee.get_by_id(ids()[0]).created_event
    last = fees.pay(owing.operator, "S101", 1500, method="card", receipt="R-102")
    assert last.balance_cents == 0 and table() == [(2500, 2500, "paid"), (2000, 2000, "paid")]
    assert Fee.get_by_id(ids()[1]).settled_event == last.event_ids[-1]
    statement = fees.statement("S101", config=owing.config)
    assert statement.balance_cents == 0 and [p.amount_cents for p in statement.payments] == [1000, 1500, 500, 1500]
    assert [p.receipt for p in statement.payments] == ["R-100", "R-101", "R-101", "R-102"]
    assert_check_clean()


def test_a_paid_fee_cannot_be_paid_again_and_a_balance_never_goes_negative(owing):
    damage, charger = ids()
    fees.pay(owing.operator, "S101", 2500, method="cash", receipt="R-1", fee_id=damage)
    with pytest.raises(FeeNotOwed, match=f"Fee {damage} is already paid in full; nothing was recorded"):
        fees.pay(owing.operator, "S101", 100, method="cash", receipt="R-2", fee_id=damage)
    with pytest.raises(Overpayment, match=rf"\$25.00 is more than the \$20.00 owed on fee {charger}; nothing"):
        fees.pay(owing.operator, "S101", 2500, method="cash", receipt="R-2", fee_id=charger)
    with pytest.raises(Overpayment, match=r"\$20.01 is more than the \$20.00 owed on Ben Okafor"):
        fees.pay(owing.operator, "S101", 2001, method="cash", receipt="R-2")
    fees.pay(owing.operator, "S101", 2000, method="cash", receipt="R-3")
    with pytest.raises(FeeNotOwed, match=r"Ben Okafor \(S101\) owes nothing; nothing was recorded"):
        fees.pay(owing.operator, "S101", 1, method="cash", receipt="R-4")
    assert table() == [(2500, 2500, "paid"), (2000, 2000, "paid")] and len(events("fee.paid")) == 2
    assert_check_clean()


@pytest.mark.parametrize(
    ("amount", "method", "receipt", "error", "message"),
    [
        (0, "cash", "R-1", BadInput, r"A payment must be more than \$0.00"),
        (-500, "cash", "R-1", BadInput, r"A payment must be more than \$0.00"),
        (500, "bitcoin", "R-1", BadInput, "Unknown payment method 'bitcoin'; use one of cash, check, card, online"),
        (500, "cash", "  ", BadInput, "A payment needs the receipt number"),
        (500, "cash", "R\x07", BadInput, "at most 64 printable characters"),
    ],
)
def test_a_bad_payment_changes_nothing(owing, amount, method, receipt, error, message):
    before = (table(), Event.select().count())
    with pytest.raises(error, match=message):
        fees.pay(owing.operator, "S101", amount, method=method, receipt=receipt)
    assert (table(), Event.select().count()) == before


def test_paying_someone_elses_fee_or_an_unknown_student(owing):
    with pytest.raises(UnknownCode, match=rf"Ana Lopez \(S100\) has no fee {ids()[0]}"):
        fees.pay(owing.operator, "S100", 500, method="cash", receipt="R-1", fee_id=ids()[0])
    with pytest.raises(UnknownCode, match="No student or staff member has ID S999"):
        fees.pay(owing.operator, "S999", 500, method="cash", receipt="R-1")
    assert events("fee.paid") == []


@pytest.mark.parametrize("who", ["operator", "technician"])
def test_waive_is_refused_for_operators_and_technicians(owing, who):
    with pytest.raises(PermissionDenied, match="An admin is needed for fee waive; call one over"):
        fees.waive(getattr(owing, who), ids()[0], reason="family hardship")
    assert table()[0] == (2500, 0, "owed") and events("fee.waived") == []


def test_an_admin_waives_what_is_left_with_a_reason(owing):
    damage, _ = ids()
    fees.pay(owing.operator, "S101", 1000, method="cash", receipt="R-1", fee_id=damage)
    with pytest.raises(BadInput, match="A waiver needs a reason"):
        fees.waive(owing.admin, damage, reason="  ")
    result = fees.waive(owing.admin, damage, reason="police report 2026-0412")
    assert (result.waived_cents, result.balance_cents, result.fee.status) == (1500, 2000, "waived")
    assert table()[0] == (2500, 1000, "waived")  # what was paid stays paid
    waived = events("fee.waived")[0]
    assert details(waived)["reason"] == "police report 2026-0412" and waived.operator == "AD1"
    with pytest.raises(FeeNotOwed, match=f"Fee {damage} was waived"):
        fees.waive(owing.admin, damage, reason="again")
    with pytest.raises(FeeNotOwed, match=f"Fee {damage} was waived"):
        fees.pay(owing.operator, "S101", 100, method="cash", receipt="R-2", fee_id=damage)
    with pytest.raises(UnknownCode, match="There is no fee 999"):
        fees.waive(owing.admin, 999, reason="typo")
    assert fees.statement("S101", config=owing.config).balance_cents == 2000
    assert_check_clean()


def test_a_free_break_has_nothing_to_waive(district):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    circulation.return_device(district.operator, "CB1", config=district.config, condition="damaged")
    with pytest.raises(FeeNotOwed, match="is already paid in full"):
        fees.waive(district.admin, Fee.get().id, reason="nothing")


def test_the_statement(owing):
    statement = fees.statement("S101", config=owing.config)
    assert (statement.student, statement.name, statement.balance_cents) == ("S101", "Ben Okafor", 4500)
    assert [(f.kind, f.asset_tag, f.balance_cents) for f in statement.fees] == [("charger", "CB2", 2000),
                                                                                ("damage", "CB1", 2500)]  # fmt: skip
    as_json = statement.as_json()
    assert as_json["fees"][0]["balance_cents"] == 2000 and as_json["payments"] == []


def test_check_sees_a_fee_paid_behind_the_programs_back(owing):
    Fee.update(paid_cents=2500, status="paid").where(Fee.id == ids()[0]).execute()
    assert any(p.startswith(f"fee {ids()[0]}: the ledger says") for p in problems())


def test_check_sees_a_payment_on_a_settled_fee(owing):
    from kiosk import ledger
    from kiosk.db import atomic

    fees.pay(owing.operator, "S101", 2500, method="cash", receipt="R-1", fee_id=ids()[0])
    with atomic():  # a second payment event, as a buggy or tampering writer would add it
        ledger.record("fee.paid", station="rogue", person="S101",
                      details={"fee": Fee.get_by_id(ids()[0]).created_event, "amount_cents": 100})  # fmt: skip
    found = problems()
    assert any("which was already paid" in p for p in found)
    assert any("(a negative balance)" in p for p in found)
