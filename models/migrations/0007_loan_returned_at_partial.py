"""The loan_returned_at index holds ended loans only.

With every open loan in it under NULL, the planner read "returned_at IS NULL"
as one row (the statistics average over the distinct end times) and, asked
whether one student holds a loaner, walked every open loan of the district
through it. The balance report that the index is for asks for loans that
ended in a range, which are never NULL.
"""
# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index('loan', 'loan_returned_at'),
        migrator.add_index('loan', ('returned_at',), name='loan_returned_at', where=SQL('returned_at IS NOT NULL')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('loan', 'loan_returned_at'),
        migrator.add_index('loan', ('returned_at',), name='loan_returned_at'),
    )
