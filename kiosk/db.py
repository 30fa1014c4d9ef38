"""Opening the database, migrating it, and the transaction every use case runs in."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import urlparse

import peewee
from playhouse.migrations import Runner

import models
from kiosk.config import Config, default_sqlite_path
from kiosk.errors import BadInput, DatabaseUnavailable, SchemaTooNew, TransientConflict

MIGRATIONS_DIR = Path(models.__file__).parent / "migrations"
SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("synchronous", 2),  # FULL: an acknowledged scan survives a power cut
    ("foreign_keys", 1),
    ("busy_timeout", 15000),
)
_PG_SCHEMES = ("postgres", "postgresql", "postgres+pool", "postgresql+pool")


def default_sqlite_url() -> str:
    return f"sqlite:///{default_sqlite_path()}"


def resolve_url(cli_url: str | None, config: Config) -> str:
    """``--db`` wins, then ``KIOSK_DB``, then the config file, then the user data directory."""
    return cli_url or os.environ.get("KIOSK_DB") or config.db_url or default_sqlite_url()


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return parsed._replace(netloc=netloc).geturl()
    return url


def is_postgres(db: peewee.Database | None = None) -> bool:
    db = db or models.database.obj
    return isinstance(db, peewee.PostgresqlDatabase)


def make_database(url: str) -> peewee.Database:
    """Build (not open) a peewee Database for a URL; a bare path means a SQLite file."""
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    scheme = urlparse(url).scheme
    try:
        if scheme.startswith("sqlite"):
            path = url.split(":///", 1)[1] if ":///" in url else ""
            if not path or path == ":memory:":
                raise BadInput("An in-memory database would vanish with the station; give a file path.")
            if url == default_sqlite_url():
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            options = {"pragmas": SQLITE_PRAGMAS, "lock_type": "IMMEDIATE", "timeout": 15}
            if scheme == "sqlite" and "?" not in url:
                # what db_url makes of it, without importing the pools and drivers db_url registers (8 ms, 0.5 MB)
                return peewee.SqliteDatabase(path, **options)
            from playhouse import db_url

            return db_url.connect(url, **options)
        if scheme in _PG_SCHEMES:
            from playhouse import db_url

            # Named in pg_stat_activity, so a DBA sees which connections are stations (the URL may say otherwise).
            extra = {} if "application_name=" in url else {"application_name": "kiosk"}
            return db_url.connect(url, prefer_psycopg3=True, **extra)
    except RuntimeError as exc:
        raise BadInput(f"Unsupported database URL {describe(url)}: {exc}") from exc
    raise BadInput(f"Unsupported database URL {describe(url)}: use sqlite:///PATH or postgresql://...")


def connect(url: str, *, migrate: bool = False) -> peewee.Database:
    """Open the database at ``url``, bind the models to it and check its schema.

    With ``migrate`` pending migrations are applied (``kiosk init``); without it
    a database that needs them is refused with a message naming ``kiosk init``.
    A schema newer than this program is always refused.
    """
    db = make_database(url)
    try:
        db.connect(reuse_if_open=True)
        models.database.initialize(db)
        runner = Runner(db, str(MIGRATIONS_DIR))
        status = runner.status()
    except peewee.DatabaseError as exc:  # OperationalError, and "file is not a database" for a stray file
        db.close()
        hint = ""
        if isinstance(db, peewee.SqliteDatabase):
            hint = " Check that the path is a kiosk database (or a new file) in a folder this user can write to."
        raise DatabaseUnavailable(f"Cannot open the database {describe(url)}: {exc}.{hint}") from exc
    unknown = [m.name for m in status if m.path is None]
    if unknown:
        db.close()
        raise SchemaTooNew(
            f"The database {describe(url)} was migrated by a newer kiosk "
            f"(unknown migrations: {', '.join(unknown)}). Upgrade this program; it will not run on it."
        )
    pending = [m.name for m in status if not m.applied]
    if pending:
        if not migrate:
            db.close()
            raise BadInput(
                f"The database {describe(url)} is not initialised or needs migrating "
                f"({len(pending)} pending). Run `kiosk init` first."
            )
        try:
            runner.up()
        except peewee.DatabaseError as exc:  # also a PostgreSQL user without the right to create tables
            db.close()
            raise DatabaseUnavailable(f"Cannot migrate the database {describe(url)}: {exc}.") from exc
    return db


def applied_migrations(db: peewee.Database) -> list[str]:
    """Names of the migrations this database has, oldest first."""
    return [m.name for m in Runner(db, str(MIGRATIONS_DIR)).status() if m.applied]


RETRY_SQLSTATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization_failure and deadlock_detected: the transaction lost a race and may simply run again."""


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a driver error wrapped by peewee (psycopg keeps it as ``sqlstate``), if there is one."""
    seen = 0
    while exc is not None and seen < 5:
        code = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if code:
            return code
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


@contextlib.contextmanager
def unavailable_as_error():
    """Turn a database that went away into one clear DatabaseUnavailable (a lost race into TransientConflict)."""
    try:
        yield
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        if sqlstate(exc) in RETRY_SQLSTATES:
            raise TransientConflict(
                "Another station changed the same records at the same moment; nothing was recorded. Scan again."
            ) from exc
        cause = first_failure(exc)
        raise DatabaseUnavailable(f"The database did not answer: {cause}. Nothing was recorded; scan again.") from exc


def first_failure(exc: BaseException) -> BaseException:
    """The error that started it: when a failed write made SQLite roll back by itself (a full disk), peewee's
    own ROLLBACK fails next ("no transaction is active") and would hide the cause the operator needs."""
    found, seen = exc, 0
    while "rollback" in str(found).lower() and seen < 6:
        found, seen = found.__cause__ or found.__context__, seen + 1
        if found is None:
            return exc
    return found


def reconnect() -> None:
    """Drop this thread's connection and open a new one; DatabaseUnavailable while the server is still away.

    After a lost connection peewee still believes it is open, so it is closed first
    (closing a broken connection may itself fail, which is fine).
    """
    db = models.database.obj
    if db is None:
        raise DatabaseUnavailable("No database is connected.")
    with contextlib.suppress(peewee.DatabaseError, peewee.InterfaceError, OSError):
        db.close()
    try:
        db.connect(reuse_if_open=True)
        db.execute_sql("SELECT 1")
    except (peewee.DatabaseError, peewee.InterfaceError) as exc:
        with contextlib.suppress(peewee.DatabaseError, peewee.InterfaceError, OSError):
            db.close()
        raise DatabaseUnavailable(f"The database is still not answering: {exc}.") from exc


class _SqliteUnit:
    """The outermost transaction on a SQLite connection that is open: BEGIN IMMEDIATE and COMMIT (or ROLLBACK)
    as peewee's transaction runs them, without its layers of objects and checks (8 of the 13 µs an empty
    transaction took; a scan makes one). It stands on peewee's transaction stack, so an ``atomic()`` inside
    it takes a savepoint and the rows a transaction shares (``models.prepared``) know it."""

    __slots__ = ("db", "state")

    def __init__(self, db: peewee.SqliteDatabase) -> None:
        self.db, self.state = db, db._state

    def __enter__(self):
        with peewee.__exception_wrapper__:
            self.state.conn.execute("BEGIN IMMEDIATE")
        self.state.transactions.append(self)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.state.transactions.pop()
        if exc_type is not None:
            self._rollback()
            return
        try:
            with peewee.__exception_wrapper__:
                self.state.conn.execute("COMMIT")
        except Exception:
            self._rollback()
            raise
        self.db._run_commit_callbacks()

    def _rollback(self) -> None:
        with peewee.__exception_wrapper__:
            self.state.conn.execute("ROLLBACK")
        self.db._clear_commit_callbacks()


def atomic():
    """One unit of work. SQLite takes its write lock up front (BEGIN IMMEDIATE)."""
    db = models.database.obj
    if type(db) is peewee.SqliteDatabase and db._lock_type == "IMMEDIATE":
        state = db._state
        if not state.closed and not state.transactions:
            return _SqliteUnit(db)
    return models.database.atomic()


def for_update(query):
    """Lock selected rows until the transaction ends (PostgreSQL; SQLite locks the file)."""
    return query.for_update() if is_postgres() else query
