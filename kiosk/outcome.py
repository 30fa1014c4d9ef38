"""What a scan did: the outcome every front end renders, and the shift tally."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from kiosk.dto import AuditCard, CaseCard, DeviceCard, LocationCard, StudentCard


@dataclass(frozen=True)
class Outcome:
    """What one scan did, and the state the screen should show afterwards."""

    scan: str
    ok: bool
    level: str
    """``done`` (green), ``info`` (neutral), ``warn`` (yellow: needs $CONFIRM) or ``error`` (red)."""
    event: str
    """``mode``, ``student``, ``issued``, ``returned``, ``transferred``, ``status``, ``lookup``,
    ``case``, ``armed``, ``confirm``, ``cancelled``, ``done``, ``lock`` or ``error``."""
    message: str
    mode: str
    student: StudentCard | None = None
    device: DeviceCard | None = None
    case: CaseCard | None = None
    location: LocationCard | None = None
    armed: str | None = None
    """The armed return condition (RETURN) or status (STATUS)."""
    destination: LocationCard | None = None
    moved: tuple[str, ...] = ()
    pending: bool = False
    event_id: str | None = None
    audit: AuditCard | None = None
    """AUDIT mode: the open (or just finished) audit with its running counts."""

    def as_json(self) -> dict:
        out = {
            "scan": self.scan,
            "ok": self.ok,
            "level": self.level,
            "event": self.event,
            "message": self.message,
            "mode": self.mode,
        }
        for name in ("student", "device", "case", "location", "destination", "audit"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.as_json()
        if self.armed:
            out["armed"] = self.armed
        if self.moved:
            out["moved"] = list(self.moved)
        if self.pending:
            out["pending"] = True
        if self.event_id:
            out["event_id"] = self.event_id
        return out


@dataclass
class Tally:
    """The shift so far at this station."""

    issued: int = 0
    returned: int = 0
    transferred: int = 0
    refused: int = 0
    scans: int = 0
    started: float = field(default_factory=time.monotonic)

    def per_hour(self, now: float | None = None) -> float:
        hours = max((now or time.monotonic()) - self.started, 60.0) / 3600
        return self.scans / hours

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("started")
        return d
