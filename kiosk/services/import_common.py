"""What every import shares: options, the report it returns, site matching, bulk writes, the summary event."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from peewee import DateField

from kiosk.db import atomic, is_postgres
from kiosk.dto import Actor
from kiosk.errors import BadInput
from kiosk.io.mapping import Rejection
from kiosk.ledger import BulkChain
from kiosk.services.common import authorize
from models import Event, Site, utcnow

BATCH = 5000
"""Rows per executemany call: big enough to be fast, small enough to report progress."""
SQLITE_IMPORT_CACHE_KIB = 65536
"""SQLite page cache while an import inserts (64 MB; negative cache_size values are KiB)."""
EVENT_FIELDS = tuple(f.name for f in Event._meta.sorted_fields if f.name != "id")
Progress = Callable[[str, int, "int | None"], None]


@dataclass(frozen=True)
class ImportOptions:
    """How to run an import. ``actor`` None is the local command line (whoever can reach the database)."""

    station: str
    actor: Actor | None = None
    dry_run: bool = False
    skip_bad_rows: bool = False
    create_models: bool = False
    progress: Progress | None = None

    def tick(self, phase: str, done: int, total: int | None = None) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)


class Change(NamedTuple):
    """One thing an import creates, updates, deactivates or leaves as it is.

    A named tuple, not a dataclass: an import makes one per row, and this is the cheaper of the two.
    """

    action: str
    """create, update, deactivate or unchanged."""
    entity: str
    """device, person, site, catalog item, alias."""
    key: str
    where: str
    """file and row(s) it came from."""
    detail: str = ""

    def line(self) -> str:
        tail = f": {self.detail}" if self.detail else ""
        return f"{self.action:<10} {self.entity} {self.key} ({self.where}){tail}"


new_change = functools.partial(tuple.__new__, Change)
"""``new_change((action, entity, key, where, detail))``: a Change without NamedTuple's keyword handling in Python
(an import makes one per row; this costs a third as much)."""


iso_day = functools.lru_cache(maxsize=4096)(dt.date.isoformat)
"""A date as SQLite stores it (ISO text), made once per date (``day and iso_day(day)`` for a date or None): the
driver's own date adapter costs 0.6 microseconds a value, a tenth of a large import's insert."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    kind: str
    files: tuple[str, ...]
    dry_run: bool
    changes: tuple[Change, ...]
    rejected: tuple[Rejection, ...] = ()
    conflicts: tuple[Rejection, ...] = ()
    """Rows applied only in part: e.g. a device on loan whose status or site the file would change."""
    needs_review: tuple[Rejection, ...] = ()
    """Rows naming a model the catalog does not know; nothing was created for them."""
    notes: tuple[str, ...] = ()
    event: str | None = None
    """uuid of the summarising ``import`` event; None when nothing changed or on a dry run."""

    @functools.cached_property
    def _tally(self) -> dict[tuple[str, str], int]:
        """(action, entity) -> how many: counted once, as an import reports a hundred thousand changes."""
        return dict(sorted(Counter((c.action, c.entity) for c in self.changes).items()))

    def count(self, action: str) -> int:
        return sum(n for (done, _), n in self._tally.items() if done == action)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (action, entity), n in self._tally.items():
            out.setdefault(action, {})[entity] = n
        return out

    @property
    def changed(self) -> bool:
        return any(c.action != "unchanged" for c in self.changes)

    def summary(self) -> dict:
        """The counts the ``import`` event keeps."""
        return {
            "kind": self.kind,
            "files": list(self.files),
            **{action: counts for action, counts in self.counts().items()},
            "rejected": len(self.rejected),
            "conflicts": len(self.conflicts),
            "needs_review": len(self.needs_review),
        }

    def as_json(self) -> dict:
        def rows(items):
            return [{"file": r.file, "row": r.row, "reason": r.reason} for r in items]

        return {
            **self.summary(),
            "dry_run": self.dry_run,
            "event": self.event,
            "changes": [
                {"action": c.action, "entity": c.entity, "key": c.key, "where": c.where, "detail": c.detail}
                for c in self.changes
                if c.action != "unchanged"
            ],
            "unchanged_count": self.count("unchanged"),
            "rejected": rows(self.rejected),
            "conflicts": rows(self.conflicts),
            "needs_review": rows(self.needs_review),
            "notes": list(self.notes),
        }


class ImportRefused(BadInput):
    """A real run met rejected rows without --skip-bad-rows: nothing was written. ``report`` says why."""

    def __init__(self, report: ImportReport):
        total = len(report.rejected)
        super().__init__(
            f"{total} row{'s' if total != 1 else ''} rejected, so nothing was imported. "
            "Fix them (see the list above), or use --skip-bad-rows to import the good rows."
        )
        self.report = report


def gc_paused(function):
    """Run ``function`` with Python's cyclic garbage collector paused (a decorator for import use cases).

    An import builds millions of small objects that all live until it ends; the
    collector would walk them again and again (a third of a 100,000-row import)
    and free nothing, since rows form no reference cycles. Reference counting
    still frees everything as usual.
    """

    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


def authorize_import(options: ImportOptions, action: str = "import") -> None:
    """An actor, when one is given, must be an admin (the local command line passes none)."""
    if options.actor is not None:
        authorize(options.actor, action)


def transaction(options: ImportOptions):
    """A real run writes in one transaction; a dry run only reads, so it takes no write lock."""
    return contextlib.nullcontext() if options.dry_run else atomic()


def refuse_if_rejected(report: ImportReport, options: ImportOptions) -> None:
    if report.rejected and not options.skip_bad_rows and not options.dry_run:
        raise ImportRefused(report)


class SiteIndex:
    """Every site, loaded once, matched by code, SIS id or name (in that order, case-insensitively)."""

    def __init__(self) -> None:
        self.code: dict[int, str] = {}
        self.by_code: dict[str, int] = {}
        self.by_sis: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        self._memo = {}
        for site_id, code, name, sis_id in Site.select(Site.id, Site.code, Site.name, Site.sis_id).tuples():
            self.add(site_id, code, name, sis_id)

    def add(self, site_id: int, code: str, name: str, sis_id: str | None) -> None:
        self._memo: dict[str, tuple[int, str]] = {}
        self.code[site_id] = code
        self.by_code[code.upper()] = site_id
        if sis_id:
            self.by_sis[sis_id] = site_id
        self.by_name.setdefault(" ".join(name.lower().split()), []).append(site_id)

    def find(self, text: str) -> int:
        """The site ``text`` names; ValueError with a reason when none or several match."""
        memo = self._memo.get(text)
        if memo is None:
            try:
                memo = (self._find(text), "")
            except ValueError as exc:
                memo = (0, str(exc))
            self._memo[text] = memo  # a file names a handful of sites a hundred thousand times
        if memo[1]:
            raise ValueError(memo[1])
        return memo[0]

    def _find(self, text: str) -> int:
        key = text.strip()
        found = self.by_code.get(key.upper()) or self.by_sis.get(key)
        if found:
            return found
        named = self.by_name.get(" ".join(key.lower().split()), [])
        if len(named) == 1:
            return named[0]
        if named:
            raise ValueError(f"{len(named)} sites are named {text!r}; use the site code")
        raise ValueError(f"no site has the code, name or SIS id {text!r}")


def batches(rows: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def insert_rows(model, names: tuple[str, ...], rows: list[tuple], options: ImportOptions, phase: str) -> None:
    """INSERT many rows with executemany on the model's connection (inside the caller's transaction).

    Peewee's insert_many renders every value into SQL text in Python; executemany
    (SQLite) and COPY (PostgreSQL) let the driver carry them, which is what keeps
    a 100,000-row import within a few times a bare CSV-to-SQLite load.
    """
    if not rows:
        return
    db = model._meta.database
    columns = ", ".join(f'"{model._meta.fields[n].column_name}"' for n in names)  # SQL-standard quoting: both databases
    table = f'"{model._meta.table_name}"'
    cursor = db.cursor()
    done = 0
    if is_postgres():
        # COPY is PostgreSQL's bulk path: several times faster than even a pipelined executemany.
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for chunk in batches(rows):
                for row in chunk:
                    copy.write_row(row)
                done += len(chunk)
                options.tick(phase, done, len(rows))
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(names))})"
    # The event table carries seven indexes; SQLite's default 2 MB page cache keeps re-reading them.
    previous = db.execute_sql("PRAGMA cache_size").fetchone()[0]
    db.execute_sql(f"PRAGMA cache_size = {min(int(previous), -SQLITE_IMPORT_CACHE_KIB)}")
    try:
        rebuilt = _set_aside_indexes(db, model._meta.table_name, len(rows))
        for chunk in batches(rows):
            cursor.executemany(sql, chunk)
            done += len(chunk)
            options.tick(phase, done, len(rows))
        for create in rebuilt:
            db.execute_sql(create)
    finally:
        db.execute_sql(f"PRAGMA cache_size = {int(previous)}")


def _set_aside_indexes(db, table: str, adding: int) -> list[str]:
    """Drop ``table``'s plain indexes when it gains at least as many rows as it holds; return what rebuilds them.

    Building an index over a table once, sorted, costs a fraction of keeping it up to date row by row: for the
    first 100,000 devices, the model, site and status indexes cost 0.2 s kept up to date and 0.06 s rebuilt.
    Unique indexes stay, since they are what refuses a duplicate as it is inserted. The drop and the rebuild
    are in the caller's transaction (SQLite's schema changes are transactional): a failed import rolls both
    back, and readers never see the table without them.
    """
    (top,) = db.execute_sql(f'SELECT max("id") FROM "{table}"').fetchone()
    if adding < (top or 0) * REBUILD_SHARE or adding < REBUILD_AT_LEAST:
        return []
    plain = db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
        "AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
        (table,),
    ).fetchall()
    for name, _ in plain:
        db.execute_sql(f'DROP INDEX "{name}"')
    return [create for _, create in plain]


REBUILD_SHARE = 1
"""An import that adds at least as many rows as a table holds rebuilds its plain indexes instead of updating them."""
REBUILD_AT_LEAST = 10_000
"""Below this many rows, updating indexes row by row costs too little to be worth a schema change."""


class EventWriter:
    """Event rows chained by ``BulkChain`` and written together; the last one summarises the import."""

    def __init__(self, options: ImportOptions):
        self.options = options
        self.chain = BulkChain.open(options.station)
        self.operator = options.actor.badge if options.actor else None
        self.at = utcnow()  # one transaction, one moment: every event of the import carries it
        self.rows: list[tuple] = []

    def add(self, kind: str, **fields) -> str:
        row = self.chain.row(kind, self.at, operator=self.operator, **fields)
        self.rows.append(tuple(row[name] for name in EVENT_FIELDS))
        return row["uuid"]

    def finish(self, report: ImportReport) -> str:
        """Write the summary event and every buffered event; return the summary's uuid."""
        uuid = self.add("import", details=report.summary())
        insert_rows(Event, EVENT_FIELDS, self.rows, self.options, "writing events")
        self.chain.close()
        return uuid


def fetch_in(model, fields: tuple[str, ...], key: str, keys: Iterable[str], *, lock: bool = False) -> list[tuple]:
    """Rows (as tuples of ``fields``) whose ``key`` is one of ``keys``, read in chunks of plain SQL.

    Peewee builds an IN list value by value in Python; for 100,000 keys that
    costs more than the queries. Dates come back as dates on both databases.
    ``lock`` adds FOR UPDATE on PostgreSQL (SQLite's write transaction locks the file).
    """
    db = model._meta.database
    meta = model._meta.fields
    columns = ", ".join(f'"{meta[f].column_name}"' for f in fields)
    dates = [i for i, f in enumerate(fields) if isinstance(meta[f], DateField)]
    pg = is_postgres()
    table = f'"{model._meta.table_name}"'
    top = 0
    if not pg:
        # max(id) is one step down the primary key. An empty table (a first import) needs no set of keys.
        (top,) = db.execute_sql(f'SELECT max("id") FROM {table}').fetchone()
        if top is None:
            return []
    wanted = {k for k in keys if k}
    if not wanted:
        return []
    head = f'SELECT {columns} FROM {table} WHERE "{meta[key].column_name}" '
    if not pg and key in fields and len(wanted) * SCAN_SHARE >= top:
        # When the keys name a good part of the table (a full re-import), one pass over the table costs less
        # than hundreds of IN lists.
        at = fields.index(key)
        found = db.execute_sql(f"SELECT {columns} FROM {table}").fetchall()
        return _dates([v for v in found if v[at] in wanted], dates)
    out: list[tuple] = []
    for chunk in batches(sorted(wanted), 5000 if pg else 900):
        if pg:
            # One array parameter, not 5,000: PostgreSQL plans it as a constant and hashes it, where
            # an IN list of parameters is compared one by one on every row of a sequential scan.
            sql, params = head + "= ANY(%s)", (chunk,)
            if lock:  # lock by id first: FOR UPDATE on the wide select was a hundred times slower (PG 15)
                where = f'WHERE "{meta[key].column_name}" = ANY(%s) FOR UPDATE'
                db.execute_sql(f'SELECT "id" FROM "{model._meta.table_name}" {where}', params).fetchall()
        else:
            sql, params = head + f"IN ({', '.join('?' * len(chunk))})", chunk
        out.extend(db.execute_sql(sql, params).fetchall())
    return _dates(out, dates)


SCAN_SHARE = 4
"""``fetch_in`` reads the whole table (SQLite) when the keys number at least a quarter of its rows."""


def _dates(rows: list[tuple], dates: list[int]) -> list[tuple]:
    """The rows with the date columns at ``dates`` as dates (SQLite stores them as ISO text)."""
    if not dates or not rows:
        return rows
    out = []
    for values in rows:
        values = list(values)
        for i in dates:
            if isinstance(values[i], str):
                values[i] = dt.date.fromisoformat(values[i][:10])
        out.append(tuple(values))
    return out


ANALYZE_AFTER = 1000
"""Rows an import must add before PostgreSQL's planner statistics are refreshed."""


def refresh_statistics(report: ImportReport, *models_) -> None:
    """ANALYZE the tables a large import filled (PostgreSQL, after the commit).

    Until autovacuum gets to it, the planner knows nothing of the new rows; a
    second import right after the first then took minutes instead of seconds.
    """
    if report.dry_run or report.event is None or not is_postgres() or report.count("create") < ANALYZE_AFTER:
        return
    db = models_[0]._meta.database
    db.execute_sql("ANALYZE " + ", ".join(f'"{m._meta.table_name}"' for m in models_))


def chunked_in(query_for: Callable[[list], Iterable], keys: Iterable[str], size: int = 900) -> list:
    """Run ``query_for(chunk)`` over the keys in chunks (IN lists stay under SQLite's variable limit)."""
    keys = sorted({k for k in keys if k})
    out: list = []
    for start in range(0, len(keys), size):
        out.extend(query_for(keys[start : start + size]))
    return out
