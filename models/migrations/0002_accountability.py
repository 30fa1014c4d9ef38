"""Accountability: repair tickets with a life cycle and costs, loaners linked to the ticket they cover."""
# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    class Person(Model):
        class Meta:
            database = db
            table_name = 'person'

    class Ticket(Model):
        class Meta:
            database = db
            table_name = 'ticket'

    migrator.migrate(
        migrator.add_column('ticket', 'person_id',
                            ForeignKeyField(Person, null=True, field=Person.id, on_delete='RESTRICT')),
        migrator.add_column('ticket', 'opened_by', CharField(default='')),
        migrator.add_column('ticket', 'parts_cents', IntegerField(default=0)),
        migrator.add_column('ticket', 'labour_cents', IntegerField(default=0)),
        migrator.add_column('ticket', 'vendor', CharField(default='')),
        migrator.add_column('ticket', 'notes', TextField(default='')),
        migrator.add_column('ticket', 'updated_at', DateTimeField(null=True)),
        migrator.add_column('loan', 'loaner', BooleanField(default=False)),
        migrator.add_column('loan', 'ticket_id',
                            ForeignKeyField(Ticket, null=True, field=Ticket.id, on_delete='RESTRICT')),
        # The database itself refuses a second unresolved ticket for one device.
        migrator.add_index('ticket', ('device_id',), unique=True,
                           name='ticket_one_open_per_device',
                           where=SQL('resolved_at IS NULL')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('ticket', 'ticket_one_open_per_device'),
        migrator.drop_column('loan', 'ticket_id'),
        migrator.drop_column('loan', 'loaner'),
        migrator.drop_column('ticket', 'updated_at'),
        migrator.drop_column('ticket', 'notes'),
        migrator.drop_column('ticket', 'vendor'),
        migrator.drop_column('ticket', 'labour_cents'),
        migrator.drop_column('ticket', 'parts_cents'),
        migrator.drop_column('ticket', 'opened_by'),
        migrator.drop_column('ticket', 'person_id'),
    )
