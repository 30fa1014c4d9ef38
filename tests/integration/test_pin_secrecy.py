"""PINs are stored as salted slow hashes and never appear in the ledger, messages, logs or command output."""

from __future__ import annotations

import logging

import pytest

from kiosk import db as kdb
from kiosk import security
from kiosk.config import Config
from kiosk.errors import BadInput, DomainError
from kiosk.services import operators
from models import Event, Operator
from tests.conftest import build_district
from tests.functional.test_cli import run

SECRET = "97531864"
ST = "test-station"


def test_same_pin_gives_different_salted_scrypt_hashes(database):
    operators.add_operator("P1", "Pat One", "operator", SECRET, station=ST)
    operators.add_operator("P2", "Pat Two", "operator", SECRET, station=ST)
    first, second = (Operator.get(Operator.badge == b).pin_hash for b in ("P1", "P2"))
    assert first != second
    for stored in (first, second):
        assert SECRET not in stored
        scheme, n, r, p, salt, digest = stored.split("$")
        assert scheme == "scrypt"
        # a cost that makes guessing slow: memory times passes at least 2**14 blocks of 8 (16 MiB for one
        # pass), 16 random bytes of salt
        assert int(n) * int(p) >= 2**14 and int(r) >= 8
        assert len(bytes.fromhex(salt)) >= 16 and len(bytes.fromhex(digest)) >= 32
        assert security.verify_pin(SECRET, stored) and not security.verify_pin("13579", stored)


def test_pin_never_in_ledger_messages_or_logs(database, caplog):
    caplog.set_level(logging.DEBUG)
    operators.add_operator("P1", "Pat One", "admin", SECRET, station=ST)
    messages = []
    for badge, pin in (("P1", "86420000"), ("P1", SECRET), ("NOPE", SECRET), ("P1", SECRET[:-1])):
        try:
            operators.sign_in(badge, pin, station=ST)
        except DomainError as refused:
            messages.append(str(refused))
            messages.append(repr(refused))
    for _ in range(operators.MAX_ATTEMPTS):
        try:
            operators.verify_admin("P1", "86420000", station=ST)
        except DomainError as refused:
            messages.append(str(refused))
    assert messages and all(SECRET not in m and "86420000" not in m for m in messages)
    assert SECRET not in caplog.text and "86420000" not in caplog.text
    rows = list(Event.select().dicts())
    assert any(row["kind"] == "signin.failed" for row in rows)
    for row in rows:
        for column, value in row.items():
            assert SECRET not in str(value), (column, row)
            assert "86420000" not in str(value), (column, row)


def test_cli_operator_add_list_and_scan_never_show_the_pin(tmp_path):
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'district.db'}"
    database = kdb.connect(url, migrate=True)
    build_district(Config(station=ST, station_site="HS"))
    database.close()
    env = {"KIOSK_DB": url}
    out = [run(["operator", "add", "--badge", "P7", "--name", "Pat Seven", "--role", "operator"],
               home=home, stdin=SECRET + "\n", env=env, check_rc=0)]  # fmt: skip
    out.append(run(["operator", "list"], home=home, env=env, check_rc=0))
    out.append(run(["scan", "-", "--operator", "P7"], home=home, stdin="S100\n", env={**env, "KIOSK_PIN": "86420000"}))
    out.append(run(["scan", "-", "--operator", "P7"], home=home, stdin="S100\n", env={**env, "KIOSK_PIN": SECRET}))
    assert out[2].returncode != 0 and out[3].returncode == 0
    text = "".join(p.stdout + p.stderr for p in out)
    text += "".join(p.read_text(errors="replace") for p in home.rglob("*.log"))
    assert "Pat Seven" in text
    assert SECRET not in text and "86420000" not in text


@pytest.mark.parametrize("pin", ["975", "97a531", "9753 1864"])
def test_a_refused_pin_is_not_echoed(database, pin):
    with pytest.raises(BadInput) as refused:
        operators.add_operator("P1", "Pat One", "operator", pin, station=ST)
    assert pin not in str(refused.value) and pin not in repr(refused.value)
    assert Operator.select().where(Operator.badge == "P1").count() == 0
