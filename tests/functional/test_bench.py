"""The benchmark script runs and writes what the README's Performance table is made from.

Only its plumbing is tested here (a tiny district, one repeat): the figures
themselves are measured by running scripts/bench.py, never by a timed test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_bench_writes_results_and_a_table(tmp_path):
    out = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--only", "1,2,4",
         "--cache", str(tmp_path / "cache"), "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads(out.read_text())
    assert record["cores"] == os.cpu_count() and record["scale"]["name"] == "quick"
    figures = {r["figure"]: r for r in record["results"]}
    assert set(figures) == {"1", "2a", "2b", "4"}
    for result in figures.values():
        assert result["kiosk"] > 0 and result["baseline"] > 0
        assert result["ratio"] == result["kiosk"] / result["baseline"]
    assert figures["4"]["target"] == 4.0 and figures["4"]["verdict"] in ("met", "NOT met")
    assert figures["1"]["extra"] == {"cycles": 20, "block": 20}  # kiosk and bare take turns in blocks
    assert "| 4 | import 10,000 device rows (CSV)" in proc.stdout


def test_unknown_figures_are_a_usage_error(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--only", "9"],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert proc.returncode == 2 and "unknown figure(s) 9" in proc.stderr
