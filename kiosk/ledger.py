"""The append-only ledger: writing events with their per-station hash chain.

Event kinds and what replaying them does (``kiosk.services.check`` replays):

==================  ==========================================================
``device.added``    a device enters inventory; details: status, site, serial
``devices.added``   up to a thousand devices enter inventory together (an
                    import); no asset_tag; details.groups: one
                    ``{model, site, status, devices: [[asset_tag, serial],
                    ...]}`` per model, site and status; every one of those
                    devices names this event in ``added_event``
``device.moved``    ``to_site`` becomes the device's site (transfer, or the
                    silent move when a device is issued at another school;
                    details.reason ``audit`` and details.audit: a misplaced
                    device moved by an audit resolution)
``issued``          opens a loan to ``person``; status ``issued``; details.loaner
                    and details.ticket (uuid of its ticket.opened) mark a loaner
``returned``        closes the open loan; details: condition, status; site
                    becomes ``to_site`` when given
``status``          details: status; details.loan_closed closes an open loan;
                    details.note says why (an audit resolution names the audit)
``fee.assessed``    a fee, identified by this event's uuid; details: kind
                    (damage, charger, accessory, loss), amount_cents,
                    school_year, reason (``free break`` for a free break); a
                    zero fee is settled as it is assessed
``fee.paid``        details: fee (uuid of fee.assessed), amount_cents, method,
                    receipt, payment (one uuid per payment, which may span fees)
``fee.waived``      details: fee, reason, amount_cents (what was left owing)
``ticket.opened``   a repair ticket, identified by this event's uuid; details:
                    problem, status (``open``)
``ticket.updated``  details: ticket (uuid of ticket.opened), status, previous,
                    parts_cents / labour_cents added, vendor, note; the device's
                    own changes are the ``status`` / ``device.moved`` next to it
``case.assigned``   details: case; ``case.released`` frees it
``rejected``        a refused scan; details: scan, reason (changes nothing)
``audit.started``   a physical audit of ``to_site`` began; details: audit (its
                    number). ``audit.finished`` (details: expected and the
                    count of each result) and ``audit.abandoned`` close it;
                    ``audit.review`` sent an unknown tag (details: audit, code)
                    to the needs-review list. None of them changes a device:
                    an audit's resolutions write ``device.moved`` / ``status``
==================  ==========================================================

Other kinds (``operator.added``, ``signin``, ``signin.failed``, ``import``
(one per import run: counts and file names), ``catalog.merged``,
``catalog.alias``, ``device.labeled`` (an asset label was printed; ``kiosk
labels assets --unlabeled`` reads them)) change no device, loan, fee or ticket
and are kept for the record.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import time
from dataclasses import dataclass

from kiosk.db import for_update
from models import Event, Station, utcnow
from models.prepared import Prepared

GENESIS = "0" * 64


_DETAILS = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
_ASCII = json.encoder.encode_basestring_ascii
"""What ``json.dumps`` uses for a string when ``ensure_ascii`` is on (the C version where there is one)."""


def canonical_details(details: dict | None) -> str:
    """Details as stored and hashed: sorted keys, compact. Text a database cannot hold (a lone surrogate
    from a garbled scan read with ``surrogateescape``) is kept as a visible ``\\udcff`` escape."""
    if not details:
        return "{}"
    text = _DETAILS.encode(details)
    return text if text.isascii() else text.encode("utf-8", "backslashreplace").decode("utf-8")


def _atom(value) -> str:
    # Exactly json.dumps(value) for the field types an event has: text, whole numbers, null.
    if value is None:
        return "null"
    if value.__class__ is str:
        return _ASCII(value)
    if value.__class__ is int:
        return str(value)
    return json.dumps(value)


def event_hash(row: dict) -> str:
    """SHA-256 over every stored field of an event and the previous hash.

    The payload is the compact JSON array of the fields in a fixed order (the
    same bytes as ``json.dumps(list, separators=(",", ":"))``, built directly
    because bulk loads hash millions of events).
    """
    at = row["at"]
    if not hasattr(at, "isoformat"):
        at_text = str(at)
    else:  # the same text either way; without arguments it is made at a third of the cost
        at_text = at.isoformat() if at.microsecond else at.isoformat(timespec="microseconds")
    payload = ",".join(
        map(
            _atom,
            (
                row["uuid"],
                row["station"],
                row["seq"],
                at_text,
                row.get("operator"),
                row["kind"],
                row.get("asset_tag"),
                row.get("person"),
                row.get("from_site"),
                row.get("to_site"),
                row.get("details") or "{}",
                row.get("idem_key"),
                row["prev_hash"],
            ),
        )
    )
    return hashlib.sha256(f"[{payload}]".encode()).hexdigest()


def new_uuid() -> str:
    """A version-7 UUID (RFC 9562): Unix milliseconds, then random bits.

    Events made later sort later, so the unique index on ``event.uuid`` grows
    at its end instead of at random places, which keeps bulk loads and a
    ten-year ledger cheap to insert into.
    """
    ms = time.time_ns() // 1_000_000 & 0xFFFF_FFFF_FFFF
    rand = int.from_bytes(os.urandom(10), "big")
    value = ms << 80 | 0x7 << 76 | (rand >> 68) << 64 | 0b10 << 62 | rand & 0x3FFF_FFFF_FFFF_FFFF
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


EVENT_FIELDS = ("uuid", "station", "seq", "at", "operator", "kind", "asset_tag", "person", "from_site", "to_site",
                "details", "idem_key", "prev_hash", "hash")  # fmt: skip
_FIELD_VALUES = operator.itemgetter(*EVENT_FIELDS)
_HEAD = Prepared(lambda name: for_update(Station.select().where(Station.name == name).limit(1)))
_INSERT = Prepared(lambda *values: Event.insert(dict(zip(EVENT_FIELDS, values, strict=True))))
_BY_KEY = Prepared(lambda key: Event.select().where(Event.idem_key == key).limit(1))
_ADVANCE = Prepared(
    lambda seq, last, station: Station.update(last_seq=seq, last_hash=last).where(Station.id == station)
)
_ADVANCE_FROM = Prepared(
    lambda seq, last, station, seq_before, last_before: Station.update(last_seq=seq, last_hash=last).where(
        (Station.id == station) & (Station.last_seq == seq_before) & (Station.last_hash == last_before)
    )
)
_HEADS: dict[str, tuple[int, int, str]] = {}
"""Per station name: (station id, last seq, last hash) as this process last wrote them. Only a guess: the
chain moves on only if the stored head still says the same (``_ADVANCE_FROM``), so a head another process
moved, or a write rolled back, costs one read of the station row instead of a broken chain."""


def _station_row(name: str) -> Station:
    station = _HEAD.first(name)
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
    known = _HEADS.get(station)
    seq, last = (known[1], known[2]) if known else (0, GENESIS)
    row = {
        "uuid": new_uuid(),
        "station": station,
        "seq": seq + 1,
        "at": utcnow(),
        "operator": operator,
        "kind": kind,
        "asset_tag": asset_tag,
        "person": person,
        "from_site": from_site,
        "to_site": to_site,
        "details": canonical_details(details),
        "idem_key": idem_key,
        "prev_hash": last,
    }
    row["hash"] = event_hash(row)
    if known is not None and _ADVANCE_FROM.execute(row["seq"], row["hash"], known[0], seq, last) == 1:
        station_id = known[0]
    else:  # first event of this process, or the head moved under it: read where the chain stands
        head = _station_row(station)
        station_id = head.id
        row["seq"], row["prev_hash"] = head.last_seq + 1, head.last_hash or GENESIS
        row["hash"] = event_hash(row)
        _ADVANCE.execute(row["seq"], row["hash"], station_id)
    try:
        event_id = _INSERT.insert(*_FIELD_VALUES(row))
    except Exception:
        _HEADS.pop(station, None)  # the use case's transaction is undone, station row and all
        raise
    _HEADS[station] = (station_id, row["seq"], row["hash"])
    row["id"] = event_id
    event = object.__new__(Event)  # the row as written, as a query would return it (nothing left to save)
    event.__data__, event._dirty, event.__rel__ = row, set(), {}
    return event


def find_by_key(idem_key: str | None) -> Event | None:
    """The event already written for this idempotency key, if any."""
    if not idem_key:
        return None
    return _BY_KEY.first(idem_key)


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
            "uuid": fields.get("uuid") or new_uuid(),
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


__all__ = ["GENESIS", "BulkChain", "canonical_details", "event_hash", "find_by_key", "new_uuid", "record"]
