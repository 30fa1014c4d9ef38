"""A device's history is read from one index (SQLite).

A device card shows the device's last eight events. Through the asset-tag index
each of them was a row of the event table on a page of its own: in a ledger of
ten million events, eight pages nobody had read for months, about 200 µs at the
first scan of a device against 10 µs once the index holds the columns a history
line shows, in event order within each tag. It answers every question the
asset-tag index answered, which it replaces; a new event still goes into one
asset-tag index, only a wider one.

PostgreSQL keeps its asset-tag index: it refuses an index entry over about
2.7 kB, which a long note in an event's details could reach, and its server
keeps the pages it reads in its own cache.
"""
# ruff: noqa: F403, F405
from peewee import *

COLUMNS = ('asset_tag', 'id', 'at', 'kind', 'person', 'from_site', 'to_site', 'details')


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return
    migrator.migrate(
        migrator.add_index('event', COLUMNS, name='event_history', where=SQL('asset_tag IS NOT NULL')),
        migrator.drop_index('event', 'event_asset_tag'),
    )


def down(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return
    migrator.migrate(
        migrator.add_index('event', ('asset_tag',), name='event_asset_tag'),
        migrator.drop_index('event', 'event_history'),
    )
