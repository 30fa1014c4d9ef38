"""Who may do what. Checked inside every service, not only by hiding screens."""

from __future__ import annotations

from kiosk.errors import PermissionDenied

RANKS = {"operator": 1, "technician": 2, "admin": 3}

NEEDS = {
    "issue": "operator",
    "return": "operator",
    "lookup": "operator",
    "case": "operator",
    "transfer": "technician",
    "status": "technician",
    "override": "technician",
    "audit": "technician",
    "case.assign": "technician",
    "case.release": "technician",
    "operator.manage": "admin",
    "exit": "admin",
    "import": "admin",
    "catalog.edit": "admin",
    "fee.pay": "operator",
    "fee.charge": "technician",
    "fee.waive": "admin",
    "ticket": "technician",
    "labels": "admin",
    "reports": "admin",
}
"""The least role each action needs."""

TITLES = {"operator": "an operator", "technician": "a technician", "admin": "an admin"}


def allowed(role: str, action: str) -> bool:
    return RANKS.get(role, 0) >= RANKS[NEEDS[action]]


def require(role: str, action: str) -> None:
    """Raise PermissionDenied naming the role needed when ``role`` may not do ``action``."""
    if not allowed(role, action):
        needed = NEEDS[action]
        raise PermissionDenied(
            f"{TITLES[needed].capitalize()} is needed for {action.replace('.', ' ')}; call one over."
        )
