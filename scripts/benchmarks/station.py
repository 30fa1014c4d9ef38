"""Figures 3, 6 and 7: scan-to-screen latency, cold start and peak memory of the station."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.circulation import pairs
from benchmarks.common import Result, p99
from benchmarks.district import District
from kiosk import db as kdb
from kiosk.config import Config

SCRIPTS = Path(__file__).resolve().parents[1]
FRAME_MS = 1000 / 60


def _probe(*args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SCRIPTS), str(SCRIPTS.parent)])}
    spawned = time.time()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.probe", args[0], repr(spawned), *args[1:]],
                          capture_output=True, text=True, env=env, timeout=600, check=False)  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"probe {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def figures_6_7(district: District, *, repeat: int) -> list[Result]:
    kdb.connect(district.url)
    work = ";".join(f"{s},{t}" for s, t in pairs(3))
    bare, kiosk = [], []
    for _ in range(repeat):  # in turns, so a drift in the machine's speed falls on both sides
        bare.append(_probe("bare"))
        kiosk.append(_probe("kiosk", district.url))
    working = [_probe("kiosk", district.url, work) for _ in range(max(1, repeat // 2))]
    ready_bare = statistics.median(r["ready_s"] for r in bare)
    ready_kiosk = statistics.median(r["ready_s"] for r in kiosk)
    mem_bare = statistics.median(r["peak_mb"] for r in bare)
    mem_kiosk = statistics.median(r["peak_mb"] for r in working)
    return [
        Result("6", "cold start to a ready station (process start to sign-in screen)", ready_kiosk, ready_bare,
               target=2.0),
        Result("7", f"peak memory of a working station, {district.devices:,} devices", mem_kiosk, mem_bare,
               unit="MB", target=1.5),
    ]  # fmt: skip


async def _drawn(screen) -> None:
    """Until the screen has drawn everything it was asked to (Textual paints at its next frame, up to 1/60 s
    after a change): at a table the next scan comes a good half second after the last, long after this."""
    deadline = time.perf_counter() + 1.0
    while time.perf_counter() < deadline and (
        screen._dirty_widgets or screen._layout_required or screen._repaint_required or screen._scroll_required
    ):
        await asyncio.sleep(0.0005)


async def _latencies(url: str, work: list[tuple[str, str]], *, settled: bool) -> list[float]:
    """Seconds from each scan's key burst to its outcome on the banner. ``settled``: each burst comes once the
    screen has drawn the scan before it; otherwise right after that scan's outcome, so its keys can wait
    behind the drawing of it."""
    from textual import events
    from textual.keys import _character_to_key

    from kiosk.app import build_app
    from screens.signin import SignInScreen
    from screens.station import StationScreen

    app = build_app(Config(station="bench-station", station_site="RHS"))
    done: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, SignInScreen):
            await pilot.pause(0.005)
        await pilot.press(*"OP-1001", "enter")
        while app.focused is None or not app.focused.has_class("pin"):
            await pilot.pause(0.005)
        await pilot.press(*"1234", "enter")
        while not isinstance(app.screen, StationScreen):
            await pilot.pause(0.005)
        screen = app.screen
        original = screen.render_outcome

        def timed(outcome, tally):
            original(outcome, tally)
            done.append(time.perf_counter())

        screen.render_outcome = timed
        latencies = []
        for student, tag in work:
            for code in (student, tag, "$RETURN", tag, "$ISSUE"):
                if settled:
                    await _drawn(screen)
                before = len(done)
                for ch in code:  # as a keyboard-wedge scanner types: key events back to back
                    app._driver.send_message(events.Key(ch if ch.isalnum() else _character_to_key(ch), ch))
                app._driver.send_message(events.Key("enter", "\r"))
                sent = time.perf_counter()
                while len(done) == before:
                    await asyncio.sleep(0.0005)
                latencies.append(done[-1] - sent)
    return latencies


def figure_3(district: District, *, scans: int) -> Result:
    kdb.connect(district.url)
    work = pairs(max(1, scans // 5))
    settled = sorted(asyncio.run(_latencies(district.url, work, settled=True)))
    back_to_back = sorted(asyncio.run(_latencies(district.url, work, settled=False)))
    return Result("3", f"scan-to-banner latency, p99 of {len(settled)} scans, each once the screen has drawn the "
                  "last (target: one 60 Hz frame)", p99(settled) * 1000, FRAME_MS, unit="ms", target=1.0,
                  extra={"p50_ms": statistics.median(settled) * 1000, "back_to_back_p99_ms": p99(back_to_back) * 1000,
                         "back_to_back_p50_ms": statistics.median(back_to_back) * 1000})  # fmt: skip
