"""The append-only ledger: writing events with their per-station hash chain.

Event kinds and what replaying them does (``kiosk.services.check`` replays):

=================  ==========================================================
``device.added``   a device enters inventory; details: status, site, serial
``device.moved``   ``to_site`` becomes the device's site (transfer, or the
                   silent move when a device is issued at another school)
``issued``         opens a loan to ``person``; status ``issued``
``returned``       closes the open loan; details: condition, status; site
                   becomes ``to_site`` when given
``status``         details: status; details.loan_closed closes an open loan
``fee.assessed``   a fee, identified by this event's uuid; details: kind,
                   amount_cents, school_year, reason
``fee.paid``       details: fee (uuid of fee.assessed), amount_cents
``fee.waived``     details: fee, reason
``ticket.opened``  a repair ticket, identified by this event's uuid
``case.assigned``  details: case; ``case.released`` frees it
``rejected``       a refused scan; details: scan, reason (changes nothing)
=================  ==========================================================

Other kinds (``operator.added``, ``signin``, ``signin.failed``, ``import``
(one per import run: counts and file names), ``catalog.merged``,
``catalog.alias``) change no device, loan, fee or ticket and are kept for the
record.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass

from kiosk.db import for_update
from models import Event, Station, utcnow

GENESIS = "0" * 64


def canonical_details(details: dict | None) -> str:
    """Details as stored and hashed: sorted keys, compact. Text a database cannot hold (a lone surrogate
    from a garbled scan read with ``surrogateescape``) is kept as a visible ``\\udcff`` escape."""
    text = json.dumps(details or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def event_hash(row: dict) -> str:
    """SHA-256 over every stored field of an event and the previous hash."""
    at = row["at"]
    payload = [
        row["uuid"],
        row["station"],
        row["seq"],
        at.isoformat(timespec="microseconds") if hasattr(at, "isoformat") else str(at),
        row.get("operator"),
        row["kind"],
        row.get("asset_tag"),
        row.get("person"),
        row.get("from_site"),
        row.get("to_site"),
        row.get("details") or "{}",
        row.get("idem_key"),
        row["prev_hash"],
    ]
    return hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()


def _station_row(name: str) -> Station:
    station = for_update(Station.select().where(Station.name == name)).first()
    if station is None:
        Station.insert(name=name).on_conflict_ignore().execute()
        station = for_update(Station.select().where(Station.name == name)).get()
    return station


def record(
    kind: str,
    *,
    station: str,
    operator: str | None = None,
    asset_tag: str | None = None,
    person: str | None = None,
    from_site: str | None = None,
    to_site: str | None = None,
    details: dict | None = None,
    idem_key: str | None = None,
) -> Event:
    """Append one event to ``station``'s chain. Call inside the use case's transaction."""
    head = _station_row(station)
    row = {
        "uuid": str(uuidlib.uuid4()),
        "station": station,
        "seq": head.last_seq + 1,
        "at": utcnow(),
        "operator": operator,
        "kind": kind,
        "asset_tag": asset_tag,
        "person": person,
        "from_site": from_site,
        "to_site": to_site,
        "details": canonical_details(details),
        "idem_key": idem_key,
        "prev_hash": head.last_hash or GENESIS,
    }
    row["hash"] = event_hash(row)
    event = Event.create(**row)
    Station.update(last_seq=row["seq"], last_hash=row["hash"]).where(Station.id == head.id).execute()
    return event


def find_by_key(idem_key: str | None) -> Event | None:
    """The event already written for this idempotency key, if any."""
    if not idem_key:
        return None
    return Event.get_or_none(Event.idem_key == idem_key)


@dataclass
class BulkChain:
    """Builds chained event rows in memory for bulk loads (demo districts, imports).

    Rows go to ``Event.insert_many``; ``close()`` stores the chain head.
    """

    station: str
    seq: int = 0
    last_hash: str = GENESIS

    @classmethod
    def open(cls, station: str) -> BulkChain:
        head = _station_row(station)
        return cls(station, head.last_seq, head.last_hash or GENESIS)

    def row(self, kind: str, at=None, **fields) -> dict:
        self.seq += 1
        row = {
            "uuid": str(uuidlib.uuid4()),
            "station": self.station,
            "seq": self.seq,
            "at": at or utcnow(),
            "operator": fields.get("operator"),
            "kind": kind,
            "asset_tag": fields.get("asset_tag"),
            "person": fields.get("person"),
            "from_site": fields.get("from_site"),
            "to_site": fields.get("to_site"),
            "details": canonical_details(fields.get("details")),
            "idem_key": fields.get("idem_key"),
            "prev_hash": self.last_hash,
        }
        row["hash"] = self.last_hash = event_hash(row)
        return row

    def close(self) -> None:
        Station.update(last_seq=self.seq, last_hash=self.last_hash).where(Station.name == self.station).execute()


__all__ = ["GENESIS", "BulkChain", "canonical_details", "event_hash", "find_by_key", "record"]
