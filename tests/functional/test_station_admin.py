"""The station's admin actions (F10): admins only, each action in a worker with a progress bar and its sentence."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace

from textual.widgets import OptionList, ProgressBar

from kiosk.errors import BadInput
from models import Operator
from screens.admin import AdminScreen
from screens.ports import AdminAction
from screens.station import StationScreen
from tests.functional import test_station_support as support
from tests.functional.test_station_support import banner_text, make_app, sign_in, until
from tests.integration.test_labels_support import decode, mode, need_tools, pages

station, station_config = support.station, support.station_config  # the shared fixtures, by name


def _text(screen: AdminScreen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def _open_admin(pilot) -> AdminScreen:
    await pilot.press("f10")
    await until(pilot, lambda: isinstance(pilot.app.screen, AdminScreen), what="the admin actions")
    return pilot.app.screen


async def _finished(pilot, screen: AdminScreen) -> tuple[bool, str]:
    await until(pilot, lambda: screen.result is not None and screen.running is None, 30, "the action to end")
    return screen.result


async def test_an_admin_writes_the_student_lists_of_the_station_site(station, station_config, tmp_path):
    need_tools()
    reports = tmp_path / "reports" / "lists"
    config = replace(station_config, district_name="Riverside Unified", extra={"reports": {"folder": str(reports)}})
    app = make_app(config)
    async with app.run_test(size=(130, 30)) as pilot:
        station_screen = await sign_in(pilot, "AD1")
        assert "F10Admin" in station_screen.query_one("#keys").render().plain
        screen = await _open_admin(pilot)
        options = screen.query_one(OptionList)
        assert options.get_option_at_index(0).prompt == "1. Student lists for this site"
        assert app.focused is options
        await pilot.press("enter")
        ok, sentence = await _finished(pilot, screen)
        assert ok, sentence
        assert screen.query_one(ProgressBar).display and screen.query_one(ProgressBar).progress == 100
        assert screen.query_one("#admin-result").has_class("-done")
        assert "Wrote 2 students in 2 homeroom lists" in _text(screen, "#admin-result")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="the station")
        assert app.focused is app.screen.query_one("#scan")
    written = list(reports.glob("students-HS-*.pdf"))
    assert len(written) == 1 and str(written[0]) in sentence and mode(written[0]) == 0o600
    assert decode(written[0]) == Counter(["S100", "S101"])  # the station's site only
    assert "Central High School (HS) · Homeroom H-101" in " ".join(pages(written[0])[0].text.split())


async def test_the_default_folder_is_reports_in_the_data_directory(station, station_config, tmp_path, monkeypatch):
    need_tools()
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    app = make_app(station_config)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "AD1")
        screen = await _open_admin(pilot)
        await pilot.press("enter")
        ok, sentence = await _finished(pilot, screen)
    written = list((tmp_path / "home" / "reports").glob("students-HS-*.pdf"))
    assert ok and len(written) == 1 and str(written[0]) in sentence
    assert decode(written[0]) == Counter(["S100", "S101"])


async def test_only_an_admin_opens_the_admin_actions(station, station_config):
    app = make_app(station_config)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await sign_in(pilot, "TE1")
        keys = screen.query_one("#keys").render().plain
        assert "Admin" not in keys
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, StationScreen)
        assert "Admin actions need an admin; call one over." in banner_text(screen)
        assert screen.query_one("#banner").has_class("-error")


async def test_a_station_without_a_site_is_told_so_in_red(station, station_config, tmp_path):
    config = replace(station_config, station_site=None, extra={"reports": {"folder": str(tmp_path / "r")}})
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "AD1")
        screen = await _open_admin(pilot)
        await pilot.press("enter")
        ok, sentence = await _finished(pilot, screen)
        assert not ok and "has no site; set station_site" in sentence
        assert screen.query_one("#admin-result").has_class("-error")
        assert not screen.query_one(OptionList).disabled
    assert not list((tmp_path / "r").glob("*.pdf"))


async def test_any_action_shows_its_progress_and_the_menu_waits_for_it(station, station_config):
    gate, reached = threading.Event(), threading.Event()

    seen = []

    def slow(actor, progress):
        seen.append(actor.badge)
        progress(0.5, "half way")
        reached.set()
        gate.wait(10)
        progress(1.0, "done")
        return "The slow job wrote /tmp/slow.txt."

    def refused(actor, progress):
        raise BadInput("The printer folder is full; empty it and try again.")

    def broken(actor, progress):
        raise RuntimeError("boom")

    actions = (AdminAction("Slow job", slow), AdminAction("Refused job", refused), AdminAction("Broken job", broken))
    app = make_app(station_config, admin_actions=actions)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "AD1")
        screen = await _open_admin(pilot)
        assert [screen.query_one(OptionList).get_option_at_index(i).prompt for i in range(3)] == [
            "1. Slow job",
            "2. Refused job",
            "3. Broken job",
        ]
        await pilot.press("enter")
        await until(pilot, lambda: reached.is_set() and screen.query_one(ProgressBar).progress == 50, what="half way")
        assert _text(screen, "#admin-step") == "Slow job: half way"
        assert screen.query_one(OptionList).disabled
        await pilot.press("escape")  # refused while the job runs
        await pilot.pause()
        assert app.screen is screen and "still running" in _text(screen, "#admin-step")
        gate.set()
        ok, sentence = await _finished(pilot, screen)
        assert ok and sentence == "The slow job wrote /tmp/slow.txt."
        assert seen == ["AD1"], "each action runs for the signed-in admin"
        await pilot.press("down", "enter")
        await until(pilot, lambda: screen.result == (False, "The printer folder is full; empty it and try again."))
        await pilot.press("down", "enter")
        await until(pilot, lambda: screen.result is not None and "Broken job failed (RuntimeError)" in screen.result[1])
        assert screen.query_one("#admin-result").has_class("-error")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="the station")


async def test_a_station_with_no_actions_says_so(station, station_config):
    app = make_app(station_config, admin_actions=())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "AD1")
        screen = await _open_admin(pilot)
        assert "offers no admin actions" in _text(screen, "#admin-none")
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, StationScreen), what="the station")


async def test_an_admin_demoted_while_signed_in_is_refused_by_the_service(station, station_config, tmp_path):
    config = replace(station_config, extra={"reports": {"folder": str(tmp_path / "r")}})
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "AD1")
        screen = await _open_admin(pilot)
        Operator.update(role="operator").where(Operator.badge == "AD1").execute()
        sentences = []
        for index in range(2):
            screen.result = None
            screen.query_one(OptionList).highlighted = index
            await pilot.press("enter")
            ok, sentence = await _finished(pilot, screen)
            assert not ok, sentence
            sentences.append(sentence)
        assert sentences == [
            "An admin is needed for printing student lists; call one over.",
            "An admin is needed for reports; call one over.",
        ], sentences
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())
