"""Random key bursts into the signed-in station: no crash, one outcome per scan, and the station still answers.

Hypothesis draws sequences of keystrokes: whole codes typed character by
character (students, devices, commands, places), stray printable characters
(punctuation, accents, CJK), Enter, Backspace, Escape and the function keys an
operator may press (F2-F9, and F10, which only shows a refusal). F11 (another
screen), F12 and ``$LOCK`` (the station locks) and ctrl+q (leave) are left out:
they end the burst on purpose. The keys are posted without waiting, faster than
any scanner types, into a headless station on a fresh copy of a prepared SQLite
district.

The test works out, from the keys alone, the jobs the scan field must queue (a
line typed and Entered, minus what Backspace took back; a function key's mode or
command) and then checks that exactly those jobs were applied, in that order,
each with one outcome; that every refusal left one ``rejected`` event and every
issue or return one ledger event under the scan's idempotency key; that
``kiosk check`` is clean; and that the station answers a scan afterwards.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from textual import events

from kiosk import db as kdb
from kiosk.app import WorkflowSession
from kiosk.config import Config
from kiosk.workflow import Workflow
from models import Event
from screens.station import StationScreen
from tests.conftest import build_district
from tests.functional.test_station_support import banner_text, make_app, send_fast, sign_in, wait_drained
from tests.integration.helpers import assert_check_clean

EXAMPLES = 20
"""Bursts per run (each one a fresh database, a station start and a sign-in: about a second each)."""

CODES = ["S100", "S101", "S200", "S300", "CB1", "CB2", "CB3", "TB1", "HOT1", "ZZ404", "$ISSUE", "$RETURN",
         "$GOOD", "$DAMAGED", "$NOCHARGER", "$CONFIRM", "$CANCEL", "$TRANSFER", "$LOOKUP", "$DONE", "$CASE",
         "LOC-ES", "LOC-STORE", "LOC-NOWHERE", "CASE-1", "CASE-x", "$", "]C0S101"]  # fmt: skip
STRAY = " -_.,;:!?'\"/\\|@#%&*()[]{}<>=+~`^éßΩ中"
FUNCTION_KEYS = ["f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10"]

key = st.one_of(
    st.tuples(st.just("type"), st.sampled_from(CODES)),
    st.tuples(st.just("type"), st.text(alphabet=STRAY + "abcXYZ0123456789", min_size=1, max_size=6)),
    st.tuples(st.just("enter"), st.just("")),
    st.tuples(st.just("enter"), st.just("")),
    st.tuples(st.just("backspace"), st.just("")),
    st.tuples(st.just("key"), st.sampled_from([*FUNCTION_KEYS, "escape"])),
)
bursts = st.lists(key, min_size=1, max_size=40)


def expected_jobs(burst) -> list[tuple[str, str]]:
    """(kind, value) of every job the scan field queues for ``burst``, in order."""
    jobs, field = [], ""
    for what, arg in burst:
        if what == "type":
            field += arg
        elif what == "backspace":
            field = field[:-1]
        elif what == "enter":
            if field.strip():
                jobs.append(("scan", field))
            field = ""
        elif arg in StationScreen.KEYS:
            kind, value, _ = StationScreen.KEYS[arg]
            jobs.append((kind, value))
    return jobs


async def post(pilot, burst) -> None:
    """Every key of the burst, posted at once (the app reads them faster than anyone types), Backspace
    included: it edits the scan it follows, in keystroke order."""
    app = pilot.app
    for what, arg in burst:
        if what == "type":
            send_fast(app, arg)
        elif what == "enter":
            send_fast(app, "\n")
        elif what == "backspace":
            app._driver.send_message(events.Key("backspace", "\x08"))  # as a terminal sends it
        else:
            app._driver.send_message(events.Key(arg, "\x1b" if arg == "escape" else None))


class RecordingSession(WorkflowSession):
    """The real session, keeping every outcome it returns."""

    def __init__(self, workflow, outcomes: list):
        super().__init__(workflow)
        self.outcomes = outcomes

    def handle(self, raw, idem_key, on_wait=None):
        outcome = super().handle(raw, idem_key, on_wait)
        self.outcomes.append(outcome)
        return outcome

    def switch(self, mode):
        outcome = super().switch(mode)
        self.outcomes.append(outcome)
        return outcome


CONFIG = Config(station="test-station", station_site="HS", case_first=1, case_last=20, bell=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("key-fuzz") / "station.db"
    database = kdb.connect(f"sqlite:///{path}", migrate=True)
    build_district(CONFIG)
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


async def run_burst(burst) -> None:
    outcomes: list = []
    app = make_app(CONFIG, open_session=lambda actor: RecordingSession(Workflow(actor, CONFIG), outcomes))
    jobs = expected_jobs(burst)
    first_event = (Event.select().order_by(Event.id.desc()).first()).id
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await sign_in(pilot)
        await post(pilot, burst)
        screen = await wait_drained(pilot, timeout=60)
        assert isinstance(app.screen, StationScreen) and app.is_running
        applied = list(screen.applied)
        assert [(job.kind, job.value) for job in applied] == jobs
        assert [job.seq for job in applied] == list(range(1, len(jobs) + 1))
        assert len(outcomes) == len(jobs) and screen.session.tally.scans == len(jobs)
        for outcome in outcomes:
            assert outcome.level in {"done", "info", "warn", "error"} and outcome.message.strip()
            assert "Something went wrong" not in outcome.message, outcome.message  # the station's catch-all
        keys = {job.idem_key for job in applied}
        written = list(Event.select().where(Event.id > first_event).order_by(Event.id))
        refusals = [e for e in written if e.kind == "rejected"]
        assert len(refusals) == sum(1 for o in outcomes if o.event == "error")
        for kind in ("issued", "returned"):
            done = [e for e in written if e.kind == kind]
            assert len(done) == sum(1 for o in outcomes if o.event == kind)
            assert len({e.idem_key for e in done}) == len(done) and {e.idem_key for e in done} <= keys
        # Still answering: clear whatever the burst left half done, then look a student up.
        send_fast(app, "$CANCEL\n$LOOKUP\nS101\n")
        screen = await wait_drained(pilot, timeout=30)
        assert "Ben Okafor" in banner_text(screen) or screen.last_outcome.student.name == "Ben Okafor"
        assert len(outcomes) == len(jobs) + 3
    assert_check_clean()


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(burst=bursts)
def test_a_random_key_burst_gets_one_outcome_per_scan(template, burst):
    assume(not any(value.strip().upper().endswith("$LOCK") for _, value in expected_jobs(burst)))
    folder = Path(tempfile.mkdtemp(dir=template.parent))
    shutil.copyfile(template, folder / "station.db")
    database = kdb.connect(f"sqlite:///{folder / 'station.db'}")
    try:
        asyncio.run(run_burst(burst))
    finally:
        database.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_the_expected_jobs_follow_the_field():
    burst = [("type", "S10"), ("type", "0x"), ("backspace", ""), ("enter", ""), ("enter", ""), ("type", "  "),
             ("enter", ""), ("key", "f3"), ("type", "CB"), ("key", "escape"), ("type", "1"), ("enter", ""),
             ("key", "f10")]  # fmt: skip
    assert expected_jobs(burst) == [("scan", "S100"), ("switch", "RETURN"), ("scan", "$CANCEL"), ("scan", "CB1")]


async def test_backspace_in_a_fast_burst_edits_the_scan_it_follows(template, tmp_path):
    shutil.copyfile(template, tmp_path / "station.db")
    database = kdb.connect(f"sqlite:///{tmp_path / 'station.db'}")
    try:
        app = make_app(CONFIG)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await sign_in(pilot)
            send_fast(app, "S1000")
            app._driver.send_message(events.Key("backspace", "\x08"))
            send_fast(app, "\n")
            screen = await wait_drained(pilot)
            assert [job.value for job in screen.applied] == ["S100"]
    finally:
        database.close()
