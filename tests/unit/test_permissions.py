"""Who may do what."""

from __future__ import annotations

import pytest

from kiosk.errors import PermissionDenied
from kiosk.services.permissions import NEEDS, RANKS, allowed, require

OPERATOR = {"issue", "return", "lookup", "case", "fee.pay"}
TECHNICIAN = OPERATOR | {
    "transfer",
    "status",
    "override",
    "audit",
    "case.assign",
    "case.release",
    "fee.charge",
    "ticket",
}
EXPECTED = {"operator": OPERATOR, "technician": TECHNICIAN, "admin": set(NEEDS)}


@pytest.mark.parametrize("role", list(RANKS))
def test_each_role_may_do_exactly_its_actions(role):
    assert {action for action in NEEDS if allowed(role, action)} == EXPECTED[role]


def test_an_unknown_role_may_do_nothing():
    assert not any(allowed("janitor", action) for action in NEEDS)


def test_require_names_the_role_needed():
    require("technician", "transfer")
    with pytest.raises(PermissionDenied, match="A technician is needed for transfer; call one over."):
        require("operator", "transfer")
    with pytest.raises(PermissionDenied, match="An admin is needed for operator manage; call one over."):
        require("technician", "operator.manage")
