"""Prepared queries (models.prepared): the same rows as the peewee query they stand for, SQL built once."""

from __future__ import annotations

import datetime as dt

import pytest
from peewee import JOIN, Value, fn

from kiosk.services import circulation
from models import CatalogItem, Device, Event, Loan, Operator, Person, Site, Station
from models.prepared import Prepared


def test_text_and_number_arguments_bind_to_their_places(district):
    school = Site.get(Site.code == "HS")
    students = Prepared(
        lambda school, role, limit: (
            Person.select(Person.district_id)
            .where((Person.school == school) & (Person.role == role))
            .order_by(Person.district_id)
            .limit(limit)
        )
    )
    expected = (Person.select(Person.district_id).where((Person.school == school) & (Person.role == "student"))
                .order_by(Person.district_id).limit(2).tuples())  # fmt: skip
    assert students.tuples(school.id, "student", 2) == list(expected)
    assert students.tuples(school.id, "nobody", 2) == []
    by_code = Prepared(lambda code: Site.select().where(fn.UPPER(Site.code) == code))
    assert by_code.first("HS").id == school.id and by_code.first("NOPE") is None


def test_arguments_in_another_order_than_the_sql_and_constants_between_them(district):
    """The SQL puts the LIMIT constant and the arguments where it wants them; each call's values land there."""
    after = Prepared(
        lambda limit, role, first: (
            Person.select(Person.district_id)
            .where((Person.role == role) & (Person.district_id > first))
            .order_by(Person.district_id)
            .limit(limit)
        )
    )
    assert after.tuples(2, "student", "S100") == [("S101",), ("S200",)]
    one = Prepared(lambda code: Person.select(Person.district_id).where(Person.district_id == code).limit(1))
    assert one.tuples("S101") == [("S101",)] and one.tuples("S999") == []


def test_the_sql_is_built_once_per_database_kind(district):
    built = []

    def build(tag):
        built.append(tag)
        return Device.select().where(Device.asset_tag == tag)

    query = Prepared(build)
    assert [query.first(tag).asset_tag for tag in ("CB1", "CB2", "CB3")] == ["CB1", "CB2", "CB3"]
    assert len(built) == 1


def test_whole_rows_come_back_as_clean_instances_with_python_values(district):
    circulation.issue(district.technician, "S100", "CB1", config=district.config)
    loan = Prepared(lambda device: Loan.select().where(Loan.device == device)).first(Device.get(asset_tag="CB1").id)
    reference = Loan.get(Loan.id == loan.id)
    assert loan.__data__ == reference.__data__ and not loan.is_dirty()
    assert isinstance(loan.issued_at, dt.datetime) and loan.loaner is False
    person = Prepared(lambda code: Person.select().where(Person.district_id == code)).first("S100")
    assert person.active is True and person.school.code == "HS"  # a lazy foreign key, through its own prepared load


def test_dates_come_back_as_dates_and_none_stays_none(district):
    Device.update(aue_date=dt.date(2029, 6, 30), purchase_date=None).where(Device.asset_tag == "CB1").execute()
    device = Prepared(lambda tag: Device.select().where(Device.asset_tag == tag)).first("CB1")
    assert device.__data__ == Device.get(Device.asset_tag == "CB1").__data__ and not device.is_dirty()
    assert (device.aue_date, device.purchase_date) == (dt.date(2029, 6, 30), None)


def test_a_related_row_read_with_the_row_is_what_the_foreign_key_reads(district):
    by_tag = Prepared(lambda tag: Device.select(Device, CatalogItem).join(CatalogItem).where(Device.asset_tag == tag),
                      related=("item",))  # fmt: skip
    device = by_tag.first("CB1")
    assert device.item is device.item and device.item.name == "HP Chromebook 11 G9 EE"
    device.item_id = Device.get(Device.asset_tag == "HOT1").item_id  # another key forgets the row it held
    assert device.item.name == "Kajeet SmartSpot"


def test_inserts_and_updates_return_the_id_and_the_count(district):
    add = Prepared(lambda name, seq: Station.insert(name=name, last_seq=seq, last_hash=Value("", converter=False)))
    new_id = add.insert("desk-9", 4)
    assert Station.get(Station.id == new_id).last_seq == 4
    bump = Prepared(lambda seq, name: Station.update(last_seq=seq).where(Station.name == name))
    assert bump.execute(5, "desk-9") == 1 and bump.execute(5, "no-such-desk") == 0
    assert Station.get(Station.name == "desk-9").last_seq == 5


def test_an_argument_that_never_reaches_the_sql_is_refused_when_built(district):
    # A flag field turns any stand-in into True: the argument would be lost, so building fails loudly.
    flags = Prepared(lambda active: Person.select().where(Person.active == active))
    with pytest.raises(TypeError, match="never reach the SQL"):
        flags.first(True)
    # Wrapped so the value is bound as it comes, it works.
    assert Prepared(lambda active: Person.select().where(Person.active == Value(active, converter=False))).all(True)


def test_a_dangling_foreign_key_raises_does_not_exist(district):
    device = Device.get(Device.asset_tag == "CB1")
    device.__data__["item"] = 999_999
    device.__rel__.pop("item", None)
    with pytest.raises(Device.item.rel_model.DoesNotExist):
        _ = device.item


def test_related_rows_come_with_the_row_and_an_outer_join_that_found_none_reads_none(district):
    home = Site.alias("home")
    with_sites = Prepared(
        lambda tag: (
            Device.select(Device, Site, home)
            .join(Site, JOIN.LEFT_OUTER, on=(Device.site == Site.id))
            .switch(Device)
            .join(home, JOIN.LEFT_OUTER, on=(Device.home_site == home.id))
            .where(Device.asset_tag == tag)
        ),
        related=("site", "home_site"),
    )
    device = with_sites.first("CB1")
    reference = Device.get(Device.asset_tag == "CB1")
    assert device.__data__ == reference.__data__
    assert "site" in device.__rel__ and device.site.code == reference.site.code
    Device.update(home_site=None).where(Device.id == device.id).execute()
    again = with_sites.first("CB1")
    assert again.home_site is None and "home_site" not in again.__rel__


def test_a_model_beside_comes_back_side_by_side_or_none(district):
    circulation.issue(district.technician, "S100", "CB1", config=district.config, idem_key="key-1")
    both = Prepared(
        lambda badge, key: (
            Operator.select(Operator, Event)
            .join(Event, JOIN.LEFT_OUTER, on=(Event.idem_key == key))
            .where(Operator.badge == badge)
        ),
        beside=(Event,),
    )
    op, event = both.first_each(district.technician.badge, "key-1")
    assert op.badge == district.technician.badge and event.kind == "issued" and event.idem_key == "key-1"
    assert both.first_each(district.technician.badge, "no-such-key")[1] is None
    assert both.first_each(district.technician.badge, None)[1] is None  # no key binds NULL: matches nothing
    assert both.first_each("NO-SUCH-BADGE", "key-1") is None


def test_a_model_beside_must_be_selected_whole(district):
    half = Prepared(
        lambda badge: Operator.select(Operator, Event.kind).join(Event, JOIN.LEFT_OUTER, on=(Event.operator == badge))
        .where(Operator.badge == badge),
        beside=(Event,),
    )  # fmt: skip
    with pytest.raises(TypeError, match="whole"):
        half.first_each("OP1")
