"""Figure 8: concurrent stations on PostgreSQL: throughput and p99 latency for 1, 5, 20 and 50 stations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.circulation import pairs
from benchmarks.common import Result
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
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reports = [json.loads(proc.communicate(timeout=seconds + 120)[0].strip().splitlines()[-1]) for proc in procs]
    latencies = sorted(x for r in reports for x in r["latencies"])
    errors: dict[str, int] = {}
    for r in reports:
        for name, count in r["errors"].items():
            errors[name] = errors.get(name, 0) + count
    return {
        "cycles_per_s": sum(r["cycles"] for r in reports) / seconds,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0,
        "refusals": sum(r["refusals"] for r in reports),
        "errors": errors,
    }


def figure_8(base: str, *, seconds: float, log, counts=(1, 5, 20, 50)) -> list[Result]:
    url = district_url(base, log)
    database = kdb.connect(url)
    work = pairs(max(counts))
    database.close()
    if len(set(work)) < len(work):
        raise SystemExit(f"the PostgreSQL bench district has fewer than {len(work)} free student/device pairs")
    results, single = [], None
    for stations in counts:
        log(f"  {stations} station(s) for {seconds:g} s")
        run = _run(url, stations, seconds, work)
        single = single or run["cycles_per_s"]
        results.append(Result(
            "8", f"{stations} PostgreSQL station(s): issue+return pairs per second (baseline: 1 station)",
            run["cycles_per_s"], single, unit="pairs/s",
            extra={"p99_ms": run["p99_ms"], "errors": sum(run["errors"].values()), "refusals": run["refusals"]},
        ))  # fmt: skip
    return results
