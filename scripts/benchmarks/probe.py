"""Run one headless app in a fresh process and report how long it took to be ready, and its peak memory.

    python -m benchmarks.probe bare SPAWNED
    python -m benchmarks.probe kiosk SPAWNED URL [PAIRS]

SPAWNED is the parent's ``time.time()`` just before it started this process,
so "ready" counts interpreter start and imports, as a kiosk box booting does.
``kiosk`` waits for the sign-in screen; with PAIRS (student,tag;student,tag)
it also signs in and issues and returns those devices, so the memory figure
covers a working station. One JSON line goes to stdout.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time


def _ready_bare(spawned: float) -> float:
    from textual.app import App
    from textual.widgets import Input

    class Bare(App):
        def compose(self):
            yield Input(id="scan")

    async def main() -> float:
        app = Bare()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            return time.time() - spawned

    return asyncio.run(main())


def _ready_kiosk(spawned: float, url: str, pairs: str) -> float:
    from kiosk.drivers import skip_postgres_driver

    skip_postgres_driver(url)  # as the kiosk command does before it imports peewee
    from kiosk import db as kdb
    from kiosk.app import build_app
    from kiosk.config import Config

    kdb.connect(url)
    config = Config(station="bench-station", station_site="RHS")
    app = build_app(config)

    async def main() -> float:
        async with app.run_test(size=(120, 40)) as pilot:
            from screens.signin import SignInScreen
            from screens.station import StationScreen

            while not isinstance(app.screen, SignInScreen):
                await pilot.pause(0.005)
            ready = time.time() - spawned
            if pairs:
                await pilot.press(*"OP-1001", "enter")
                while app.focused is None or not app.focused.has_class("pin"):
                    await pilot.pause(0.005)
                await pilot.press(*"1234", "enter")
                while not isinstance(app.screen, StationScreen):
                    await pilot.pause(0.005)
                screen = app.screen
                for pair in pairs.split(";"):
                    student, tag = pair.split(",")
                    for code in (student, tag, "$RETURN", tag, "$ISSUE"):
                        await pilot.press(*code, "enter")
                    while screen.queue.waiting:
                        await pilot.pause(0.005)
            return ready

    return asyncio.run(main())


def _peak_kb() -> int:
    """This process's resident-set high-water mark. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    an exec, so a child started by a big parent would report the parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    kind, spawned = sys.argv[1], float(sys.argv[2])
    if kind == "bare":
        ready = _ready_bare(spawned)
    else:
        ready = _ready_kiosk(spawned, sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "")
    print(json.dumps({"ready_s": ready, "peak_mb": _peak_kb() / 1024}))


if __name__ == "__main__":
    main()
