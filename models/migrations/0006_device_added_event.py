"""Imports that write one event per thousand devices, and no index entries for devices nobody holds.

Imported devices name the ``devices.added`` event that brought them in: one
event per thousand devices keeps a 100,000-row import from writing (and
hashing) 100,000 events, and a device's history still starts at its import.
The holder index only ever answers "what does this person hold", so devices
on the shelf (every device an import adds) no longer get an entry in it.
"""
# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('device', 'added_event', CharField(null=True)),
        migrator.drop_index('device', 'device_holder_id'),
        migrator.add_index('device', ('holder_id',), name='device_holder_id', where=SQL('holder_id IS NOT NULL')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('device', 'device_holder_id'),
        migrator.add_index('device', ('holder_id',), name='device_holder_id'),
        migrator.drop_column('device', 'added_event'),
    )
