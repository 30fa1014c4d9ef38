"""A physical audit of a room at the station, from the scanner alone."""

from __future__ import annotations

from kiosk.services import audits, inventory
from kiosk.services.check import check
from tests.functional import test_station_support as support
from tests.functional.test_station_support import banner_text, make_app, scan, sign_in

station, station_config = support.station, support.station_config  # the shared fixtures, by name


def audit_card(screen) -> str:
    card = screen.query_one("#audit")
    return "\n".join(card.query_one(part).render().plain for part in (".audit-head", ".audit-counts", ".audit-recent"))


def counted(screen) -> str:
    return screen.query_one("#audit").query_one(".audit-count").text


async def test_a_full_audit_of_a_room(station, station_config):
    inventory.add_site("R101", "Room 101", "room", parent="HS")
    for n in (1, 2, 3):
        inventory.add_device(f"RM{n}", f"RMSER{n}", "HP Chromebook 11 G9 EE", "R101", station=station_config.station)
    app = make_app(station_config)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "TE1")
        screen = await scan(pilot, "$AUDIT")
        assert screen.query_one("#audit").display and not screen.query_one("#student").display
        assert "Scan the LOC- card of the site to audit" in banner_text(screen)
        screen = await scan(pilot, "LOC-R101")
        assert "Audit of Room 101 started: 3 devices expected." in banner_text(screen)
        body = audit_card(screen)
        assert "Room 101" in body and "Missing               3 of 3" in body
        screen = await scan(pilot, "RM1", "RM2", "RM1")
        assert "RM1 was already counted" in banner_text(screen)
        assert "Verified              2" in audit_card(screen) and counted(screen) == "2"
        screen = await scan(pilot, "CB1")
        assert screen.last_outcome.level == "warn" and screen.query_one("#banner").has_class("-warn")
        assert "Misplaced: CB1 (recorded available at STORE)" in banner_text(screen)
        screen = await scan(pilot, "MYSTERY-9")
        assert "Unknown: MYSTERY-9 is not in the inventory" in banner_text(screen)
        body = audit_card(screen)
        for line in ("Verified              2", "Missing               1", "Misplaced             1",
                     "Unknown               1", "MYSTERY-9"):  # fmt: skip
            assert line in body, body
        assert counted(screen) == "4"
        screen = await scan(pilot, "$DONE")
        assert screen.last_outcome.level == "done"
        assert banner_text(screen) == "Audit of Room 101 finished: 2 verified, 1 missing, 1 misplaced, 1 unknown."
        assert "finished" in audit_card(screen)
        screen = await scan(pilot, "RM3")
        assert screen.last_outcome.level == "error" and "Scan the LOC- card of the site to audit first." in banner_text(
            screen
        )
    latest = audits.latest_audit("R101")
    assert [line.code for line in latest.category("missing")] == ["RM3"]
    assert check().ok


async def test_escape_asks_before_abandoning_an_audit(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "TE1")
        await scan(pilot, "$AUDIT", "LOC-STORE", "CB1")
        await pilot.press("escape")
        screen = await scan(pilot)
        assert screen.last_outcome.level == "warn" and "Abandon the audit of Central Storage" in banner_text(screen)
        await pilot.press("escape")
        screen = await scan(pilot)
        assert audits.list_audits("STORE")[0].status == "open"
        screen = await scan(pilot, "$CANCEL", "$CONFIRM")
        assert banner_text(screen) == "Audit of Central Storage abandoned; nothing was changed."
    assert audits.list_audits("STORE")[0].status == "abandoned"


async def test_an_operator_is_sent_for_a_technician(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot)
        screen = await scan(pilot, "$AUDIT")
        assert banner_text(screen) == "AUDIT needs a technician; call one over."
        assert not screen.query_one("#audit").display
