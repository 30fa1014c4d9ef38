"""Figure 8: concurrent stations on PostgreSQL: throughput and p99 latency for 1, 5, 20 and 50 stations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.circulation import pairs
from benchmarks.common import Result, p99
from kiosk import db as kdb

SCRIPTS = Path(__file__).resolve().parents[1]


def _schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def district_url(base: str, log) -> str:
    """A demo district in its own schema of the PostgreSQL database (built once, then reused)."""
    import psycopg

    from kiosk import demo

    migrations = len(list(kdb.MIGRATIONS_DIR.glob("[0-9]*.py")))
    schema = f"kiosk_bench_m{migrations}"
    url = _schema_url(base, schema)
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
        if exists:
            built = conn.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'bench_built'",
                (schema,),
            ).fetchone()
            if built:
                return url
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    log(f"Building the PostgreSQL bench district in schema {schema} ...")
    database = kdb.connect(url, migrate=True)
    demo.build_demo(station="bench-station", students=3000, devices=4500)
    database.execute_sql("CREATE TABLE bench_built (at timestamp DEFAULT now())")
    database.execute_sql("ANALYZE")
    database.close()
    return url


BUSY = 0.85
"""The share of the machine's CPU time at which its cores count as busy (figure 8's target: throughput must
grow with stations until then)."""


def cpu_times(stat: Path = Path("/proc/stat")) -> tuple[int, int] | None:
    """(busy, all) CPU time of every core since boot, in clock ticks, from Linux's ``/proc/stat``; None where
    there is no such file. Busy is user, nice, system, irq and softirq; idle, waiting for I/O and time the
    host stole for other machines are not."""
    try:
        first = stat.read_text(encoding="ascii").split("\n", 1)[0].split()
    except OSError:
        return None
    if not first or first[0] != "cpu" or len(first) < 9:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait + steal


def busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of CPU time the cores were busy between two ``cpu_times`` readings."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def scaling(runs: list[tuple[int, float, float | None, int]]) -> list[tuple[bool, str]]:
    """Figure 8's verdict for each (stations, pairs per second, busy share, errors) run, in order of stations:
    zero errors, and more pairs per second than the run before while the cores were not yet busy in that run
    (once they are, more stations only share them; the table shows the share of the best rate kept)."""
    verdicts, best = [], 0.0
    for n, (_, rate, _, errors) in enumerate(runs):
        why = [] if errors == 0 else [f"{errors} errors"]
        if n:
            _, before, busy_before, _ = runs[n - 1]
            if (busy_before is None or busy_before < BUSY) and rate <= before:
                room = "unknown" if busy_before is None else f"{busy_before:.0%}"
                why.append(f"no growth while the cores had room (busy {room} before)")
        best = max(best, rate)
        verdicts.append((not why, "; ".join(why) or f"{rate / best:.0%} of the best rate"))
    return verdicts


def _run(url: str, stations: int, seconds: float, work: list[tuple[str, str]]) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SCRIPTS), str(SCRIPTS.parent)])}
    procs = []
    for n in range(stations):
        student, tag = work[n]
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "benchmarks.pg_station", url, f"bench-pg-{n}", student, tag, str(seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        ))  # fmt: skip
    for proc in procs:
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit("a PostgreSQL bench station did not start")
    before = cpu_times()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    time.sleep(seconds)  # the stations' own clocks stop them: the CPU is read over the same span
    busy = busy_share(before, cpu_times())
    reports = [json.loads(proc.communicate(timeout=seconds + 120)[0].strip().splitlines()[-1]) for proc in procs]
    latencies = sorted(x for r in reports for x in r["latencies"])
    errors: dict[str, int] = {}
    for r in reports:
        for name, count in r["errors"].items():
            errors[name] = errors.get(name, 0) + count
    return {
        "cycles_per_s": sum(r["cycles"] for r in reports) / seconds,
        "p99_ms": p99(latencies) if latencies else 0.0,
        "refusals": sum(r["refusals"] for r in reports),
        "errors": errors,
        "cpu_busy": busy,
    }


def figure_8(base: str, *, seconds: float, log, counts=(1, 5, 20, 50)) -> list[Result]:
    url = district_url(base, log)
    database = kdb.connect(url)
    work = pairs(max(counts))
    database.close()
    if len(set(work)) < len(work):
        raise SystemExit(f"the PostgreSQL bench district has fewer than {len(work)} free student/device pairs")
    runs = []
    for stations in counts:
        log(f"  {stations} station(s) for {seconds:g} s")
        runs.append((stations, _run(url, stations, seconds, work)))
    single = runs[0][1]["cycles_per_s"]
    verdicts = scaling([(n, r["cycles_per_s"], r["cpu_busy"], sum(r["errors"].values())) for n, r in runs])
    goal = f"grows until the cores are {BUSY:.0%} busy; 0 errors"
    return [
        Result(
            "8", f"{stations} PostgreSQL station(s): issue+return pairs per second (baseline: {counts[0]} station)",
            run["cycles_per_s"], single, unit="pairs/s", goal=goal, met=met,
            extra={"p99_ms": run["p99_ms"], "errors": sum(run["errors"].values()), "refusals": run["refusals"],
                   "cpu_busy": "unknown" if run["cpu_busy"] is None else f"{run['cpu_busy']:.0%}", "note": note},
        )
        for (stations, run), (met, note) in zip(runs, verdicts, strict=True)
    ]  # fmt: skip
