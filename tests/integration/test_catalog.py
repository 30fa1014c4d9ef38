"""The catalog: listing, near-duplicate clusters with a score, merging, aliases, and who may change it."""

from __future__ import annotations

import json

import pytest

from kiosk.errors import BadInput, DomainError, PermissionDenied, UnknownCode
from kiosk.services import catalog, imports, inventory
from models import CatalogAlias, CatalogItem, Event
from tests.integration.import_support import (
    DATA,
    STATION,
    assert_clean,
    device,
    ledger_checked,  # noqa: F401  (a fixture)
    options,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")


@pytest.fixture
def messy(district):
    """The test district plus the spellings a legacy inventory leaves behind."""
    inventory.add_catalog_item("HP CB 11 G9", "chromebook")
    inventory.add_catalog_item("Hp Chromebook 11 G9 EE (2021)", "chromebook")
    inventory.add_catalog_item("HP Chromebook 11 G8 EE", "chromebook")
    inventory.add_catalog_item("Apple iPad (9th generation)", "tablet")
    inventory.add_device("OLD1", "SN-OLD1", "HP CB 11 G9", "STORE", station=STATION)
    return district


def test_list_shows_aliases_and_device_counts(district):
    imports.import_devices([DATA / "devices" / "inventory_legacy.csv"], options=options())
    entries = {e.name: e for e in catalog.list_items()}
    hp = entries["HP Chromebook 11 G9 EE"]
    assert hp.devices == 7 and hp.category == "chromebook"
    assert hp.aliases == ("chromebook 11 g9 ee", "hp chrome book 11 g9 ee")
    assert json.dumps(hp.as_json())


def test_duplicates_cluster_near_identical_names_but_not_other_generations(messy):
    clusters = catalog.duplicates()
    names = [[i.name for i in c.items] for c in clusters]
    assert ["HP CB 11 G9", "HP Chromebook 11 G9 EE", "Hp Chromebook 11 G9 EE (2021)"] not in names  # 2021 is a number
    assert ["Apple iPad (9th generation)", "Apple iPad 9th gen"] in names
    assert ["HP CB 11 G9", "HP Chromebook 11 G9 EE"] in names
    assert all("HP Chromebook 11 G8 EE" not in n for n in names)  # G8 vs G9: another model
    hp = next(c for c in clusters if "HP CB 11 G9" in [i.name for i in c.items])
    assert 0.75 <= hp.score < 1 and hp.suggested == "HP Chromebook 11 G9 EE"  # the one with the devices
    assert hp.as_json()["pairs"][0][2] == round(hp.score, 3)
    # Spellings equal but for punctuation and "9th generation"/"9th gen" score 1.0.
    strict = catalog.duplicates(threshold=0.99)
    assert [[i.name for i in c.items] for c in strict] == [["Apple iPad (9th generation)", "Apple iPad 9th gen"]]


def test_merge_moves_devices_and_aliases_and_keeps_the_old_name(messy):
    catalog.add_alias("HP CB11", "HP CB 11 G9", station=STATION)
    result = catalog.merge("HP CB 11 G9", "HP Chromebook 11 G9 EE", station=STATION)
    assert (result.devices, result.aliases) == (1, 1)
    assert device("OLD1").item.name == "HP Chromebook 11 G9 EE"
    assert not CatalogItem.select().where(CatalogItem.name == "HP CB 11 G9").exists()
    assert {a.alias for a in CatalogAlias.select()} >= {"hp cb 11 g9", "hp cb11"}
    assert catalog.find_item("hp cb 11 g9").name == "HP Chromebook 11 G9 EE"
    event = Event.get(Event.kind == "catalog.merged")
    assert json.loads(event.details) == {"from": "HP CB 11 G9", "into": "HP Chromebook 11 G9 EE", "devices": 1,
                                         "aliases": 1}  # fmt: skip
    assert_clean()
    with pytest.raises(BadInput, match="already one catalog item"):
        catalog.merge("hp cb 11 g9", "HP Chromebook 11 G9 EE", station=STATION)
    with pytest.raises(UnknownCode, match="No catalog item is named or spelled 'Nope'"):
        catalog.merge("Nope", "HP Chromebook 11 G9 EE", station=STATION)


def test_alias_is_used_by_later_imports(district, tmp_path):
    result = catalog.add_alias("Hewlett Packard G9 Education", "HP Chromebook 11 G9 EE", station=STATION)
    assert result.created and result.alias == "hewlett packard g9 education"
    assert not catalog.add_alias("HEWLETT  PACKARD G9 EDUCATION", "HP Chromebook 11 G9 EE", station=STATION).created
    path = tmp_path / "inv.csv"
    path.write_text("Tag,Serial,Model,Site\nAL1,SN-AL1,hewlett-packard g9 education,STORE\n")
    imports.import_devices([path], options=options())
    assert device("AL1").item.name == "HP Chromebook 11 G9 EE"


def test_an_alias_that_already_means_another_item_is_refused(messy):
    with pytest.raises(DomainError, match="already means 'HP CB 11 G9'"):
        catalog.add_alias("hp  cb 11 g9", "HP Chromebook 11 G9 EE", station=STATION)
    with pytest.raises(BadInput):
        catalog.add_alias("   ", "HP Chromebook 11 G9 EE", station=STATION)


def test_only_admins_change_the_catalog(messy):
    with pytest.raises(PermissionDenied, match="admin"):
        catalog.merge("HP CB 11 G9", "HP Chromebook 11 G9 EE", station=STATION, actor=messy.technician)
    with pytest.raises(PermissionDenied):
        catalog.add_alias("x1", "HP Chromebook 11 G9 EE", station=STATION, actor=messy.operator)
    assert CatalogItem.select().where(CatalogItem.name == "HP CB 11 G9").exists()
    catalog.merge("HP CB 11 G9", "HP Chromebook 11 G9 EE", station=STATION, actor=messy.admin)
    assert Event.get(Event.kind == "catalog.merged").operator == "AD1"
