"""Figures 1 and 2: issue + return through the services, and scanning at scale vs a small district."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks.common import Result, bare_sqlite
from benchmarks.district import District
from kiosk import db as kdb
from kiosk.config import Config
from kiosk.dto import Actor

ACTOR = Actor(badge="OP-1001", name="Olivia Reyes", role="operator", station="bench-station")
CONFIG = Config(station="bench-station", station_site="RHS")


def pairs(n: int) -> list[tuple[str, str]]:
    """(student, device) pairs that issue without a warning: high-school students holding nothing,
    available 06-12 Chromebooks already at the high school. A device kept elsewhere would be moved to the
    student's school by the issue (one more event) and back to the station's site by the return, writes the
    bare baseline does not make; and only a new cache's first run would pay them."""
    from models import CatalogItem, Device, Loan, Person, Site

    high = Site.get(Site.code == "RHS")
    holders = Loan.select(Loan.person).where(Loan.returned_at.is_null())
    students = (Person.select(Person.district_id)
                .where((Person.role == "student") & Person.active & (Person.school == high)
                       & Person.id.not_in(holders)).order_by(Person.id).limit(n).tuples())  # fmt: skip
    items = CatalogItem.select(CatalogItem.id).where(CatalogItem.eligible_grades.contains("12")
                                                     & (CatalogItem.category == "chromebook"))  # fmt: skip
    devices = (Device.select(Device.asset_tag)
               .where((Device.status == "available") & Device.item.in_(items) & (Device.site == high))
               .order_by(Device.id).limit(n).tuples())  # fmt: skip
    found = list(zip((s for (s,) in students), (d for (d,) in devices), strict=False))
    if not found:
        raise SystemExit("the district has no free student/device pair to issue")
    # Each figure takes the device back after issuing it, so a small district's pairs are simply reused.
    return [found[i % len(found)] for i in range(n)]


def _services_cycle(student: str, tag: str, n: int) -> None:
    from kiosk.services import circulation

    circulation.issue(ACTOR, student, tag, config=CONFIG, idem_key=f"bench-i-{n}-{time.time_ns()}")
    circulation.return_device(ACTOR, tag, config=CONFIG, idem_key=f"bench-r-{n}-{time.time_ns()}")


_LOAN_SQL: dict[int, str] = {}


def _loan_insert(conn) -> str:
    """INSERT for a loan row; required columns kiosk adds later (flags) get their zero value."""
    if id(conn) not in _LOAN_SQL:
        named = {"device_id": "?", "person_id": "?", "issued_at": "?", "issued_by": "'OP-1001'",
                 "issued_station": "'bench-bare'", "condition_out": "'good'"}  # fmt: skip
        for _, name, _, notnull, default, pk in conn.execute("PRAGMA table_info(loan)"):
            if notnull and default is None and not pk and name not in named:
                named[name] = "0"
        _LOAN_SQL[id(conn)] = f"INSERT INTO loan ({', '.join(named)}) VALUES ({', '.join(named.values())})"
    return _LOAN_SQL[id(conn)]


def _bare_cycle(conn, student: str, tag: str, n: int) -> None:
    """The same rows written by hand: loan, device, event and chain head, for the issue and then the return."""
    for kind in ("issued", "returned"):
        conn.execute("BEGIN IMMEDIATE")
        (device_id,) = conn.execute("SELECT id FROM device WHERE asset_tag = ?", (tag,)).fetchone()
        person_id = conn.execute("SELECT id FROM person WHERE district_id = ?", (student,)).fetchone()[0]
        station_id, seq, last = conn.execute(
            "SELECT id, last_seq, last_hash FROM station WHERE name = 'bench-bare'"
        ).fetchone()
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        if kind == "issued":
            conn.execute(_loan_insert(conn), (device_id, person_id, now))
            conn.execute("UPDATE device SET status = 'issued', holder_id = ? WHERE id = ?", (person_id, device_id))
        else:
            conn.execute(
                "UPDATE loan SET returned_at = ?, returned_by = 'OP-1001', condition_in = 'good' "
                "WHERE device_id = ? AND returned_at IS NULL",
                (now, device_id),
            )
            conn.execute("UPDATE device SET status = 'available', holder_id = NULL WHERE id = ?", (device_id,))
        digest = f"{n:064d}"
        conn.execute(
            "INSERT INTO event (uuid, station, seq, at, operator, kind, asset_tag, person, details, idem_key,"
            " prev_hash, hash) VALUES (?, 'bench-bare', ?, ?, 'OP-1001', ?, ?, ?, '{}', ?, ?, ?)",
            (f"bare-{kind}-{n}-{time.time_ns()}", seq + 1, now, kind, tag, student, f"bare-{kind}-{n}-{time.time_ns()}",
             last, digest),
        )  # fmt: skip
        conn.execute("UPDATE station SET last_seq = ?, last_hash = ? WHERE id = ?", (seq + 1, digest, station_id))
        conn.execute("COMMIT")


def _cycle_times(run, work: list[tuple[str, str]], first: int) -> list[float]:
    times = []
    for n, (student, tag) in enumerate(work, start=first):
        start = time.perf_counter()
        run(student, tag, n)
        times.append(time.perf_counter() - start)
    return times


BLOCK = 20
"""Pairs timed in a row before the other side takes its turn (figure 1)."""


def figure_1(district: District, *, cycles: int) -> Result:
    """Kiosk and the bare transaction take turns, twenty pairs each, over the same student/device pairs:
    a shared machine's speed drifts over a run, and timing all of one side before the other would put the
    drift into the ratio."""
    database = kdb.connect(district.url)
    work = pairs(cycles)
    conn = bare_sqlite(Path(district.path))
    conn.execute("INSERT OR IGNORE INTO station (name, last_seq, last_hash) VALUES ('bench-bare', 0, '')")
    # Untimed first: a station's first scans build its queries' SQL and warm SQLite's cache, once a day.
    _cycle_times(_services_cycle, work[:BLOCK], -BLOCK)
    _cycle_times(lambda s, t, n: _bare_cycle(conn, s, t, n), work[:BLOCK], -BLOCK)
    kiosk: list[float] = []
    bare: list[float] = []
    for first in range(0, len(work), BLOCK):
        block = work[first : first + BLOCK]
        kiosk += _cycle_times(_services_cycle, block, first)
        bare += _cycle_times(lambda s, t, n: _bare_cycle(conn, s, t, n), block, first)
    conn.close()
    database.close()
    return Result("1", "issue + return through the services (per pair)", statistics.median(kiosk),
                  statistics.median(bare), target=2.0, extra={"cycles": cycles, "block": BLOCK})  # fmt: skip


def _scan_times(url: str, n: int) -> tuple[float, float]:
    """Median seconds to resolve a student scan, and to issue (student + device scans), through the workflow."""
    from kiosk.services import circulation
    from kiosk.workflow import Workflow

    database = kdb.connect(url)
    work = pairs(n)
    resolve, issue = [], []
    for student, tag in work:
        flow = Workflow(ACTOR, CONFIG)
        start = time.perf_counter()
        flow.handle(student)
        middle = time.perf_counter()
        outcome = flow.handle(tag)
        end = time.perf_counter()
        assert outcome.event == "issued", outcome.message
        resolve.append(middle - start)
        issue.append(end - start)
        circulation.return_device(ACTOR, tag, config=CONFIG)
    database.close()
    return statistics.median(resolve), statistics.median(issue)


def figure_2(big: District, small: District, *, scans: int) -> list[Result]:
    small_resolve, small_issue = _scan_times(small.url, scans)
    big_resolve, big_issue = _scan_times(big.url, scans)
    scale = f"{big.devices:,} vs {small.devices:,} devices"
    return [
        Result("2a", f"scan resolution, {scale}", big_resolve, small_resolve, target=1.3),
        Result("2b", f"full issue (two scans), {scale}", big_issue, small_issue, target=1.3),
    ]
