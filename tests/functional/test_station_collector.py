"""The garbage collector's full passes wait for a pause between scans, and the station leaves it as it found it."""

from __future__ import annotations

import gc

from tests.functional import test_station_support as support
from tests.functional.test_station_support import make_app, scan, settle, sign_in, until

station, station_config = support.station, support.station_config  # the shared fixtures, by name


async def test_full_passes_run_in_a_pause_after_work_not_during_it(station, station_config):
    before = gc.get_threshold()
    full_passes: list[float] = []

    def count(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            full_passes.append(info["collected"])

    app = make_app(station_config)
    app.REST_SECONDS = 0.3
    gc.callbacks.append(count)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: getattr(app, "_thresholds", None) is not None, what="the heap frozen")
            assert gc.get_threshold()[2] == before[2] * 100  # full passes left to the pauses
            await sign_in(pilot)
            full_passes.clear()
            await scan(pilot, "S100", "CB1", "$RETURN", "CB1")
            await until(pilot, lambda: full_passes, timeout=5, what="a full pass in the pause after the scans")
            passes = len(full_passes)
            await settle(1.0)  # no work since: no more passes
            assert len(full_passes) == passes
        assert gc.get_threshold() == before
    finally:
        gc.callbacks.remove(count)
