"""The idempotency-key index holds only events that have a key.

Imported history and bulk loads carry no key, so the index held them all under
NULL; its statistics then said a key matches millions of events, and a planner
asked for an operator together with the event a retried scan already wrote
walked the whole ledger. Uniqueness is unchanged: it never applied to NULL.
"""
# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index('event', 'event_idem_key'),
        migrator.add_index('event', ('idem_key',), unique=True, name='event_idem_key',
                           where=SQL('idem_key IS NOT NULL')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('event', 'event_idem_key'),
        migrator.add_index('event', ('idem_key',), unique=True, name='event_idem_key'),
    )
