"""Signing in, lockout, the idle lock, $LOCK, scanner prefixes, and leaving the kiosk."""

from __future__ import annotations

from dataclasses import replace

from screens.signin import LeaveScreen, SignInScreen
from screens.station import StationScreen
from tests.functional import test_station_support as support
from tests.functional.test_station_support import PIN, banner_text, make_app, scan, settle, sign_in, submit_badge, until

station, station_config = support.station, support.station_config  # the shared fixtures, by name


async def test_sign_in_opens_the_station_in_issue_mode(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await sign_in(pilot)
        assert app.actor.badge == "OP1"
        assert "Signed in as Olive Operator" in banner_text(screen)
        assert screen.query_one("#mode-title").text == "ISSUE"
        assert app.focused is screen.query_one("#scan")
        # Tab and a click elsewhere do not take the focus away from the scan field.
        await pilot.press("tab", "shift+tab")
        await pilot.click("#tally")
        await pilot.pause()
        assert app.focused is screen.query_one("#scan")


async def test_pin_is_masked_and_wrong_pins_lock_the_badge(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        assert app.screen.query_one(".pin").password is True
        message = await submit_badge(pilot, "OP1", "0000")
        assert "4 tries left" in message
        for _ in range(3):
            await submit_badge(pilot, "OP1", "0000")
        message = await submit_badge(pilot, "OP1", "0000")
        assert "locked for 5 minutes" in message
        # The right PIN no longer opens the badge; the screen still shows only the sign-in.
        message = await submit_badge(pilot, "OP1", PIN)
        assert "is locked until" in message
        assert isinstance(app.screen, SignInScreen)
        # Another operator can still sign in at the same station.
        await sign_in(pilot, "TE1")


async def test_unknown_badge_is_refused_without_saying_which_part_was_wrong(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        message = await submit_badge(pilot, "NOBODY", PIN)
        assert message == "Unknown badge or wrong PIN; try again."
        assert isinstance(app.screen, SignInScreen)


async def test_station_locks_itself_when_idle(station, station_config):
    app = make_app(replace(station_config, idle_lock_seconds=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await scan(pilot, "S100")
        await until(pilot, lambda: isinstance(app.screen, SignInScreen), timeout=5, what="the idle lock")
        assert "Locked after 1 second without a scan" in str(app.screen.query_one("#signin-note").render())
        assert app.actor is None
        # Signing in again starts a fresh session.
        screen = await sign_in(pilot)
        assert screen.query_one("#student").query_one(".card-body").render().plain == "No student scanned yet."


async def test_idle_lock_closes_an_open_leave_dialog(station, station_config):
    app = make_app(replace(station_config, idle_lock_seconds=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave dialog")
        await until(pilot, lambda: isinstance(app.screen, SignInScreen), timeout=5, what="the idle lock")
        assert [type(s).__name__ for s in app.screen_stack][1:] == ["SignInScreen"]


async def test_activity_keeps_the_station_open(station, station_config):
    app = make_app(replace(station_config, idle_lock_seconds=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        for _ in range(4):
            await settle(0.4)
            await scan(pilot, "S100")
        assert isinstance(app.screen, StationScreen)


async def test_lock_code_and_lock_key_show_only_the_sign_in(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press(*"$LOCK", "enter")
        await until(pilot, lambda: isinstance(app.screen, SignInScreen), what="$LOCK")
        assert len(app.query("#scan")) == 0
        await sign_in(pilot)
        await pilot.press("f12")
        await until(pilot, lambda: isinstance(app.screen, SignInScreen), what="F12")


async def test_scanner_prefix_suffix_and_aim_identifier(station, station_config):
    config = replace(station_config, scan_prefix="\x02", scan_suffix="\t")
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        # The badge arrives as STX (ctrl+b), an AIM identifier, the code and a Tab.
        await pilot.press("ctrl+b", *"]C0OP1", "tab", *PIN, "enter")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="sign-in by scan")
        # Hand-typed noise before the prefix is thrown away with it.
        await pilot.press(*"zz", "ctrl+b", *"]C0S100", "tab")
        screen = await scan(pilot)
        assert "Ana Lopez: scan the device" in banner_text(screen)
        assert screen.last_outcome.scan == "S100"


async def test_ctrl_c_and_ctrl_q_do_not_end_the_program_for_an_operator(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, StationScreen)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave dialog")
        message = await submit_badge(pilot, "OP1", PIN)
        assert message == "Only an admin can leave the kiosk."
        assert app.is_running and isinstance(app.screen, LeaveScreen)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="back to the station")
        # The station still works after the detour.
        screen = await scan(pilot, "S100")
        assert "Ana Lopez" in banner_text(screen)


async def test_an_admin_badge_and_pin_leave_the_kiosk(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, LeaveScreen), what="the leave dialog")
        await pilot.press(*"AD1", "enter", *PIN, "enter")
        await until(pilot, lambda: app._exit, what="the app to exit")
    assert app.return_code == 0
