"""The station with the fee policy: the student card's balance and free breaks, the warning when a student owes,
damaged returns that open tickets, loaners, and the technician's ticket list (F11)."""

from __future__ import annotations

from kiosk.dto import Actor
from kiosk.services import tickets
from screens.station import StationScreen
from screens.tickets import TicketListScreen
from tests.functional import test_station_support as support
from tests.functional.test_station_support import banner_text, make_app, scan, sign_in, until
from tests.integration.helpers import assert_check_clean

station, station_config = support.station, support.station_config  # the shared fixtures, by name


def card_text(screen: StationScreen, card: str) -> str:
    return screen.query_one(f"#{card}").query_one(".card-body").render().plain


async def test_balance_free_breaks_and_the_warning_when_issuing_to_a_student_who_owes(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot)
        screen = await scan(pilot, "S101")
        student = card_text(screen, "student")
        assert "$0.00" in student and "1 free left" in student
        await scan(pilot, "CB1", "$RETURN", "$DAMAGED")
        screen = await scan(pilot, "CB1")
        assert screen.last_outcome.level == "warn"
        assert "Returned CB1 from Ben Okafor as DAMAGED. Ticket" in banner_text(screen)
        assert "Free break used: no fee (0 left in" in banner_text(screen)
        student = card_text(screen, "student")
        assert "0 free left" in student and "$0.00" in student
        # A loaner while CB1 is in repair, broken too: this time the damage fee.
        await scan(pilot, "$ISSUE", "S101")
        screen = await scan(pilot, "CB2")
        assert "as a LOANER while CB1 is in repair" in banner_text(screen)
        screen = await scan(pilot, "$RETURN", "$DAMAGED", "CB2")
        assert "Damage fee $25.00 charged to Ben Okafor." in banner_text(screen)
        assert "Owes     $25.00" in card_text(screen, "student")
        # Issuing to him now: the student scan says what he owes, the device scan asks to confirm.
        screen = await scan(pilot, "$ISSUE", "S101")
        assert "Ben Okafor: scan the device to issue. Ben Okafor owes $25.00." in banner_text(screen)
        assert "Owes     $25.00" in card_text(screen, "student")
        screen = await scan(pilot, "CB3")
        assert screen.last_outcome.level == "warn" and screen.query_one("#banner").has_class("-warn")
        assert "Ben Okafor owes $25.00. Scan $CONFIRM to issue anyway." in banner_text(screen)
        assert "F9 or $CONFIRM" in banner_text(screen)
        await pilot.press("f9")
        screen = await scan(pilot)
        assert screen.last_outcome.level == "done" and "Issued CB3 to Ben Okafor" in banner_text(screen)


async def test_the_repaired_device_comes_back_and_the_loaner_is_collected(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot)
        await scan(pilot, "S100", "CB1", "$RETURN", "$DAMAGED", "CB1", "$ISSUE", "S100", "CB2")
        tech = Actor("TE1", "Theo Tech", "technician", station_config.station)
        tickets.update_ticket(tech, "CB1", config=station_config, status="repaired")
        screen = await scan(pilot, "S100", "CB1")
        assert screen.last_outcome.level == "warn"
        assert "Issued CB1 back to Ana Lopez. Collect loaner CB2: scan it (or $CONFIRM), or $CANCEL." in banner_text(
            screen
        )
        screen = await scan(pilot, "CB2")
        assert screen.last_outcome.level == "done" and "Loaner CB2 collected from Ana Lopez." in banner_text(screen)
        assert "CB1  HP Chromebook" in card_text(screen, "student") and "CB2" not in card_text(screen, "student")


async def test_the_technician_ticket_list(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(120, 30)) as pilot:
        await sign_in(pilot, "TE1")
        await scan(pilot, "S100", "CB1", "S101", "CB2", "$RETURN", "$DAMAGED", "CB1", "$DAMAGED", "CB2")
        await pilot.press("f11")
        await until(pilot, lambda: isinstance(app.screen, TicketListScreen) and app.screen.loaded, what="tickets")
        listing = app.screen
        assert [(t.asset_tag, t.student, t.status) for t in listing.tickets] == [("CB1", "S100", "open"),
                                                                                 ("CB2", "S101", "open")]  # fmt: skip
        table = listing.query_one("#tickets-table")
        assert table.row_count == 2
        assert table.get_row_at(0)[1:4] == ["CB1", "OPEN", "Ana Lopez"]
        assert "2 open tickets" in str(listing.query_one("#tickets-message").render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="the station")
        screen = await scan(pilot, "$LOOKUP", "CB1")
        assert "IN REPAIR" in card_text(screen, "device")


async def open_list(pilot):
    app = pilot.app
    await pilot.press("f11")
    await until(pilot, lambda: isinstance(app.screen, TicketListScreen) and app.screen.loaded, what="tickets")
    return app.screen


async def test_the_technician_moves_tickets_from_the_list(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(120, 30)) as pilot:
        await sign_in(pilot, "TE1")
        await scan(pilot, "S100", "CB1", "S101", "CB2", "$RETURN", "$DAMAGED", "CB1", "$DAMAGED", "CB2")
        listing = await open_list(pilot)
        before = listing.tickets
        listing.loaded = False
        await pilot.press("p")  # the first row is highlighted: CB1's ticket
        await until(pilot, lambda: listing.loaded, what="the move")
        assert listing.last_message == f"Ticket {before[0].id} is awaiting parts. 2 open tickets, 1 awaiting parts."
        assert listing.query_one("#tickets-table").get_row_at(0)[2] == "AWAITING PARTS"
        listing.loaded = False
        await pilot.press("r")
        await until(pilot, lambda: listing.loaded, what="the repair")
        assert listing.last_message == f"Ticket {before[0].id} is repaired. CB1 is available at HS. 1 open ticket."
        assert [t.asset_tag for t in listing.tickets] == ["CB2"]
        await pilot.press("u")  # the first press only asks
        assert "Press U again to mark ticket" in listing.last_message and "CB2 will be disposed" in listing.last_message
        assert len(listing.tickets) == 1
        listing.loaded = False
        await pilot.press("u")
        await until(pilot, lambda: listing.loaded, what="the disposal")
        assert listing.last_message == f"Ticket {before[1].id} is unrepairable. CB2 is disposed. No open tickets."
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="the station")
        screen = await scan(pilot, "$LOOKUP", "CB1")
        assert "CB1  AVAILABLE" in card_text(screen, "device")
    assert_check_clean()


async def test_a_refused_move_is_shown_in_red(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(120, 30)) as pilot:
        await sign_in(pilot, "TE1")
        await scan(pilot, "S100", "CB1", "$RETURN", "$DAMAGED", "CB1")
        listing = await open_list(pilot)
        await pilot.press("i")
        await until(pilot, lambda: "in repair" in listing.last_message, what="the move")
        await pilot.press("i")
        await until(pilot, lambda: "already in repair" in listing.last_message, what="the refusal")
        assert listing.query_one("#tickets-message").has_class("-error")


async def test_the_key_bar_offers_f11_to_technicians_only(station, station_config):
    for badge, shown in (("TE1", True), ("OP1", False)):
        app = make_app(station_config)
        async with app.run_test(size=(160, 30)) as pilot:
            screen = await sign_in(pilot, badge)
            await pilot.pause()
            assert ("F11Tickets" in screen.query_one("#keys").render().plain) is shown


async def test_an_operator_is_told_the_ticket_list_needs_a_technician(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "OP1")
        await pilot.press("f11")
        await until(pilot, lambda: isinstance(app.screen, TicketListScreen) and app.screen.loaded, what="tickets")
        message = app.screen.query_one("#tickets-message")
        assert "A technician is needed for ticket; call one over." in str(message.render())
        assert message.has_class("-error") and app.screen.tickets == ()
        await pilot.press("f11")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="the station")
