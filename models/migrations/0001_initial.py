"""The first schema: a frozen copy of the models as they stood, plus the one-open-loan index."""
# ruff: noqa: F403, F405
from peewee import *


def up(migrator, db):
    class CatalogItem(Model):
        name = CharField(unique=True)
        category = CharField(default='other')
        manufacturer = CharField(default='')
        eligible_grades = TextField(default='')
        eligible_schools = TextField(default='')
        lifespan_years = IntegerField(default=4)
        replacement_cost_cents = IntegerField(default=0)
        damage_fee_cents = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'catalog_item'
    db.create_tables([CatalogItem])

    class CatalogAlias(Model):
        alias = CharField(unique=True)
        item = ForeignKeyField(CatalogItem, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'catalog_alias'
    db.create_tables([CatalogAlias])

    class Site(Model):
        code = CharField(unique=True)
        name = CharField()
        kind = CharField(default='school')
        parent = ForeignKeyField('self', null=True, on_delete='RESTRICT')
        sis_id = CharField(index=True, null=True)
        class Meta:
            database = db
            table_name = 'site'
    db.create_tables([Site])

    class Person(Model):
        district_id = CharField(unique=True)
        first_name = CharField()
        last_name = CharField()
        role = CharField(default='student')
        grade = CharField(null=True)
        school = ForeignKeyField(Site, null=True, on_delete='RESTRICT')
        homeroom = CharField(null=True)
        iep = BooleanField(default=False)
        sec504 = BooleanField(default=False)
        ell = BooleanField(default=False)
        active = BooleanField(default=True)
        case_number = IntegerField(unique=True, null=True)
        sis_id = CharField(index=True, null=True)
        class Meta:
            database = db
            table_name = 'person'
    db.create_tables([Person])

    class Device(Model):
        asset_tag = CharField(unique=True)
        serial = CharField(unique=True)
        item = ForeignKeyField(CatalogItem, on_delete='RESTRICT')
        status = CharField(index=True, default='available')
        home_site = ForeignKeyField(Site, null=True, on_delete='RESTRICT')
        site = ForeignKeyField(Site, null=True, on_delete='RESTRICT')
        holder = ForeignKeyField(Person, null=True, on_delete='RESTRICT')
        funding_source = CharField(default='')
        po_number = CharField(default='')
        purchase_date = DateField(null=True)
        purchase_cost_cents = IntegerField(null=True)
        warranty_end = DateField(null=True)
        aue_date = DateField(null=True)
        class Meta:
            database = db
            table_name = 'device'
    db.create_tables([Device])

    class Event(Model):
        id = BigAutoField()
        uuid = CharField(unique=True)
        station = CharField()
        seq = IntegerField()
        at = DateTimeField(index=True)
        operator = CharField(null=True)
        kind = CharField(index=True)
        asset_tag = CharField(index=True, null=True)
        person = CharField(index=True, null=True)
        from_site = CharField(null=True)
        to_site = CharField(null=True)
        details = TextField(default='{}')
        idem_key = CharField(unique=True, null=True)
        prev_hash = CharField()
        hash = CharField()
        class Meta:
            database = db
            table_name = 'event'
            indexes = ((('station', 'seq'), True),)
    db.create_tables([Event])

    class Fee(Model):
        person = ForeignKeyField(Person, on_delete='RESTRICT')
        device = ForeignKeyField(Device, null=True, on_delete='RESTRICT')
        kind = CharField(default='damage')
        amount_cents = IntegerField(default=0)
        paid_cents = IntegerField(default=0)
        status = CharField(default='owed')
        school_year = IntegerField(null=True)
        reason = TextField(default='')
        created_event = CharField(default='')
        settled_event = CharField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'fee'
    db.create_tables([Fee])

    class Loan(Model):
        device = ForeignKeyField(Device, on_delete='RESTRICT')
        person = ForeignKeyField(Person, on_delete='RESTRICT')
        issued_at = DateTimeField()
        issued_by = CharField()
        issued_station = CharField(default='')
        condition_out = CharField(default='good')
        returned_at = DateTimeField(null=True)
        returned_by = CharField(null=True)
        condition_in = CharField(null=True)
        class Meta:
            database = db
            table_name = 'loan'
    db.create_tables([Loan])
    # The database itself refuses a second open loan for one device.
    migrator.migrate(
        migrator.add_index('loan', ('device_id',), unique=True,
                           name='loan_one_open_per_device',
                           where=SQL('returned_at IS NULL')))

    class Operator(Model):
        badge = CharField(unique=True)
        name = CharField()
        role = CharField(default='operator')
        pin_hash = CharField()
        failed_attempts = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'operator'
    db.create_tables([Operator])

    class Station(Model):
        name = CharField(unique=True)
        site = ForeignKeyField(Site, null=True, on_delete='RESTRICT')
        last_seq = IntegerField(default=0)
        last_hash = CharField(default='')
        class Meta:
            database = db
            table_name = 'station'
    db.create_tables([Station])

    class Ticket(Model):
        device = ForeignKeyField(Device, on_delete='RESTRICT')
        status = CharField(default='open')
        problem = TextField(default='')
        opened_at = DateTimeField()
        opened_event = CharField(default='')
        resolved_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'ticket'
    db.create_tables([Ticket])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('ticket'))
    migrator.migrate(migrator.drop_table('station'))
    migrator.migrate(migrator.drop_table('operator'))
    migrator.migrate(migrator.drop_table('loan'))
    migrator.migrate(migrator.drop_table('fee'))
    migrator.migrate(migrator.drop_table('event'))
    migrator.migrate(migrator.drop_table('device'))
    migrator.migrate(migrator.drop_table('person'))
    migrator.migrate(migrator.drop_table('site'))
    migrator.migrate(migrator.drop_table('catalog_alias'))
    migrator.migrate(migrator.drop_table('catalog_item'))
