"""A card shows what other stations did: every card is read from the database when it is shown.

Station A runs in its own thread (its own connection, as another kiosk would);
station B's next scan of the same student or device shows A's change.
"""

from __future__ import annotations

import threading

from kiosk.config import Config
from kiosk.dto import Actor
from kiosk.workflow import Mode, Workflow
from models import database


def _elsewhere(config: Config, *scans: str) -> list:
    """Run scans as another station, on another connection; returns their outcomes."""
    outcomes = []

    def run():
        try:
            flow = Workflow(Actor("OP1", "Olive Operator", "operator", "station-a"), config)
            outcomes.extend(flow.handle(code) for code in scans)
        finally:
            database.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return outcomes


def test_a_card_reflects_changes_made_at_another_station(district):
    here = Workflow(district.operator, district.config, mode=Mode.LOOKUP)
    assert here.handle("S100").student.devices == ()
    assert here.handle("CB1").device.status == "available"
    done = _elsewhere(district.config, "S100", "CB1")
    assert done[-1].event == "issued", done[-1].message
    student = here.handle("S100").student
    assert any("CB1" in line for line in student.devices)
    device = here.handle("CB1").device
    assert (device.status, device.holder) == ("issued", "S100")
    # ... and the other way round: a return elsewhere frees the device for this station's issue.
    _elsewhere(district.config, "$RETURN", "CB1")
    issue = Workflow(district.operator, district.config)
    issue.handle("S101")
    assert issue.handle("CB1").event == "issued"
