"""The bulk reads and writes of an import, in plain SQL on both databases: executemany or COPY, chunked IN
lists or one pass over the table, and SQLite's index rebuild for a first large load."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from peewee import DateField

from kiosk.db import is_postgres

if TYPE_CHECKING:
    from kiosk.services.import_common import ImportOptions

BATCH = 5000
"""Rows per executemany call: big enough to be fast, small enough to report progress."""
SQLITE_IMPORT_CACHE_KIB = 65536
"""SQLite page cache while an import inserts (64 MB; negative cache_size values are KiB)."""

iso_day = functools.lru_cache(maxsize=4096)(dt.date.isoformat)
"""A date as SQLite stores it (ISO text), made once per date (``day and iso_day(day)`` for a date or None): the
driver's own date adapter costs 0.6 microseconds a value, a tenth of a large import's insert."""


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


def chunked_in(query_for: Callable[[list], Iterable], keys: Iterable[str], size: int = 900) -> list:
    """Run ``query_for(chunk)`` over the keys in chunks (IN lists stay under SQLite's variable limit)."""
    keys = sorted({k for k in keys if k})
    out: list = []
    for start in range(0, len(keys), size):
        out.extend(query_for(keys[start : start + size]))
    return out
