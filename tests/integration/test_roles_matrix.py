"""Every action in permissions.NEEDS, called on the service itself, against every kind of signed-in actor.

A refusal must come from the service (PermissionDenied, nothing written), not from a hidden screen.
A new action in NEEDS without an entry in CALLS fails this test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import models
from kiosk.dto import Actor
from kiosk.errors import CategoryAlreadyHeld, DomainError, PermissionDenied, SignInFailed
from kiosk.labels import data as label_data
from kiosk.reports.end_of_day import end_of_day_action
from kiosk.services import audits, cases, catalog, circulation, fees, lookup, operators, permissions, tickets
from kiosk.services.import_common import ImportOptions
from kiosk.services.imports import import_devices
from models import Event, Operator

DATA = Path(__file__).resolve().parents[1] / "data"
ST = "test-station"


def _import(actor, d):
    return import_devices(
        [DATA / "devices" / "snipeit_assets.csv"], options=ImportOptions(station=ST, actor=actor, dry_run=True)
    )


CALLS = {
    "issue": lambda a, d: circulation.issue(a, "S101", "CB2", config=d.config),
    "return": lambda a, d: circulation.return_device(a, "CB2", config=d.config),
    "lookup": lambda a, d: lookup.lookup("S100", config=d.config, actor=a),
    "case": lambda a, d: lookup.lookup("CASE-1", config=d.config, actor=a),
    "transfer": lambda a, d: circulation.transfer(a, ["CB3"], "ES"),
    "status": lambda a, d: circulation.set_status(a, "CB4", "in_repair", config=d.config),
    "override": lambda a, d: circulation.issue(a, "S101", "CB2", config=d.config, confirmed=("category",)),
    "audit": lambda a, d: audits.start_audit(a, "STORE"),
    "case.assign": lambda a, d: cases.assign_case(a, "S101", config=d.config),
    "case.release": lambda a, d: cases.release_case(a, "S100", config=d.config),
    "operator.manage": lambda a, d: operators.add_operator("NEW1", "New One", "operator", "8642", station=ST, actor=a),
    "exit": lambda a, d: operators.verify_admin(a.badge, "2468", station=ST),
    "import": _import,
    "catalog.edit": lambda a, d: catalog.add_alias("HP CB 11", "HP Chromebook 11 G9 EE", station=ST, actor=a),
    "fee.pay": lambda a, d: fees.pay(a, "S100", 100, method="cash", receipt="R1"),
    "fee.charge": lambda a, d: fees.charge_accessory(a, "S100", "charger", config=d.config),
    "fee.waive": lambda a, d: fees.waive(a, 1, reason="hardship"),
    "ticket": lambda a, d: tickets.open_ticket(a, "CB5", problem="cracked screen"),
    "labels": lambda a, d: label_data.require_admin(a, "labels"),
    "reports": lambda a, d: end_of_day_action(d.config, actor=a),
}

UNENFORCED: dict[str, str] = {}
"""Actions whose service does not check the role yet (strict xfail, with the defect)."""
REFUSALS = {"exit": (SignInFailed,), "override": (CategoryAlreadyHeld,)}
"""Refusals that are domain errors of their own, raised by the service before anything is written."""


def test_every_action_has_a_call():
    assert set(CALLS) == set(permissions.NEEDS)


def _actors(d) -> dict[str, Actor]:
    operators.add_operator("OP9", "Idle Operator", "operator", "1357", station=ST)
    Operator.update(active=False).where(Operator.badge == "OP9").execute()
    return {
        "operator": d.operator,
        "technician": d.technician,
        "admin": d.admin,
        "inactive": Actor("OP9", "Idle Operator", "operator", ST),
        "unknown": Actor("NOBODY", "Nobody", "admin", ST),
        # an operator whose Actor claims more than the database holds: the database role decides
        "claims-admin": Actor("OP1", "Olive Operator", "admin", ST),
    }


class _Undo(Exception):
    pass


def _attempt(action: str, actor: Actor, d) -> None:
    """Call the service, then roll back what it did, so every actor meets the same state."""
    try:
        with models.database.atomic():
            CALLS[action](actor, d)
            raise _Undo
    except _Undo:
        pass


@pytest.mark.parametrize("action", sorted(permissions.NEEDS))
def test_matrix(district, action, request):
    if action in UNENFORCED:
        request.applymarker(pytest.mark.xfail(strict=True, reason=UNENFORCED[action]))
    actors = _actors(district)
    if action == "override":
        circulation.issue(district.admin, "S101", "CB1", config=district.config)
    for who, actor in actors.items():
        role = "operator" if who == "claims-admin" else who
        should = role in permissions.RANKS and permissions.allowed(role, action)
        before = Event.select().count()
        try:
            _attempt(action, actor, district)
        except (PermissionDenied, SignInFailed, CategoryAlreadyHeld) as refused:
            if not isinstance(refused, (PermissionDenied, *REFUSALS.get(action, ()))):
                raise
            assert not should, f"{who} was refused {action}"
            if action != "exit":  # a failed sign-in is itself recorded
                assert Event.select().count() == before, f"refused {action} by {who} wrote events"
            continue
        except DomainError:
            pass
        assert should, f"{who} ({actor.role}) was allowed {action}"
