"""The kiosk command loads the PostgreSQL driver only when the database it opens may be PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kiosk.drivers import database_url, is_sqlite

PROBE = """
import json, sys
from kiosk.drivers import database_url, skip_postgres_driver
skipped = skip_postgres_driver(database_url(sys.argv[1:]))
import peewee
from kiosk import db
print(json.dumps({"skipped": skipped, "driver": sys.modules.get("psycopg") is not None}))
"""


def probe(tmp_path, *args: str, env: dict | None = None) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in ("KIOSK_DB", "KIOSK_CONFIG")}
    environ.update(KIOSK_HOME=str(tmp_path / "home"), **(env or {}))
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=environ,
                         timeout=60, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_sqlite_station_never_loads_the_postgresql_driver(tmp_path):
    assert probe(tmp_path, "station", "--db", f"sqlite:///{tmp_path}/k.db") == {"skipped": True, "driver": False}
    assert probe(tmp_path, "station") == {"skipped": True, "driver": False}  # the default file
    config = tmp_path / "kiosk.toml"
    config.write_text(f'db_url = "sqlite:///{tmp_path}/k.db"\n')
    assert probe(tmp_path, "--config", str(config), "check") == {"skipped": True, "driver": False}


def test_a_postgresql_url_or_an_unreadable_config_keeps_the_driver(tmp_path):
    pg = "postgresql://kiosk@db.example/kiosk"
    assert probe(tmp_path, "check", f"--db={pg}") == {"skipped": False, "driver": True}
    assert probe(tmp_path, "check", env={"KIOSK_DB": pg}) == {"skipped": False, "driver": True}
    broken = tmp_path / "broken.toml"
    broken.write_text("db_url = [not toml\n")
    assert probe(tmp_path, "--config", str(broken), "check") == {"skipped": False, "driver": True}


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["check", "--db", "sqlite:///a.db"], {}, "sqlite:///a.db"),
        (["--db", "x.db", "--db", "sqlite:///b.db", "check"], {}, "sqlite:///b.db"),
        (["check"], {"KIOSK_DB": "postgresql://h/k"}, "postgresql://h/k"),
    ],
)
def test_the_url_is_found_as_the_command_line_finds_it(monkeypatch, argv, env, expected):
    monkeypatch.delenv("KIOSK_DB", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert database_url(argv) == expected
    assert is_sqlite(expected) == expected.startswith("sqlite")


def test_the_kiosk_module_runs_the_command_line(tmp_path):
    env = {**os.environ, "KIOSK_HOME": str(tmp_path / "home")}
    env.pop("KIOSK_DB", None)
    url = f"sqlite:///{tmp_path}/k.db"
    done = subprocess.run([sys.executable, "-m", "kiosk", "init", "--db", url], capture_output=True, text=True,
                          env=env, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Database ready" in done.stdout
