"""One station of figure 8, in its own process: issue and return one device to one student until time is up.

    python -m benchmarks.pg_station URL STATION STUDENT TAG SECONDS

Prints ``ready`` once connected, waits for ``go`` on stdin, then loops and
prints one JSON line: cycles done, per-cycle latencies (ms), domain refusals
and unexpected errors (by type).
"""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    url, station, student, tag, seconds = sys.argv[1:]
    from kiosk import db
    from kiosk.config import Config
    from kiosk.dto import Actor
    from kiosk.errors import KioskError
    from kiosk.services import circulation
    from models import Device

    db.connect(url)
    Device.select().count()
    config = Config(station=station, station_site="RHS")
    actor = Actor("OP-1001", "Olivia Reyes", "operator", station)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 3
    latencies, refusals, errors = [], 0, {}
    deadline = time.monotonic() + float(seconds)
    n = 0
    while time.monotonic() < deadline:
        n += 1
        start = time.perf_counter()
        try:
            circulation.issue(actor, student, tag, config=config, idem_key=f"{station}-i-{n}")
            circulation.return_device(actor, tag, config=config, idem_key=f"{station}-r-{n}")
        except KioskError:
            refusals += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported: figure 8 wants zero
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        latencies.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"cycles": len(latencies), "latencies": latencies, "refusals": refusals, "errors": errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
