"""One of many racing stations, run by test_pg_many_stations.py in its own OS process.

Usage: python many_race_worker.py DB_URL STATION STUDENT SECONDS SEED TAG...

Connects, prints ``ready``, waits for ``go``, then until SECONDS have passed
issues a random TAG (a third of the picks from the first five, so stations
really collide) to STUDENT and returns it at once. Prints one JSON line: how
many issues and returns succeeded, refusals by error type (all must be
domain errors) and anything unexpected by type.
"""

from __future__ import annotations

import json
import random
import sys
import time


def main() -> int:
    url, station, student, seconds, seed, *tags = sys.argv[1:]
    from kiosk import db
    from kiosk.config import Config
    from kiosk.dto import Actor
    from kiosk.errors import DomainError, KioskError
    from kiosk.services import circulation

    db.connect(url)
    config = Config(station=station, station_site="HS")
    actor = Actor("OP1", "Olive Operator", "operator", station)
    rng = random.Random(int(seed))
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 3
    issued = returned = 0
    refusals: dict[str, int] = {}
    unexpected: dict[str, int] = {}
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        tag = tags[rng.randrange(5)] if rng.random() < 0.33 else rng.choice(tags)
        try:
            circulation.issue(actor, student, tag, config=config, confirmed=("ineligible",))
            issued += 1
            circulation.return_device(actor, tag, config=config)
            returned += 1
        except DomainError as exc:
            refusals[type(exc).__name__] = refusals.get(type(exc).__name__, 0) + 1
        except KioskError as exc:  # e.g. DatabaseUnavailable: not a domain refusal
            unexpected[f"{type(exc).__name__}: {exc.message}"] = unexpected.get(type(exc).__name__, 0) + 1
        except Exception as exc:  # noqa: BLE001 - a raw driver error is exactly what the test must catch
            unexpected[f"{type(exc).__name__}: {exc}"] = unexpected.get(type(exc).__name__, 0) + 1
    print(json.dumps({"issued": issued, "returned": returned, "refusals": refusals, "unexpected": unexpected}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
