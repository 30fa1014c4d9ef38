"""Operators: adding them, signing in with badge and PIN, lockout."""

from __future__ import annotations

import datetime as dt

from kiosk import clock, ledger
from kiosk.db import atomic, for_update, unavailable_as_error
from kiosk.dto import Actor, OperatorInfo
from kiosk.errors import BadInput, OperatorLocked, SignInFailed
from kiosk.security import hash_pin, needs_rehash, verify_pin
from kiosk.services.common import authorize
from kiosk.services.permissions import RANKS
from models import Operator, utcnow

MAX_ATTEMPTS = 5
LOCK_MINUTES = 5
MIN_PIN_LENGTH = 4


def _info(op: Operator) -> OperatorInfo:
    locked = op.locked_until if op.locked_until is not None and op.locked_until > utcnow() else None
    return OperatorInfo(op.badge, op.name, op.role, op.active, clock.show(locked) or None)


def validate_pin(pin: str) -> None:
    if len(pin) < MIN_PIN_LENGTH or not pin.isdigit():
        raise BadInput(f"A PIN is at least {MIN_PIN_LENGTH} digits.")


def add_operator(
    badge: str, name: str, role: str, pin: str, *, station: str, actor: Actor | None = None
) -> OperatorInfo:
    """Create an operator. ``actor`` None is the local command line (whoever reaches the database is its admin);
    an operator signed in at a station must be an admin by the role the database holds now."""
    badge, name = badge.strip(), name.strip()
    if not badge or not name:
        raise BadInput("An operator needs a badge code and a name.")
    if role not in RANKS:
        raise BadInput(f"Role must be one of {', '.join(RANKS)}, not {role!r}.")
    validate_pin(pin)
    with unavailable_as_error(), atomic():
        if actor is not None:
            authorize(actor, "operator.manage")
        if Operator.get_or_none(Operator.badge == badge) is not None:
            raise BadInput(f"Badge {badge} already belongs to an operator.")
        op = Operator.create(badge=badge, name=name, role=role, pin_hash=hash_pin(pin))
        ledger.record("operator.added", station=station, details={"badge": badge, "role": role})
        return _info(op)


def list_operators() -> list[OperatorInfo]:
    with unavailable_as_error():
        return [_info(op) for op in Operator.select().order_by(Operator.badge)]


def sign_in(badge: str, pin: str, *, station: str) -> Actor:
    """The operator for ``badge`` if ``pin`` is right and the badge is not locked.

    Five wrong PINs in a row lock the badge for five minutes. The message never
    says whether the badge or the PIN was wrong, and the PIN is never recorded.
    """
    badge = badge.strip().encode("utf-8", "backslashreplace").decode("utf-8")  # a garbled read matches no badge
    now = utcnow()
    with unavailable_as_error():
        # The slow hash is checked before the write transaction, so other stations' scans do not wait on it.
        seen = Operator.get_or_none(Operator.badge == badge)
        seen_hash = seen.pin_hash if seen is not None else None
        right = seen_hash is not None and verify_pin(pin, seen_hash)
        upgrade = hash_pin(pin) if right and needs_rehash(seen_hash) else None
        with atomic():
            # Locked so that wrong PINs tried at several stations at once are all counted.
            op = for_update(Operator.select().where(Operator.badge == badge)).first()
            if op is None or not op.active:
                ledger.record("signin.failed", station=station, details={"badge": badge[:64]})
                failure: Exception = SignInFailed("Unknown badge or wrong PIN; try again.")
            elif op.locked_until is not None and op.locked_until > now:
                failure = OperatorLocked(
                    f"Badge {badge} is locked until {clock.to_local(op.locked_until):%H:%M} after "
                    f"{MAX_ATTEMPTS} wrong PINs; wait or ask an admin."
                )
            elif right if op.pin_hash == seen_hash else verify_pin(pin, op.pin_hash):  # PIN changed meanwhile: again
                changes = {"failed_attempts": 0, "locked_until": None}
                if upgrade is not None and op.pin_hash == seen_hash:
                    changes["pin_hash"] = upgrade
                Operator.update(**changes).where(Operator.id == op.id).execute()
                ledger.record("signin", station=station, operator=badge)
                return Actor(op.badge, op.name, op.role, station)
            else:
                attempts = op.failed_attempts + 1
                locked = None
                if attempts >= MAX_ATTEMPTS:
                    locked, attempts = now + dt.timedelta(minutes=LOCK_MINUTES), 0
                Operator.update(failed_attempts=attempts, locked_until=locked).where(Operator.id == op.id).execute()
                ledger.record("signin.failed", station=station, operator=badge)
                if locked:
                    failure = OperatorLocked(
                        f"Wrong PIN {MAX_ATTEMPTS} times: badge {badge} is locked for {LOCK_MINUTES} minutes."
                    )
                else:
                    failure = SignInFailed(
                        f"Unknown badge or wrong PIN; {MAX_ATTEMPTS - attempts} tries left before a lock."
                    )
        # The failed attempt is committed before the refusal is raised.
        raise failure


def verify_admin(badge: str, pin: str, *, station: str) -> Actor:
    """Sign-in that must be an admin (leaving the kiosk)."""
    actor = sign_in(badge, pin, station=station)
    if RANKS.get(actor.role, 0) < RANKS["admin"]:
        raise SignInFailed("Only an admin can leave the kiosk.")
    return actor
