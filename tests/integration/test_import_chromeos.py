"""Google Admin console and GAM device lists: AUE dates, org units to sites, deprovisioned devices."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.errors import BadInput
from kiosk.services import imports
from kiosk.services.import_common import ImportRefused
from models import Event
from tests.integration.import_support import (
    DATA,
    assert_clean,
    device,
    keys,
    ledger_checked,  # noqa: F401  (a fixture)
    options,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("ledger_checked")

GAM = DATA / "chromeos" / "gam_print_cros.csv"
CONSOLE = DATA / "chromeos" / "admin_console.csv"
OU_MAP = DATA / "chromeos" / "ou_map.csv"


def test_gam_print_cros_updates_aue_dates_sites_and_status(district):
    report = imports.import_chromeos(GAM, options=options())
    assert keys(report, "create") == ["NEWC1"]
    assert keys(report, "update") == ["CB1", "CB2", "CB3", "CB4"]
    # autoUpdateThrough is preferred to autoUpdateExpiration when both are present.
    assert device("CB1").aue_date == dt.date(2029, 6, 30)
    # CB3 has no annotatedAssetId: found by its serial; its AUE is in epoch milliseconds.
    assert device("CB3").aue_date == dt.datetime.fromtimestamp(1877558400, tz=dt.UTC).date()
    # "/Students/Central High School" -> the site named "Central High School" (its last component).
    assert device("CB1").site.code == "HS" and device("NEWC1").site.code == "HS"
    assert device("NEWC1").item.name == "HP Chromebook 11 G9 EE"
    # DEPROVISIONED retires; DISABLED changes nothing.
    assert (device("CB4").status, device("CB3").status) == ("retired", "available")
    # "/Storage" and "/Retired" match no site: existing devices keep theirs, and the report says so.
    assert device("CB2").site.code == "STORE"
    assert any("'/Storage' matches no site" in n for n in report.notes)
    assert Event.select().where(Event.kind == "device.moved").count() == 1
    assert_clean()


def test_an_ou_map_places_units_by_longest_prefix(district):
    imports.import_chromeos(GAM, options=options(), ou_map_path=OU_MAP)
    report = imports.import_chromeos(CONSOLE, options=options(skip_bad_rows=True), ou_map_path=OU_MAP)
    assert device("CB5").site.code == "ES"  # /Students/Oak -> ES
    assert device("CB5").aue_date == dt.date(2029, 6, 30)  # "Jun 2029"
    assert [r.reason for r in report.rejected] == [
        "a new device needs an asset tag (the file gives none)"
    ]  # 5CDC0009 has no Asset ID
    assert_clean()


def test_an_ou_map_naming_no_site_is_an_error_for_that_row(district, tmp_path):
    bad_map = tmp_path / "ou.csv"
    bad_map.write_text("/Students/Central High School,NOWHERE\n/Storage,STORE\n")
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        imports.import_chromeos(GAM, options=options(), ou_map_path=bad_map)
    assert "no site has the code, name or SIS id 'NOWHERE'" in refused.value.report.rejected[0].reason
    assert snapshot() == before


def test_a_one_column_ou_map_is_refused(district, tmp_path):
    bad_map = tmp_path / "ou.csv"
    bad_map.write_text("/Storage\n")
    with pytest.raises(BadInput, match="two columns"):
        imports.import_chromeos(GAM, options=options(), ou_map_path=bad_map)


def test_reimporting_a_google_list_changes_nothing(district):
    imports.import_chromeos(GAM, options=options(), ou_map_path=OU_MAP)
    before = snapshot()
    again = imports.import_chromeos(GAM, options=options(), ou_map_path=OU_MAP)
    assert not again.changed and snapshot() == before
    assert_clean()


def test_devices_command_recognises_a_google_export(district):
    report = imports.import_devices([GAM], options=options(dry_run=True))
    assert keys(report, "create") == ["NEWC1"]
