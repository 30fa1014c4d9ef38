"""The synthetic district the figures run on: the demo builder at scale plus years of closed loans.

Built once per scale into the cache folder and reused (a build at district
scale takes minutes). Padding history is issue/return pairs of devices that
are not on loan now, each with its closed loan row, chained like any bulk
load, so ``kiosk check`` still finds the ledger and the tables agree.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk import db as kdb

SCALES = {
    "quick": (3_000, 4_500, 60_000),
    "thousand": (700, 1_000, 3_000),
    "default": (100_000, 150_000, 2_000_000),
    "district-max": (600_000, 1_000_000, 10_000_000),
}
"""students, devices, ledger events."""
STATION = "bench-station"
BATCH = 5_000


@dataclass(frozen=True)
class District:
    path: Path
    students: int
    devices: int
    events: int

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


def _pad_history(target_events: int, log) -> None:
    from kiosk.demo import BASE_DAY
    from kiosk.ledger import BulkChain
    from models import Device, Event, Loan, Person, database

    have = Event.select().count()
    pairs = max(0, (target_events - have) // 2)
    if not pairs:
        return
    rng = random.Random(11)
    idle = list(Device.select(Device.id, Device.asset_tag, Device.site).where(Device.status == "available").tuples())
    students = list(Person.select(Person.id, Person.district_id).where(Person.role == "student").tuples())
    site_codes = dict(database.execute_sql("SELECT id, code FROM site").fetchall())
    chain = BulkChain.open(STATION)
    start = dt.datetime.combine(BASE_DAY, dt.time(8)) - dt.timedelta(days=365 * 10)
    span = 365 * 10 * 86_400 - 86_400 * 60
    loan_fields = [Loan.device, Loan.person, Loan.issued_at, Loan.issued_by, Loan.issued_station, Loan.condition_out,
                   Loan.returned_at, Loan.returned_by, Loan.condition_in]  # fmt: skip
    names = ("uuid", "station", "seq", "at", "operator", "kind", "asset_tag", "person", "from_site", "to_site",
             "details", "idem_key", "prev_hash", "hash")  # fmt: skip
    event_fields = [getattr(Event, name) for name in names]
    moments = sorted(rng.randrange(span) for _ in range(pairs))
    done = 0
    while done < pairs:
        loans, events = [], []
        with kdb.atomic():
            for second in moments[done : done + BATCH]:
                device_id, tag, site_id = idle[rng.randrange(len(idle))]
                person_id, student = students[rng.randrange(len(students))]
                out = start + dt.timedelta(seconds=second)
                back = out + dt.timedelta(days=rng.randint(30, 300))
                loans.append((device_id, person_id, out, "OP-1001", STATION, "good", back, "OP-1001", "good"))
                issued = chain.row("issued", out, operator="OP-1001", asset_tag=tag, person=student,
                                   details={"condition": "good"})  # fmt: skip
                returned = chain.row("returned", back, operator="OP-1001", asset_tag=tag, person=student,
                                     to_site=site_codes.get(site_id),
                                     details={"condition": "good", "status": "available"})  # fmt: skip
                events += [tuple(issued[n] for n in names), tuple(returned[n] for n in names)]
            for n in range(0, len(loans), 1000):
                Loan.insert_many(loans[n : n + 1000], fields=loan_fields).execute()
            for n in range(0, len(events), 2000):
                Event.insert_many(events[n : n + 2000], fields=event_fields).execute()
            chain.close()
        done += len(loans)
        log(f"  history: {done * 2:,} of {pairs * 2:,} padding events")


def build(scale: str, cache: Path, log=print) -> District:
    """The cached district for ``scale`` (built on first use)."""
    from kiosk import demo

    students, devices, events = SCALES[scale]
    path = cache / f"district-{scale}.db"
    if path.exists():
        kdb.connect(f"sqlite:///{path}", migrate=True).close()  # a cache built by an older schema catches up
        return District(path, students, devices, events)
    cache.mkdir(parents=True, exist_ok=True)
    part = cache / f"district-{scale}.building.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    log(f"Building the {scale} district ({students:,} students, {devices:,} devices, {events:,} events) ...")
    database = kdb.connect(f"sqlite:///{part}", migrate=True)
    demo.build_demo(station=STATION, students=students, devices=devices)
    _pad_history(events, log)
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.execute_sql("ANALYZE")
    database.close()
    shutil.move(part, path)
    log(f"  built in {time.perf_counter() - started:.0f} s: {path}")
    return District(path, students, devices, events)
