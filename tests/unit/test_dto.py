"""The values services return: made in one step, still frozen, the same as dataclasses would make them."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from kiosk import dto

VALUES = [value for value in vars(dto).values() if isinstance(value, type) and dataclasses.is_dataclass(value)]


def test_every_value_class_takes_its_fields_in_order_with_their_defaults():
    assert len(VALUES) >= 10
    for cls in VALUES:
        params = list(inspect.signature(cls).parameters.values())
        own = dataclasses.fields(cls)
        assert [p.name for p in params] == [f.name for f in own], cls
        assert [p.default for p in params] == [
            inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in own
        ], cls


def test_a_card_made_in_one_step_is_frozen_and_equal_to_its_copy():
    line = dto.HistoryLine("2026-11-29 09:12", "issued", "issued to S100")
    card = dto.DeviceCard("CB1", "5CD1", "HP Chromebook", "chromebook", "issued", "S100", "Ana Lopez", "HS",
                          "High School", "HS", None, (line,))  # fmt: skip
    assert card.history == (line,) and card.aue_date is None
    assert dto.DeviceCard(*dataclasses.astuple(card)[:11]).history == ()  # the default
    copy = dataclasses.replace(card, status="available")
    assert copy.status == "available" and copy.history == card.history and copy != card
    assert dataclasses.replace(copy, status="issued") == card and hash(line) == hash(dataclasses.replace(line))
    assert card.as_json()["history"] == [{"at": "2026-11-29 09:12", "kind": "issued", "summary": "issued to S100"}]
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.status = "lost"  # type: ignore[misc]
    with pytest.raises(TypeError):
        dto.HistoryLine("2026-11-29 09:12", "issued")  # type: ignore[call-arg]
