"""Open loans and open tickets, by person: two small partial indexes.

Before every issue the station asks whether the student holds a loaner or has
a device in repair. Through the person indexes that read every loan the student
ever had, and a ticket table whose person is mostly empty (tickets a technician
opens name nobody) was scanned whole once its statistics said so. The partial
indexes hold only what is open, so both questions read a row or two.
"""
# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('loan', ('person_id',), name='loan_open_by_person', where=SQL('returned_at IS NULL')),
        migrator.add_index('ticket', ('person_id',), name='ticket_open_by_person', where=SQL('resolved_at IS NULL')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('loan', 'loan_open_by_person'),
        migrator.drop_index('ticket', 'ticket_open_by_person'),
    )
