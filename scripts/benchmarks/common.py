"""What every figure shares: timing as the median of runs, fresh databases, the result record."""

from __future__ import annotations

import gc
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk import db as kdb

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=15000",
)
"""The pragmas kiosk opens SQLite with (kiosk/db.py); a bare baseline uses the same, so ratios compare code, not settings."""


@dataclass
class Result:
    """One line of the results table."""

    figure: str
    what: str
    kiosk: float
    baseline: float | None = None
    unit: str = "s"
    target: float | None = None
    """The most the ratio may be (None: reported, no target)."""
    extra: dict = field(default_factory=dict)
    goal: str | None = None
    """A target that is not a ratio bound, in words (figure 8); ``met`` says whether it was met."""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        return self.kiosk / self.baseline if self.baseline else None

    @property
    def verdict(self) -> str:
        if self.met is not None:
            return "met" if self.met else "NOT met"
        if self.target is None or self.ratio is None:
            return ""
        return "met" if self.ratio <= self.target else "NOT met"

    def as_json(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "verdict": self.verdict}


def p99(ordered: list[float]) -> float:
    """The 99th percentile of values already sorted (the largest, for fewer than a hundred)."""
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _timed(run: Callable[[], object], setup: Callable[[], object] | None) -> float:
    if setup is not None:
        setup()
    gc.collect()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def in_turns(
    kiosk: Callable[[], object],
    bare: Callable[[], object],
    *,
    repeat: int,
    kiosk_setup: Callable[[], object] | None = None,
    bare_setup: Callable[[], object] | None = None,
) -> tuple[float, float]:
    """Median wall times of kiosk's run and its baseline's, timed in turns (kiosk, bare, kiosk, ...), each
    after its untimed setup. A shared machine's speed drifts over minutes: timing every run of one side before
    the other puts the drift into the ratio (figure 4 gave 2.9x and 4.2x in two runs an hour apart that way)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        times[0].append(_timed(kiosk, kiosk_setup))
        times[1].append(_timed(bare, bare_setup))
    return statistics.median(times[0]), statistics.median(times[1])


def bare_sqlite(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with kiosk's pragmas, autocommit off by hand (BEGIN IMMEDIATE as kiosk does)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


def fresh_kiosk_db(directory: Path, name: str):
    """A new, migrated kiosk SQLite database bound to the models."""
    path = directory / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return kdb.connect(f"sqlite:///{path}", migrate=True)


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
