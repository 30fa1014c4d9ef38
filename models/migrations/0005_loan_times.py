"""Loans by when they ended and began: the end-of-day balance counts loans out at a moment without reading them all."""
# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('loan', ('returned_at',), name='loan_returned_at'),
        migrator.add_index('loan', ('issued_at',), name='loan_issued_at'),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('loan', 'loan_returned_at'),
        migrator.drop_index('loan', 'loan_issued_at'),
    )
