"""Opening the database: migrations, a schema newer than the program, databases that cannot be opened."""

from __future__ import annotations

import os
import stat

import peewee
import pytest
from playhouse.migrations import Runner

import models
from kiosk import db as kdb
from kiosk.errors import BadInput, DatabaseUnavailable, SchemaTooNew
from models import Site


def _add_future_migration(database) -> None:
    runner = Runner(database, str(kdb.MIGRATIONS_DIR))
    runner.History.create(name="9999_from_a_newer_kiosk")


ALL = sorted(path.stem for path in kdb.MIGRATIONS_DIR.glob("[0-9]*.py"))
"""Every migration this program knows, oldest first."""


def test_connect_with_migrate_twice_is_idempotent(db_url):
    first = kdb.connect(db_url, migrate=True)
    assert kdb.applied_migrations(first) == ALL and ALL[0] == "0001_initial"
    Site.create(code="HS", name="High School")
    first.close()
    second = kdb.connect(db_url, migrate=True)
    assert kdb.applied_migrations(second) == ALL
    assert [s.code for s in Site.select()] == ["HS"]
    second.close()
    third = kdb.connect(db_url)  # and plain connect accepts it
    assert Site.select().count() == 1
    third.close()


def test_a_schema_newer_than_the_program_is_refused(db_url):
    database = kdb.connect(db_url, migrate=True)
    _add_future_migration(database)
    database.close()
    for migrate in (False, True):
        with pytest.raises(SchemaTooNew) as err:
            kdb.connect(db_url, migrate=migrate)
        assert "was migrated by a newer kiosk (unknown migrations: 9999_from_a_newer_kiosk)" in err.value.message
        assert "Upgrade this program" in err.value.message
        assert err.value.exit_code == 2


def test_a_fresh_database_without_migrate_names_kiosk_init(db_url):
    pending = rf"not initialised or needs migrating \({len(ALL)} pending\). Run `kiosk init` first"
    with pytest.raises(BadInput, match=pending):
        kdb.connect(db_url)


def test_an_unopenable_sqlite_path(tmp_path):
    with pytest.raises(DatabaseUnavailable, match=r"Cannot open the database sqlite:////proc/nonexistent/x.db: "):
        kdb.connect("sqlite:////proc/nonexistent/x.db", migrate=True)
    with pytest.raises(DatabaseUnavailable, match="Cannot open the database"):
        kdb.connect(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}", migrate=True)


def test_a_file_that_is_not_a_database(tmp_path):
    stray = tmp_path / "notes.db"
    stray.write_text("shopping list\n" * 200)
    with pytest.raises(DatabaseUnavailable) as err:
        kdb.connect(f"sqlite:///{stray}", migrate=True)
    assert "file is not a database" in err.value.message and "kiosk database" in err.value.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_directory(tmp_path):
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(DatabaseUnavailable, match="Cannot open the database"):
            kdb.connect(f"sqlite:///{locked / 'kiosk.db'}", migrate=True)
    finally:
        locked.chmod(stat.S_IRWXU)


def test_a_read_only_database_file(sqlite_url, tmp_path):
    kdb.connect(sqlite_url, migrate=True).close()
    path = tmp_path / "kiosk.db"
    for leftover in ("kiosk.db-wal", "kiosk.db-shm"):
        (tmp_path / leftover).unlink(missing_ok=True)
    path.chmod(stat.S_IRUSR)
    try:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only files")
        with pytest.raises(DatabaseUnavailable):
            kdb.connect(sqlite_url)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_an_unreachable_postgres_server():
    with pytest.raises(DatabaseUnavailable, match=r"Cannot open the database postgresql://kiosk:\*\*\*@127.0.0.1:1/x"):
        kdb.connect("postgresql://kiosk:secret@127.0.0.1:1/x?connect_timeout=2")


def test_urls_that_are_not_databases():
    with pytest.raises(BadInput, match="in-memory database would vanish"):
        kdb.connect("sqlite:///:memory:")
    with pytest.raises(BadInput, match=r"Unsupported database URL mysql://u:\*\*\*@h/db"):
        kdb.connect("mysql://u:pw@h/db")


def test_a_bare_path_is_a_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    database = kdb.connect("station.db", migrate=True)
    assert kdb.applied_migrations(database) == ALL and (tmp_path / "station.db").exists()
    database.close()


def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(sqlite_url):
    database = kdb.connect(sqlite_url, migrate=True)
    pragmas = {name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]
               for name in ("journal_mode", "synchronous", "foreign_keys")}  # fmt: skip
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}
    assert kdb.is_postgres() is False and models.database.obj is database
    database.close()


def test_a_database_that_goes_away_is_one_clear_error(sqlite_url, tmp_path):
    database = kdb.connect(sqlite_url, migrate=True)
    with pytest.raises(DatabaseUnavailable, match="Nothing was recorded; scan again"), kdb.unavailable_as_error():
        database.execute_sql("SELECT * FROM no_such_table")
    database.close()


def test_resolve_and_describe(monkeypatch):
    from kiosk.config import Config

    monkeypatch.setenv("KIOSK_DB", "sqlite:///env.db")
    assert kdb.resolve_url("sqlite:///cli.db", Config(db_url="sqlite:///cfg.db")) == "sqlite:///cli.db"
    assert kdb.resolve_url(None, Config(db_url="sqlite:///cfg.db")) == "sqlite:///env.db"
    monkeypatch.delenv("KIOSK_DB")
    assert kdb.resolve_url(None, Config(db_url="sqlite:///cfg.db")) == "sqlite:///cfg.db"
    assert kdb.describe("postgresql://u:pw@h:5432/d") == "postgresql://u:***@h:5432/d"


def test_a_unit_of_work_commits_rolls_back_and_nests(db_url):
    """``kdb.atomic()``: on SQLite its own BEGIN IMMEDIATE/COMMIT, on PostgreSQL peewee's; the same behaviour."""
    database = kdb.connect(db_url, migrate=True)
    ran = []
    with kdb.atomic():
        Site.create(code="HS", name="High School")
        database.after_commit(lambda: ran.append("committed"))
        assert database.in_transaction() and ran == []
        with pytest.raises(ValueError), kdb.atomic():  # inside: a savepoint, undone alone
            Site.create(code="MS", name="Middle School")
            raise ValueError("undo the inner block")
    assert ran == ["committed"] and not database.in_transaction()
    with pytest.raises(RuntimeError), kdb.atomic():
        Site.create(code="ES", name="Elementary")
        database.after_commit(lambda: ran.append("never"))
        raise RuntimeError("undo everything")
    assert [s.code for s in Site.select()] == ["HS"] and ran == ["committed"]
    database.close()


def test_a_commit_that_fails_is_undone_and_the_connection_goes_on(sqlite_url):
    database = kdb.connect(sqlite_url, migrate=True)
    Site.create(code="HS", name="High School")
    with pytest.raises(peewee.IntegrityError), kdb.atomic():
        database.execute_sql("PRAGMA defer_foreign_keys = ON")  # the check waits for COMMIT, which then fails
        Site.create(code="MS", name="Middle School", parent=999)
    assert not database.in_transaction() and [s.code for s in Site.select()] == ["HS"]
    with kdb.atomic():
        Site.create(code="ES", name="Elementary")
    assert Site.select().count() == 2
    database.close()
