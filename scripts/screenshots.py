"""Write SVG screenshots of the station's main screens, taken on the demo district, into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py [--out DIR]

The demo district is built in a throw-away SQLite file. Ledger times are pinned
to one moment and shown in UTC, so running the script again changes the files
only when the screens changed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.widgets import Input

from kiosk import clock, demo, ledger
from kiosk import db as kdb
from kiosk.app import build_app
from kiosk.config import Config
from kiosk.services.lookup import lookup
from screens.signin import SignInScreen
from screens.station import StationScreen

SHOT_TIME = dt.datetime(2026, 8, 31, 14, 5)
"""When the screenshots "happen" (UTC): the Monday of distribution week in the demo's calendar."""


async def _until(pilot, predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError("the station did not get there in time")
        await pilot.pause(0.02)
    await pilot.pause()


async def _sign_in(pilot, badge: str, pin: str) -> None:
    app = pilot.app
    await _until(pilot, lambda: isinstance(app.screen, SignInScreen))
    await pilot.press(*badge, "enter")
    await _until(pilot, lambda: app.focused is not None and app.focused.has_class("pin"))
    await pilot.press(*pin, "enter")
    await _until(pilot, lambda: isinstance(app.screen, StationScreen))


async def _scan(pilot, *codes: str) -> None:
    for code in codes:
        if code.startswith("key:"):
            await pilot.press(code[4:])
        else:
            await pilot.press(*code, "enter")
        await _until(pilot, lambda: pilot.app.screen.queue.waiting == 0)


async def _shoot(config: Config, out: Path, name: str, size: tuple[int, int], badge=None, pin=None, codes=()):
    app = build_app(config)
    async with app.run_test(size=size) as pilot:
        if badge:
            await _sign_in(pilot, badge, pin)
            await _scan(pilot, *codes)
        else:
            await _until(pilot, lambda: len(app.screen.query(Input)) == 2)
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        (out / f"{name}.svg").write_text(app.export_screenshot(title=f"kiosk — {name}"), encoding="utf-8")
    print(f"wrote {out / name}.svg")


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    ledger.utcnow = lambda: SHOT_TIME  # pinned time: see the module docstring
    clock.set_zone("UTC")
    with tempfile.TemporaryDirectory() as tmp:
        database = kdb.connect(f"sqlite:///{Path(tmp) / 'demo.db'}", migrate=True)
        summary = demo.build_demo(station="demo-station")
        site = getattr(summary, "station_site", None) or "RHS"
        config = Config(station="demo-station", station_site=site, district_name="Riverside Unified (demo)")
        people = {role: (badge, pin) for badge, _, role, pin in summary.operators}
        op, tech = people["operator"], people["technician"]
        held = lookup(summary.student_with_device, config=config).student.devices[0]
        await _shoot(config, out, "sign-in", (80, 24))
        await _shoot(config, out, "issue-student", (120, 40), *op, codes=(summary.student_without_device,))
        await _shoot(
            config, out, "transfer", (120, 40), *tech,
            codes=("$TRANSFER", f"LOC-{site}", summary.available_chromebook),
        )  # fmt: skip
        await _shoot(
            config, out, "issued", (80, 24), *op, codes=(summary.student_without_device, summary.available_chromebook)
        )
        await _shoot(config, out, "refused", (80, 24), *op, codes=("$TRANSFER",))
        await _shoot(config, out, "return-damaged", (120, 40), *op, codes=("key:f3", "$DAMAGED", held))
        await _shoot(config, out, "case-lookup", (120, 40), *op, codes=("key:f6", summary.student_with_case))
        await _shoot(config, out, "lookup-location", (120, 40), *op, codes=("key:f5", summary.location))
        database.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    asyncio.run(main(parser.parse_args().out))
