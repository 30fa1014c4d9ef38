#!/usr/bin/env python3
"""Measure kiosk against bare baselines measured in the same run, at district scale.

    .venv/bin/python scripts/bench.py                   # default scale: 100,000 students, 150,000 devices, 2M events
    .venv/bin/python scripts/bench.py --scale district-max
    .venv/bin/python scripts/bench.py --quick           # a quick look (under a minute once the caches exist)
    .venv/bin/python scripts/bench.py --only 3,4

Each figure is the median of repeated runs next to its baseline; the ratio is
what the targets bind, because this machine is shared and noisy and only the
ratio survives that. Districts and input files are cached in bench/cache/.
Results go to bench/results.json and a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT)]

from benchmarks import circulation, district, exports, imports, postgres, station
from benchmarks.common import Result, scratch

FIGURES = ("1", "2", "3", "4", "5", "6", "7", "8")


def table(results: list[Result]) -> str:
    lines = ["| # | what | kiosk | baseline | ratio | target | verdict |", "|---|---|---|---|---|---|---|"]
    for r in results:
        base = f"{r.baseline:.4g} {r.unit}" if r.baseline is not None else "-"
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        target = f"<= {r.target:g}x" if r.target is not None else r.goal or "-"
        extra = "".join(f"; {k} {v:.4g}" if isinstance(v, float) else f"; {k} {v}" for k, v in r.extra.items())
        lines.append(f"| {r.figure} | {r.what}{extra} | {r.kiosk:.4g} {r.unit} | {base} | {ratio} | {target} | "
                     f"{r.verdict} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(district.SCALES), default="default")
    parser.add_argument("--quick", action="store_true", help="small district, one repeat, fewer scans")
    parser.add_argument("--only", default=",".join(FIGURES), help="comma-separated figure numbers")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "cache")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.repeat = "quick", 1
    wanted = {f.strip() for f in args.only.split(",") if f.strip()}
    unknown = wanted - set(FIGURES)
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(sorted(unknown))}; figures are {', '.join(FIGURES)}")
    os.environ.setdefault("KIOSK_HOME", str(scratch()))  # never the user's own data directory
    log = lambda text: print(text, file=sys.stderr, flush=True)
    started = time.perf_counter()
    big = district.build(args.scale, args.cache, log)
    results: list[Result] = []
    work = scratch()
    cycles = 20 if args.quick else 1000
    if "1" in wanted:
        log("figure 1: issue + return")
        results.append(circulation.figure_1(big, cycles=cycles, log=log))
    if "2" in wanted:
        log("figure 2: scans at scale vs 1,000 devices")
        small = district.build("thousand", args.cache, log)
        results += circulation.figure_2(big, small, scans=cycles, log=log)
    if "3" in wanted:
        log("figure 3: scan-to-banner latency")
        results.append(station.figure_3(big, scans=50 if args.quick else 500))
    if "4" in wanted:
        rows = 10_000 if args.quick else 100_000
        log(f"figure 4: import {rows:,} device rows")
        results.append(imports.figure(work, args.cache, rows=rows, repeat=max(1, min(args.repeat, 3))))
    if "5" in wanted:
        day_events = 5_000 if args.quick else 50_000
        log(f"figure 5: reconciliation export of a {day_events:,}-event day")
        results.append(exports.figure_5(big, args.cache, work, events=day_events, repeat=max(1, min(args.repeat, 3))))
    if wanted & {"6", "7"}:
        log("figures 6 and 7: cold start and peak memory")
        results += [r for r in station.figures_6_7(big, repeat=args.repeat) if r.figure in wanted]
    if "8" in wanted:
        pg = os.environ.get("KIOSK_TEST_POSTGRES_URL")
        if pg:
            log("figure 8: concurrent stations on PostgreSQL")
            counts = (1, 5) if args.quick else (1, 5, 20, 50)
            results += postgres.figure_8(pg, seconds=3 if args.quick else 15, log=log, counts=counts)
        else:
            log("figure 8 skipped: KIOSK_TEST_POSTGRES_URL is not set")
    elapsed = time.perf_counter() - started
    record = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "scale": {"name": args.scale, "students": big.students, "devices": big.devices, "events": big.events},
        "repeat": args.repeat,
        "seconds": round(elapsed, 1),
        "results": [r.as_json() for r in results],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"{record['date']}, {record['cores']} cores, {record['machine']}, scale {args.scale} "
          f"({big.students:,} students, {big.devices:,} devices, {big.events:,} events), median of {args.repeat}\n")  # fmt: skip
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
