"""Physical audits: an audit of one site and what was scanned (or expected and not found) in it."""
# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    class Site(Model):
        class Meta:
            database = db
            table_name = 'site'

    class Device(Model):
        class Meta:
            database = db
            table_name = 'device'

    class Audit(Model):
        site = ForeignKeyField(Site, on_delete='RESTRICT')
        status = CharField(index=True, default='open')
        started_at = DateTimeField()
        started_by = CharField()
        station = CharField(default='')
        finished_at = DateTimeField(index=True, null=True)
        finished_by = CharField(null=True)
        expected = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'audit'
    db.create_tables([Audit])
    # The database itself refuses a second open audit of one site: stations scanning one room join one audit.
    migrator.migrate(
        migrator.add_index('audit', ('site_id',), unique=True,
                           name='audit_one_open_per_site',
                           where=SQL("status = 'open'")))

    class AuditScan(Model):
        audit = ForeignKeyField(Audit, on_delete='CASCADE')
        code = CharField()
        device = ForeignKeyField(Device, null=True, on_delete='RESTRICT')
        result = CharField(index=True)
        recorded_site = CharField(null=True)
        recorded_status = CharField(null=True)
        holder = CharField(null=True)
        case_number = IntegerField(null=True)
        case_note = TextField(default='')
        scanned_at = DateTimeField(null=True)
        scanned_by = CharField(null=True)
        idem_key = CharField(unique=True, null=True)
        resolution = CharField(null=True)
        resolved_at = DateTimeField(null=True)
        resolved_by = CharField(null=True)
        resolved_event = CharField(null=True)
        class Meta:
            database = db
            table_name = 'audit_scan'
            indexes = ((('audit', 'code'), True),)
    db.create_tables([AuditScan])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('audit_scan'))
    migrator.migrate(migrator.drop_table('audit'))
