"""Imported devices name the ``devices.added`` event that brought them in: one event per thousand devices
keeps a 100,000-row import from writing (and hashing) 100,000 events, and a device's history still starts
at its import."""

# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("device", "added_event", CharField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("device", "added_event"))
