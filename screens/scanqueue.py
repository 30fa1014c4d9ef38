"""The one ordered queue between the scan field and the single worker thread that applies scans.

Scans arrive as fast as a scanner types; the database may answer slower. Every
scan (and every function-key command) is put here on the UI thread in the
order it was read, gets its idempotency key at that moment, and is taken out
by exactly one consumer, so the workflow sees them strictly in order and none
is lost.
"""

from __future__ import annotations

import itertools
import queue
import threading
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """One queued scan or mode switch."""

    seq: int
    """Position in the order the station read it (1, 2, 3, ...)."""
    kind: str
    """``scan`` (a raw scan, or a command a key stands for) or ``switch`` (a mode key)."""
    value: str
    """The raw scan, or the mode's name."""
    idem_key: str
    """uuid4 given when the job was queued; a retried scan keeps it, so it applies once."""


_CLOSE = object()


class ScanQueue:
    """A FIFO of :class:`Job` with one consumer, and the count of jobs not answered yet."""

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue()
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._waiting = 0

    def put(self, kind: str, value: str) -> Job:
        """Queue a job (UI thread). Its idempotency key is made here, once."""
        job = Job(next(self._seq), kind, value, str(uuid.uuid4()))
        with self._lock:
            self._waiting += 1
        self._queue.put(job)
        return job

    def get(self, timeout: float) -> Job | None:
        """The next job, ``None`` after ``timeout`` with nothing queued; raises EOFError once closed."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _CLOSE:
            raise EOFError
        return item

    def answered(self) -> None:
        """One job's outcome reached the screen (UI thread)."""
        with self._lock:
            self._waiting = max(0, self._waiting - 1)

    def discard(self) -> list[Job]:
        """Take out every job still queued (after the station locked: they must not run as that operator)."""
        dropped = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _CLOSE:
                dropped.append(item)
        with self._lock:
            self._waiting = max(0, self._waiting - len(dropped))
        return dropped

    def close(self) -> None:
        """Tell the consumer to stop after the jobs already queued."""
        self._queue.put(_CLOSE)

    @property
    def waiting(self) -> int:
        """Jobs queued or being applied whose outcome has not been shown yet."""
        with self._lock:
            return self._waiting
