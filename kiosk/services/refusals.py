"""Refused scans are written to the ledger, never silently dropped."""

from __future__ import annotations

from kiosk import ledger
from kiosk.db import atomic, unavailable_as_error
from kiosk.dto import Actor

MAX_LOGGED_SCAN = 200


def record_refusal(actor: Actor, scan: str, reason: str, *, mode: str, idem_key: str | None = None) -> str:
    """Log a refused scan with its reason; returns the event uuid. Changes nothing else."""
    shown = scan if len(scan) <= MAX_LOGGED_SCAN else scan[:MAX_LOGGED_SCAN] + "…"
    with unavailable_as_error(), atomic():
        done = ledger.find_by_key(idem_key)
        if done is not None:
            return done.uuid
        event = ledger.record(
            "rejected",
            station=actor.station,
            operator=actor.badge,
            details={"scan": shown, "reason": reason, "mode": mode},
            idem_key=idem_key,
        )
        return event.uuid
