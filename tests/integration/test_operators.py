"""Operators: sign-in, the five-attempt lockout, and PINs that never reach the database in clear."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.errors import BadInput, OperatorLocked, SignInFailed
from kiosk.services import operators
from models import Event, Operator, utcnow
from tests.conftest import PIN
from tests.integration.helpers import assert_check_clean, events

STATION = "test-station"


def test_sign_in(district):
    actor = operators.sign_in(" TE1 ", PIN, station="desk-9")
    assert (actor.badge, actor.name, actor.role, actor.station) == ("TE1", "Theo Tech", "technician", "desk-9")
    signin = events("signin")
    assert [(e.operator, e.station) for e in signin] == [("TE1", "desk-9")]
    assert_check_clean()


def test_wrong_pins_count_down_then_lock_even_the_right_pin(district):
    for left in (4, 3, 2, 1):
        with pytest.raises(SignInFailed, match=f"Unknown badge or wrong PIN; {left} tries left before a lock") as err:
            operators.sign_in("OP1", "0000", station=STATION)
        assert not isinstance(err.value, OperatorLocked)
    with pytest.raises(OperatorLocked, match="Wrong PIN 5 times: badge OP1 is locked for 5 minutes"):
        operators.sign_in("OP1", "0000", station=STATION)
    with pytest.raises(OperatorLocked, match="Badge OP1 is locked until .* after 5 wrong PINs; wait or ask an admin"):
        operators.sign_in("OP1", PIN, station=STATION)
    op = Operator.get(Operator.badge == "OP1")
    assert op.locked_until > utcnow() + dt.timedelta(minutes=4)
    assert len(events("signin.failed", operator="OP1")) == 5 and events("signin") == []
    # other badges are not affected
    assert operators.sign_in("TE1", PIN, station=STATION).badge == "TE1"
    assert_check_clean()


def test_a_right_pin_resets_the_count(district):
    for _ in range(4):
        with pytest.raises(SignInFailed):
            operators.sign_in("OP1", "1111", station=STATION)
    operators.sign_in("OP1", PIN, station=STATION)
    with pytest.raises(SignInFailed, match="4 tries left"):
        operators.sign_in("OP1", "1111", station=STATION)


def test_the_lock_expires(district):
    Operator.update(locked_until=utcnow() + dt.timedelta(minutes=5)).where(Operator.badge == "OP1").execute()
    with pytest.raises(OperatorLocked):
        operators.sign_in("OP1", PIN, station=STATION)
    Operator.update(locked_until=utcnow() - dt.timedelta(seconds=1)).where(Operator.badge == "OP1").execute()
    assert operators.sign_in("OP1", PIN, station=STATION).badge == "OP1"
    op = Operator.get(Operator.badge == "OP1")
    assert (op.failed_attempts, op.locked_until) == (0, None)


def test_unknown_or_inactive_badge(district):
    with pytest.raises(SignInFailed, match="Unknown badge or wrong PIN; try again"):
        operators.sign_in("NOPE", PIN, station=STATION)
    assert [e.operator for e in events("signin.failed")] == [None]
    Operator.update(active=False).where(Operator.badge == "OP1").execute()
    with pytest.raises(SignInFailed, match="Unknown badge or wrong PIN; try again"):
        operators.sign_in("OP1", PIN, station=STATION)


def test_verify_admin(district):
    assert operators.verify_admin("AD1", PIN, station=STATION).role == "admin"
    with pytest.raises(SignInFailed, match="Only an admin can leave the kiosk"):
        operators.verify_admin("TE1", PIN, station=STATION)
    with pytest.raises(SignInFailed):
        operators.verify_admin("AD1", "9999", station=STATION)


def test_pins_are_never_stored_or_logged_in_clear(district):
    secret, wrong = "97531864", "86420975"
    operators.add_operator("NEW1", "Nia North", "operator", secret, station=STATION)
    operators.sign_in("NEW1", secret, station=STATION)
    with pytest.raises(SignInFailed):
        operators.sign_in("NEW1", wrong, station=STATION)
    with pytest.raises(SignInFailed):
        operators.sign_in("NOBADGE", secret, station=STATION)
    stored = Operator.get(Operator.badge == "NEW1").pin_hash
    assert stored.startswith("scrypt$") and secret not in stored
    for op in Operator.select():  # no field of the hash is the PIN (its hex digits may spell one by chance)
        assert PIN not in op.pin_hash.split("$")
    for row in Event.select().tuples():
        text = " ".join(str(value) for value in row)
        assert secret not in text and wrong not in text
    added = events("operator.added")[-1]
    assert added.details == '{"badge":"NEW1","role":"operator"}'


def test_add_operator_refuses_bad_input(district):
    with pytest.raises(BadInput, match="Badge OP1 already belongs to an operator"):
        operators.add_operator("OP1", "Someone", "operator", "1234", station=STATION)
    with pytest.raises(BadInput, match="A PIN is at least 4 digits"):
        operators.add_operator("X1", "Someone", "operator", "12", station=STATION)
    with pytest.raises(BadInput, match="A PIN is at least 4 digits"):
        operators.add_operator("X1", "Someone", "operator", "abcd", station=STATION)
    with pytest.raises(BadInput, match="Role must be one of operator, technician, admin, not 'boss'"):
        operators.add_operator("X1", "Someone", "boss", "1234", station=STATION)
    with pytest.raises(BadInput, match="needs a badge code and a name"):
        operators.add_operator("  ", "Someone", "operator", "1234", station=STATION)
    assert [o.badge for o in operators.list_operators()] == ["AD1", "OP1", "TE1"]


def test_a_garbled_badge_is_just_a_failed_sign_in(district):
    with pytest.raises(SignInFailed, match="Unknown badge or wrong PIN"):
        operators.sign_in("OP\udcff1", "\udcff", station=STATION)
    assert events("signin.failed")[0].details == '{"badge":"OP\\\\udcff1"}'
    with pytest.raises(SignInFailed, match="4 tries left"):
        operators.sign_in("OP1", "24\udcff68", station=STATION)
    assert_check_clean()


def test_the_operator_list_shows_only_a_lock_still_running(district):
    Operator.update(locked_until=utcnow() + dt.timedelta(minutes=3)).where(Operator.badge == "OP1").execute()
    Operator.update(locked_until=utcnow() - dt.timedelta(minutes=3)).where(Operator.badge == "TE1").execute()
    listed = {o.badge: o.locked_until for o in operators.list_operators()}
    assert listed["OP1"] is not None and listed["TE1"] is None and listed["AD1"] is None


def test_a_pin_hashed_with_older_parameters_is_rehashed_at_the_next_sign_in(district):
    import hashlib

    salt = bytes(range(16))
    digest = hashlib.scrypt(PIN.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    Operator.update(pin_hash=f"scrypt$16384$8$1${salt.hex()}${digest.hex()}").where(Operator.badge == "OP1").execute()
    with pytest.raises(SignInFailed):  # a wrong PIN changes nothing but the count
        operators.sign_in("OP1", "0000", station=STATION)
    assert Operator.get(Operator.badge == "OP1").pin_hash.startswith("scrypt$16384$")
    operators.sign_in("OP1", PIN, station=STATION)
    stored = Operator.get(Operator.badge == "OP1").pin_hash
    assert stored.startswith("scrypt$4096$8$20$") and PIN not in stored
    assert operators.sign_in("OP1", PIN, station=STATION).badge == "OP1"
