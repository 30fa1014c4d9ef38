"""One racing station, run by test_concurrency.py in its own OS process.

Usage: python race_worker.py DB_URL STATION STUDENT TAG...

Connects, prints ``ready``, then for each TAG waits for a ``go`` line on stdin
and issues TAG to STUDENT at once, printing one JSON line with the result.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    url, station, student, *tags = sys.argv[1:]
    from kiosk import db
    from kiosk.config import Config
    from kiosk.dto import Actor
    from kiosk.errors import KioskError
    from kiosk.services import circulation
    from models import Device

    db.connect(url)
    Device.select().count()  # the connection is open and warm before the start signal
    config = Config(station=station, station_site="HS")
    actor = Actor("OP1", "Olive Operator", "operator", station)
    print("ready", flush=True)
    for tag in tags:
        if sys.stdin.readline().strip() != "go":
            return 3
        try:
            result = circulation.issue(actor, student, tag, config=config, confirmed=("ineligible",))
            out = {"tag": tag, "ok": True, "holder": result.device.holder}
        except KioskError as exc:
            out = {"tag": tag, "ok": False, "error": type(exc).__name__, "message": exc.message}
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
