"""Riding through a lost database: one scan retried with its idempotency key until it is applied once.

The workflow answers a scan the database could not take with the event
``unavailable`` (the connection went away) or ``conflict`` (PostgreSQL gave up
on a transaction that raced another station), records nothing and keeps its
own state. :func:`apply_scan` then runs the same scan again with the same
idempotency key: at once after a conflict, after reconnecting once a second
after a lost connection. A scan whose commit reached the database but whose
answer was lost comes back as the first result, so nothing is applied twice,
and no success is claimed before a commit.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from kiosk import db
from kiosk.errors import DatabaseUnavailable
from kiosk.outcome import Outcome

RETRY_EVENTS = ("unavailable", "conflict")
CONFLICT_ATTEMPTS = 8
"""A race lost this many times in a row is answered as it is (red), not retried for ever."""
RECONNECT_EVERY = 1.0
"""Seconds between reconnection attempts."""


def apply_scan(
    workflow,
    raw: str,
    idem_key: str,
    *,
    on_wait: Callable[[str], None] | None = None,
    patience: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    reconnect: Callable[[], None] = db.reconnect,
) -> Outcome:
    """``workflow.handle(raw, idem_key)``, retried while the database is away or a race was lost.

    ``on_wait(message)`` is called before each wait for the database (the
    station shows "reconnecting…"); ``patience`` seconds without a database
    (None: for ever) give up and return the last "unavailable" outcome.
    """
    started = time.monotonic()
    conflicts = 0
    while True:
        outcome = workflow.handle(raw, idem_key)
        if outcome.event not in RETRY_EVENTS:
            return outcome
        workflow.tally.scans -= 1  # the same scan again: counted once
        if outcome.event == "conflict":
            conflicts += 1
            if conflicts >= CONFLICT_ATTEMPTS:
                workflow.tally.scans += 1
                return outcome
            sleep(random.uniform(0.0, 0.02 * conflicts))
            continue
        while True:
            if patience is not None and time.monotonic() - started >= patience:
                workflow.tally.scans += 1
                return outcome
            if on_wait is not None:
                on_wait(
                    f"Reconnecting to the database… the scan {raw.strip()[:40]!r} is kept and will be applied once."
                )
            sleep(RECONNECT_EVERY)
            try:
                reconnect()
                break
            except DatabaseUnavailable:
                continue
