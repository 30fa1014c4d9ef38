"""Figures 1 and 2: issue + return through the services, and scanning at scale vs a small district."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

from peewee import SQL

from benchmarks.common import Result, bare_sqlite
from benchmarks.district import District
from kiosk import db as kdb
from kiosk.config import Config
from kiosk.dto import Actor

ACTOR = Actor(badge="OP-1001", name="Olivia Reyes", role="operator", station="bench-station")


def _eligible_items():
    from models import CatalogItem

    return CatalogItem.select(CatalogItem.id).where(CatalogItem.eligible_grades.contains("12")
                                                    & (CatalogItem.category == "chromebook"))  # fmt: skip


def pairs(n: int) -> list[tuple[str, str]]:
    """(student, device) pairs that issue without a warning: high-school students holding nothing,
    available 06-12 Chromebooks already at the high school. A device kept elsewhere would be moved to the
    student's school by the issue (one more event) and back to the station's site by the return, writes the
    bare baseline does not make; and only a new cache's first run would pay them."""
    return [(student, tag) for student, tag, _ in _cycled(_school_pairs(n, [], fresh=False, schools=("RHS",)), n)]


def _cycled(found: list[tuple[int, int, str, str, str]], n: int) -> list[tuple[str, str, str]]:
    """``n`` (student, device, school) triples from ``found``, round again if it holds fewer: each figure
    takes a device back after issuing it, so a small district's pairs are simply reused."""
    if not found:
        raise SystemExit("the district has no free student/device pair to issue")
    triples = [(student, tag, code) for _, _, student, tag, code in found]
    return [triples[i % len(triples)] for i in range(n)]


USED = "bench_used"
"""A table the bench keeps in its cached district: the students and devices a figure already scanned."""
SCHOOLS = ("RHS", "HZN", "MMS", "JMS")
"""Schools whose students (grades 6 to 12) may take the 06-12 Chromebooks the fresh pairs lend."""


def fresh_pairs(n: int, log=print) -> tuple[list[tuple[str, str, str]], int]:
    """``n`` (student, device, school) triples no earlier run scanned, marked used as they are handed out;
    and how many had to be scanned ones after all (the cache ran out of fresh ones: delete it to rebuild).

    A device the bench issued before has its newest events on pages the last run left in the caches, and
    lines the station already showed at the top of its card; the first scan of a device in a day finds
    neither, and at district scale its history is on pages no one read for months. Each device waits at
    its own school for a student of that school (no move either way), so the pool is every middle and high
    school's, not one school's."""
    from models import database

    database.execute_sql(f"CREATE TABLE IF NOT EXISTS {USED} (kind TEXT NOT NULL, id INTEGER NOT NULL, "
                         "PRIMARY KEY (kind, id))")  # fmt: skip
    found = _school_pairs(n, [], fresh=True)
    fresh = len(found)
    if fresh < n:
        found = _school_pairs(n, found, fresh=False)
    marks = [x for sid, did, *_ in found for x in ("student", sid, "device", did)]
    with database.atomic():
        for k in range(0, len(marks), 4000):
            chunk = marks[k : k + 4000]
            database.execute_sql(f"INSERT OR IGNORE INTO {USED} (kind, id) VALUES "
                                 + ", ".join(["(?, ?)"] * (len(chunk) // 2)), chunk)  # fmt: skip
    if fresh < n:
        log(f"  {n - fresh} of {n} pairs were scanned by an earlier run: delete the cached district for fresh ones")
    return _cycled(found, n), n - fresh


def _school_pairs(n: int, found: list, *, fresh: bool, schools=SCHOOLS) -> list[tuple[int, int, str, str, str]]:
    """``found`` topped up to ``n`` (student id, device id, student, tag, school) from ``schools`` in turn."""
    from models import Device, Loan, Person, Site

    found = list(found)
    holders = Loan.select(Loan.person).where(Loan.returned_at.is_null())
    grades = [f"{g:02d}" for g in range(6, 13)]
    for code in schools:
        site = Site.get_or_none(Site.code == code)
        if site is None or len(found) >= n:
            continue
        had_students, had_devices = {row[0] for row in found}, {row[1] for row in found}
        students = (Person.select(Person.id, Person.district_id)
                    .where((Person.role == "student") & Person.active & (Person.school == site)
                           & Person.grade.in_(grades) & Person.id.not_in(holders)
                           & (Person.id.not_in(_marked("student")) if fresh else SQL("1 = 1")))
                    .order_by(Person.id).limit(n + len(had_students)).tuples())  # fmt: skip
        devices = (Device.select(Device.id, Device.asset_tag)
                   .where((Device.status == "available") & Device.item.in_(_eligible_items())
                          & (Device.site == site) & (Device.id.not_in(_marked("device")) if fresh else SQL("1 = 1")))
                   .order_by(Device.id).limit(n + len(had_devices)).tuples())  # fmt: skip
        free = zip((s for s in students if s[0] not in had_students), (d for d in devices if d[0] not in had_devices),
                   strict=False)  # fmt: skip
        for (sid, student), (did, tag) in free:
            if len(found) >= n:
                break
            found.append((sid, did, student, tag, code))
    return found


def _marked(kind: str) -> SQL:
    return SQL(f"(SELECT id FROM {USED} WHERE kind = '{kind}')")


def _services_cycle(student: str, tag: str, n: int, school: str = "RHS") -> None:
    from kiosk.services import circulation

    config = _config(school)
    circulation.issue(ACTOR, student, tag, config=config, idem_key=f"bench-i-{n}-{time.time_ns()}")
    circulation.return_device(ACTOR, tag, config=config, idem_key=f"bench-r-{n}-{time.time_ns()}")


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


_BARE_EVENTS = (("issued", False, "{}"), ("returned", True, '{"condition":"good","status":"available"}'))
"""Per event as kiosk writes it: kind, whether it names the site the device comes from, details."""


def _bare_cycle(conn, student: str, tag: str, n: int, school: str = "RHS") -> None:
    """The same rows written by hand: loan, device, event and chain head, for the issue and then the return
    (the events with kiosk's sites and details, times to the microsecond as kiosk stores them)."""
    for kind, from_school, details in _BARE_EVENTS:
        conn.execute("BEGIN IMMEDIATE")
        (device_id,) = conn.execute("SELECT id FROM device WHERE asset_tag = ?", (tag,)).fetchone()
        person_id = conn.execute("SELECT id FROM person WHERE district_id = ?", (student,)).fetchone()[0]
        station_id, seq, last = conn.execute(
            "SELECT id, last_seq, last_hash FROM station WHERE name = 'bench-bare'"
        ).fetchone()
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
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
            "INSERT INTO event (uuid, station, seq, at, operator, kind, asset_tag, person, from_site, to_site,"
            " details, idem_key, prev_hash, hash) VALUES (?, 'bench-bare', ?, ?, 'OP-1001', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (f"bare-{kind}-{n}-{time.time_ns()}", seq + 1, now, kind, tag, student, school if from_school else None,
             school, details, f"bare-{kind}-{n}-{time.time_ns()}", last, digest),
        )  # fmt: skip
        conn.execute("UPDATE station SET last_seq = ?, last_hash = ? WHERE id = ?", (seq + 1, digest, station_id))
        conn.execute("COMMIT")


def _cycle_times(run, work: list[tuple[str, ...]], first: int) -> list[float]:
    times = []
    for n, pair in enumerate(work, start=first):
        start = time.perf_counter()
        run(*pair[:2], n, *pair[2:])
        times.append(time.perf_counter() - start)
    return times


BLOCK = 20
"""Pairs timed in a row before the other side takes its turn (figure 1)."""


def figure_1(district: District, *, cycles: int, log=print) -> Result:
    """Kiosk and the bare transaction take turns, twenty pairs each: a shared machine's speed drifts over a
    run, and timing all of one side before the other would put the drift into the ratio. Each side scans
    its own fresh students and devices (alternate ones of one list): the one to read a page first pays for
    it, and a side handed pages the other had just read would be timed on a warm cache."""
    database = kdb.connect(district.url)
    work, reused = fresh_pairs(2 * (cycles + BLOCK), log)
    mine, theirs = work[0::2], work[1::2]
    conn = bare_sqlite(Path(district.path))
    conn.execute("INSERT OR IGNORE INTO station (name, last_seq, last_hash) VALUES ('bench-bare', 0, '')")
    bare_cycle = lambda s, t, n, school: _bare_cycle(conn, s, t, n, school)
    # Untimed first: a station's first scans build its queries' SQL, once a day.
    _cycle_times(_services_cycle, mine[:BLOCK], -BLOCK)
    _cycle_times(bare_cycle, theirs[:BLOCK], -BLOCK)
    kiosk: list[float] = []
    bare: list[float] = []
    for first in range(BLOCK, len(mine), BLOCK):
        kiosk += _cycle_times(_services_cycle, mine[first : first + BLOCK], first)
        bare += _cycle_times(bare_cycle, theirs[first : first + BLOCK], first)
    conn.close()
    database.close()
    return Result("1", "issue + return through the services (per pair)", statistics.median(kiosk),
                  statistics.median(bare), target=2.0,
                  extra={"cycles": cycles, "block": BLOCK, "reused": reused})  # fmt: skip


_CONFIGS: dict[str, Config] = {}


def _config(school: str) -> Config:
    return _CONFIGS.get(school) or _CONFIGS.setdefault(school, Config(station="bench-station", station_site=school))


def _scan_block(work: list[tuple[str, str, str]], resolve: list[float], issue: list[float]) -> None:
    """Scan each student then device through the workflow, timing the student scan and the whole issue."""
    from kiosk.services import circulation
    from kiosk.workflow import Workflow

    for student, tag, school in work:
        flow = Workflow(ACTOR, _config(school))
        start = time.perf_counter()
        flow.handle(student)
        middle = time.perf_counter()
        outcome = flow.handle(tag)
        end = time.perf_counter()
        assert outcome.event == "issued", outcome.message
        resolve.append(middle - start)
        issue.append(end - start)
        circulation.return_device(ACTOR, tag, config=_config(school))


def figure_2(big: District, small: District, *, scans: int, log=print) -> list[Result]:
    """Scans in the small district and at scale, in turns of twenty (like figure 1: the machine's speed
    drifts, and the writes of the figure before are still going to disk for a while). The target ratios
    scan the same students and devices run after run, as a station scans what it scanned before: a cost
    that grows with the district shows there. Beside them, first scans: students and devices no run had
    scanned, whose rows and index entries at district scale are on pages nobody read for months (what that
    costs depends on the machine's memory and disk more than on kiosk)."""
    import models

    small_db = kdb.connect(small.url)
    small_work = [(student, tag, "RHS") for student, tag in pairs(scans)]
    big_db = kdb.connect(big.url)
    big_work = [(student, tag, "RHS") for student, tag in pairs(scans)]
    first_work = fresh_pairs(max(20, scans // 3), log)[0]
    sides = [(small_db, small_work, [], []), (big_db, big_work, [], []), (big_db, first_work, [], [])]
    for start in range(0, scans, BLOCK):
        for database, work, resolve, issue in sides:
            if work[start : start + BLOCK]:
                models.database.initialize(database)
                _scan_block(work[start : start + BLOCK], resolve, issue)
    small_db.close()
    big_db.close()
    (small_resolve, small_issue), (big_resolve, big_issue), (first_resolve, first_issue) = (
        (statistics.median(resolve), statistics.median(issue)) for _, _, resolve, issue in sides
    )
    scale = f"{big.devices:,} vs {small.devices:,} devices"
    return [
        Result("2a", f"scan resolution, {scale}", big_resolve, small_resolve, target=1.3,
               extra={"first_scans_ratio": first_resolve / small_resolve}),
        Result("2b", f"full issue (two scans), {scale}", big_issue, small_issue, target=1.3,
               extra={"first_scans_ratio": first_issue / small_issue}),
    ]  # fmt: skip
