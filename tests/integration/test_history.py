"""A device's recent history reads as sentences, fees and repairs included."""

from __future__ import annotations

from kiosk.services import circulation
from kiosk.services.lookup import lookup


def test_history_names_the_repair_ticket_and_the_free_break(district):
    circulation.issue(district.operator, "S100", "CB1", config=district.config)
    circulation.return_device(district.operator, "CB1", config=district.config, condition="damaged")
    circulation.issue(district.operator, "S100", "CB2", config=district.config, confirmed=("loaner",))
    circulation.return_device(district.operator, "CB2", config=district.config, condition="damaged")
    first = [line.summary for line in lookup("CB1", config=district.config).device.history]
    assert any(s.startswith("repair ticket opened") for s in first), first
    assert any(s == "damage fee $0.00 to S100 (free break)" for s in first), first
    assert any(s.startswith("returned by S100 (damaged)") for s in first), first
    second = [line.summary for line in lookup("CB2", config=district.config).device.history]
    assert any(s.startswith("damage fee $25.00 to S100") for s in second), second
