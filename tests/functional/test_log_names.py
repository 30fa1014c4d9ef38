"""The station's log names students by district ID only, unless ``log_names = true`` is configured.

A headless station, logging as the full-screen station does (``kiosk.log`` in
the data directory, set up by ``kiosk.app._log_to_file``), signs in, issues a
device to a student with an unmistakable name and takes it back. One scan fails
unexpectedly on the way (a fault injected into the session), because that is
what the station writes to its log about a scan: the failure, with the code
scanned. The log file must then hold the student's ID and never the name.
"""

from __future__ import annotations

import logging

import pytest

from kiosk import app as kiosk_app
from kiosk import db as kdb
from kiosk.app import WorkflowSession
from kiosk.config import Config
from kiosk.services import inventory
from kiosk.workflow import Workflow
from tests.conftest import build_district
from tests.functional.test_station_support import make_app, scan, sign_in

STUDENT_ID = "S7741"
FIRST, LAST = "Zebulon", "Quillfeather-Vantongeren"


class FlakySession(WorkflowSession):
    """The real session, except that the first scan of the student fails as an unexpected error would."""

    def __init__(self, workflow):
        super().__init__(workflow)
        self.failed = False

    def handle(self, raw, idem_key, on_wait=None):
        if raw == STUDENT_ID and not self.failed:
            self.failed = True
            raise RuntimeError("the disk hiccuped")
        return super().handle(raw, idem_key, on_wait)


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    """kiosk.log as the station sets it up, with pytest's own log handlers out of the way meanwhile."""
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    root.handlers = []
    kiosk_app._log_to_file()
    added = [h for h in root.handlers if isinstance(h, logging.FileHandler)]
    assert len(added) == 1, "the station did not set up its log file"
    try:
        yield tmp_path / "home" / "kiosk.log"
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers, level = saved
        root.setLevel(level)


async def _session(tmp_path, config: Config) -> None:
    database = kdb.connect(f"sqlite:///{tmp_path / 'station.db'}", migrate=True)
    try:
        build_district(config)
        inventory.add_person(STUDENT_ID, FIRST, LAST, grade="10", school="HS", homeroom="H-101")
        app = make_app(config, open_session=lambda actor: FlakySession(Workflow(actor, config)))
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            screen = await scan(pilot, STUDENT_ID)
            assert "Something went wrong" in screen.last_outcome.message  # the injected failure
            screen = await scan(pilot, STUDENT_ID, "CB1")
            assert screen.last_outcome.event == "issued", screen.last_outcome.message
            screen = await scan(pilot, "$RETURN", "CB1")
            assert screen.last_outcome.event == "returned", screen.last_outcome.message
    finally:
        database.close()


def _flushed(path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


async def test_the_log_names_students_by_id_only(tmp_path, log_file):
    await _session(tmp_path, Config(station="test-station", station_site="HS", bell=False))
    text = _flushed(log_file)
    assert "OP1 (operator) signed in at test-station" in text
    assert f"scan {STUDENT_ID} " in text and "RuntimeError: the disk hiccuped" in text
    assert f"scan 'CB1' -> issued student {STUDENT_ID} device CB1" in text  # every scan has its line
    assert f"scan 'CB1' -> returned student {STUDENT_ID} device CB1" in text
    assert FIRST not in text and LAST not in text


async def test_log_names_true_lets_the_log_name_students(tmp_path, log_file):
    await _session(tmp_path, Config(station="test-station", station_site="HS", bell=False, log_names=True))
    text = _flushed(log_file)
    assert STUDENT_ID in text
    assert f"{FIRST} {LAST}" in text
