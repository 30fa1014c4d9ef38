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


def median_time(run: Callable[[], object], *, repeat: int, setup: Callable[[], object] | None = None) -> float:
    """Median wall time of ``run`` over ``repeat`` runs; ``setup`` (untimed) runs before each."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
