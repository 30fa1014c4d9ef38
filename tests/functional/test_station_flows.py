"""Every scan flow through the station: issue, return, transfer, lookup, storage cases, refusals, failures."""

from __future__ import annotations

from kiosk.services import cases
from kiosk.services.lookup import lookup
from screens.banner import Armed, OutcomeBanner
from screens.station import StationScreen
from tests.functional import test_station_support as support
from tests.functional.test_station_support import banner_text, make_app, scan, shown_rows, sign_in

station, station_config = support.station, support.station_config  # the shared fixtures, by name


def device(code: str, config):
    return lookup(code, config=config).device


def level(screen: StationScreen) -> str:
    return screen.last_outcome.level


def visible_cards(screen: StationScreen) -> set[str]:
    return {
        card for card in ("student", "transfer", "device", "location", "case") if screen.query_one(f"#{card}").display
    }


def card_text(screen: StationScreen, card: str) -> str:
    return screen.query_one(f"#{card}").query_one(".card-body").render().plain


async def test_issue_shows_the_student_then_issues_in_green(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await scan(pilot, "S100")
        assert "Ana Lopez: scan the device to issue." in banner_text(screen)
        student = card_text(screen, "student")
        for fact in (
            "Ana Lopez",
            "Grade    10",
            "Central High School · H-101",
            "IEP",
            "$0.00",
            "1 free left",
            "0 devices",
        ):
            assert fact in student
        screen = await scan(pilot, "CB1")
        assert level(screen) == "done" and screen.query_one("#banner").has_class("-done")
        assert "Issued CB1 to Ana Lopez" in banner_text(screen)
        assert "CB1  ISSUED" in card_text(screen, "device")
        assert "Ana Lopez (S100)" in card_text(screen, "device")
        assert "issued to S100" in card_text(screen, "device")
        assert "CB1  HP Chromebook 11 G9 EE" in card_text(screen, "student")
        assert screen.last_outcome.event_id
    assert device("CB1", station_config).holder == "S100"


async def test_ineligible_model_warns_in_yellow_and_confirm_issues(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await scan(pilot, "S200", "CB1")
        assert level(screen) == "warn" and screen.query_one("#banner").has_class("-warn"), banner_text(screen)
        assert "not meant for grade 03" in banner_text(screen)
        assert "F9 or $CONFIRM" in banner_text(screen)
        assert device("CB1", station_config).status == "available"
        await pilot.press("f9")
        screen = await scan(pilot)
        assert level(screen) == "done"
        assert "Issued CB1 to Cara Nguyen" in banner_text(screen)
    assert device("CB1", station_config).holder == "S200"


async def test_ineligible_model_cancelled_records_nothing(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, "S200", "CB1")
        # A scan while the warning waits goes to the warning: it is refused, not applied.
        screen = await scan(pilot, "S100")
        assert level(screen) == "error" and "A warning is waiting" in banner_text(screen)
        await pilot.press("escape")
        screen = await scan(pilot)
        assert screen.last_outcome.event == "cancelled"
        assert "nothing was recorded" in banner_text(screen)
    assert device("CB1", station_config).status == "available"
    assert device("CB1", station_config).holder is None


async def test_return_good_and_damaged_with_the_armed_condition_shown(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, "S100", "CB1", "S101", "CB2")
        await pilot.press("f3")
        screen = await scan(pilot)
        assert screen.query_one("#mode-title").text == "RETURN"
        assert screen.query_one(OutcomeBanner).armed == Armed("NEXT RETURN IS", "GOOD", alert=False)
        assert "NEXT RETURN IS" in shown_rows(screen)  # drawn under the sentence at 80 columns
        screen = await scan(pilot, "CB1")
        assert level(screen) == "done" and "Returned CB1 from Ana Lopez." in banner_text(screen)
        screen = await scan(pilot, "$DAMAGED")
        assert screen.query_one(OutcomeBanner).armed == Armed("NEXT RETURN IS", "DAMAGED", alert=True)
        screen = await scan(pilot, "CB2")
        assert "Returned CB2 from Ben Okafor as DAMAGED." in banner_text(screen)
        # The condition applies to one device; the strip says so.
        assert screen.query_one(OutcomeBanner).armed.value == "GOOD"
        assert "Returned 2" in screen.query_one("#tally").render().plain
    assert device("CB1", station_config).status == "available"
    assert device("CB2", station_config).status == "in_repair"  # a damaged return opens a repair ticket


async def test_technician_transfers_devices_to_a_location(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "TE1")
        screen = await scan(pilot, "$TRANSFER", "LOC-HS")
        assert visible_cards(screen) == {"transfer", "device"}
        assert "Central High School" in card_text(screen, "transfer")
        screen = await scan(pilot, "CB2", "CB3")
        transfer = card_text(screen, "transfer")
        assert "Moved so far: 2" in transfer and "CB2" in transfer and "CB3" in transfer
        assert "CB3 moved to Central High School (2 so far)." in banner_text(screen)
        screen = await scan(pilot, "$DONE")
        assert level(screen) == "done"
        assert "Transfer to Central High School finished: 2 devices." in banner_text(screen)
        assert "Moved 2" in screen.query_one("#tally").render().plain
    assert device("CB2", station_config).site == "HS"
    assert device("CB3", station_config).site == "HS"


async def test_an_operator_may_not_open_transfer(station, station_config):
    app = make_app(station_config)
    bells = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.bell = lambda: bells.append(1)
        await sign_in(pilot)
        screen = await scan(pilot, "$TRANSFER")
        assert level(screen) == "error" and screen.query_one("#banner").has_class("-error")
        assert "TRANSFER needs a technician; call one over." in banner_text(screen)
        assert screen.query_one("#mode-title").text == "ISSUE"
        await pilot.press("f4")
        screen = await scan(pilot)
        assert "needs a technician" in banner_text(screen)
    assert len(bells) == 2


async def test_lookup_of_each_kind(station, station_config):
    cases.assign_case(station.technician, "S100", config=station_config, number=7)
    app = make_app(station_config)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await pilot.press("f5")
        screen = await scan(pilot, "S100")
        assert screen.query_one("#mode-title").text == "LOOKUP"
        assert visible_cards(screen) == {"student", "device"}
        assert "Ana Lopez" in card_text(screen, "student")
        assert screen.query_one("#student .case-digits").text == "7"
        screen = await scan(pilot, "HOT1")
        assert "Kajeet SmartSpot" in card_text(screen, "device")
        assert "Central Storage (STORE)" in card_text(screen, "device")
        screen = await scan(pilot, "LOC-STORE")
        assert visible_cards(screen) == {"location"}
        location = card_text(screen, "location")
        assert "Central Storage" in location and "available" in location
        screen = await scan(pilot, "CASE-7")
        assert visible_cards(screen) == {"case"}
        assert screen.query_one("#case-number").text == "7"
        assert "Ana Lopez" in screen.query_one("#case-owner").render().plain
        screen = await scan(pilot, "NOSUCH")
        assert level(screen) == "error" and "not a known student" in banner_text(screen)


async def test_storage_room_case_lookup_both_ways(station, station_config):
    cases.assign_case(station.technician, "S101", config=station_config, number=12)
    app = make_app(station_config)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await pilot.press("f6")
        screen = await scan(pilot, "S101")
        assert visible_cards(screen) == {"case"}
        assert screen.query_one("#case-number").text == "12"
        # The number fills the box: drawn at more than the smallest scale on a large terminal.
        assert screen.query_one("#case-number")._scale() > 1
        screen = await scan(pilot, "CASE-12")
        assert "Ben Okafor" in screen.query_one("#case-owner").render().plain
        screen = await scan(pilot, "CASE-13")
        assert "CASE-13 is empty" in screen.query_one("#case-owner").render().plain
        screen = await scan(pilot, "S100")
        assert "Ana Lopez has no storage case" in screen.query_one("#case-owner").render().plain


async def test_garbled_scan_is_refused_with_the_bell(station, station_config):
    app = make_app(station_config)
    bells = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.bell = lambda: bells.append(1)
        await sign_in(pilot)
        screen = await scan(pilot, "x" * 200)
        assert level(screen) == "error" and "characters long" in banner_text(screen)
    assert bells == [1]


async def test_an_unexpected_exception_is_a_red_banner_and_the_station_keeps_working(station, station_config, caplog):
    from kiosk.app import WorkflowSession
    from kiosk.workflow import Workflow

    class Flaky(WorkflowSession):
        def handle(self, raw, idem_key, on_wait=None):
            if raw == "BOOM":
                raise RuntimeError("simulated bug")
            return super().handle(raw, idem_key)

    app = make_app(station_config, open_session=lambda actor: Flaky(Workflow(actor, station_config)))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await scan(pilot, "BOOM")
        assert level(screen) == "error"
        assert "Something went wrong at this station (RuntimeError)" in banner_text(screen)
        screen = await scan(pilot, "S100", "CB1")
        assert level(screen) == "done"
    assert any("failed unexpectedly" in r.getMessage() for r in caplog.records)


async def test_issue_then_return_on_each_database(district, config):
    """The same flow on SQLite and on PostgreSQL: the scan worker thread opens its own connection to either."""
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        screen = await scan(pilot, "S101", "CB5")
        assert "Issued CB5 to Ben Okafor" in banner_text(screen)
        await pilot.press("f3")
        screen = await scan(pilot, "CB5")
        assert "Returned CB5 from Ben Okafor." in banner_text(screen)
    assert device("CB5", config).status == "available"
