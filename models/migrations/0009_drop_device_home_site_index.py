"""Devices are no longer indexed by home site.

Nothing looks devices up by their home site: cards and reports reach the home
site from the device. The index only served the check that a site being
deleted has no devices, and kiosk never deletes a site. Every imported or
added device paid for it, one index entry in seven.
"""
# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.drop_index('device', 'device_home_site_id'))


def down(migrator, db):
    migrator.migrate(migrator.add_index('device', ('home_site_id',), name='device_home_site_id'))
