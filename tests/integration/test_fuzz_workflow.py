"""Random scan sequences through the workflow: every scan gets exactly one outcome and the books hold.

Hypothesis draws sequences of valid codes, unknown codes, garbled text and
command codes, for an operator and for a technician. After every scan the
invariants hold (one open loan per issued device, holders match loans,
nothing issued without a holder); after every sequence ``kiosk check``
replays the ledger to exactly the tables.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.outcome import Outcome
from kiosk.services.codes import COMMANDS
from kiosk.workflow import Workflow
from models import Device, Loan
from tests.integration.helpers import assert_check_clean

STUDENTS = ["S100", "S101", "S200", "S300", "S999"]
DEVICES = ["CB1", "CB2", "CB3", "TB1", "HOT1", "5CD00004", "ZZ404"]
PLACES = ["LOC-HS", "LOC-ES", "LOC-STORE", "LOC-NOWHERE", "CASE-1", "CASE-2", "CASE-0", "CASE-x"]
LEVELS = {"done", "info", "warn", "error"}

garbage = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=129, max_size=300),
    st.sampled_from(["", "   ", "\x00CB1", "CB1\x1b[2J", "]C0S100", "$", "$$ISSUE", "S100; DROP TABLE device;--",
                     "' OR 1=1 --", "=HYPERLINK(\"x\")", "s100", " CB1 "]),
)  # fmt: skip
scans = st.lists(
    st.one_of(
        st.sampled_from(STUDENTS),
        st.sampled_from(DEVICES),
        st.sampled_from(sorted(COMMANDS)),
        st.sampled_from(PLACES),
        garbage,
    ),
    min_size=1,
    max_size=25,
)


def _invariants() -> None:
    open_loans = {d: p for d, p in Loan.select(Loan.device, Loan.person).where(Loan.returned_at.is_null()).tuples()}
    assert len(open_loans) == Loan.select().where(Loan.returned_at.is_null()).count(), "two open loans on a device"
    for device_id, status, holder in Device.select(Device.id, Device.status, Device.holder).tuples():
        if status == "issued":
            assert open_loans.get(device_id) == holder is not None, (device_id, status, holder)
        else:
            assert device_id not in open_loans and holder is None, (device_id, status, holder)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=scans, technician=st.booleans())
def test_every_scan_gets_one_outcome_and_the_books_hold(district, sequence, technician):
    actor = district.technician if technician else district.operator
    flow = Workflow(actor, district.config)
    for raw in sequence:
        before = flow.tally.scans
        outcome = flow.handle(raw)
        assert isinstance(outcome, Outcome)
        assert outcome.level in LEVELS and outcome.message.strip()
        assert flow.tally.scans == before + 1
        if not outcome.ok:
            assert outcome.level == "error"
        _invariants()
    flow.handle("$CANCEL")
    assert_check_clean()
