"""``kiosk check``: replay the ledger, verify the hash chains and the invariants."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN

from kiosk.db import unavailable_as_error
from kiosk.dto import CheckReport
from kiosk.ledger import GENESIS, event_hash
from models import Device, Event, Fee, Loan, Person, Site, Station, Ticket
from models.circulation import TICKET_CLOSED

MAX_PROBLEMS = 1000
_BATCH = 5000


@dataclass
class _DeviceState:
    status: str
    site: str | None
    holder: str | None


@dataclass
class _FeeState:
    person: str
    amount: int
    paid: int = 0
    status: str = "owed"
    kind: str = "damage"
    school_year: int | None = None


@dataclass
class _TicketState:
    device: str
    status: str | None
    """None for a ticket opened without a status (the demo builder's): its status is not pinned until updated."""
    parts: int = 0
    labour: int = 0
    resolved: bool = False


class _Problems(list):
    def add(self, text: str) -> None:
        if len(self) < MAX_PROBLEMS:
            self.append(text)
        elif len(self) == MAX_PROBLEMS:
            self.append("... more problems not shown")


def _events():
    """Every event in ledger order, read in batches so ten years of history fit in memory."""
    last = 0
    while True:
        batch = list(Event.select().where(Event.id > last).order_by(Event.id).limit(_BATCH).dicts())
        if not batch:
            return
        yield from batch
        last = batch[-1]["id"]


class _Replay:
    def __init__(self, problems: _Problems):
        self.problems = problems
        self.devices: dict[str, _DeviceState] = {}
        self.fees: dict[str, _FeeState] = {}
        self.tickets: dict[str, _TicketState] = {}
        self.loaners: dict[str, str] = {}
        """Asset tag of a device out as a loaner -> the uuid of the ticket it covers."""
        self.cases: dict[str, int] = {}
        self.added_by: dict[str, str] = {}
        """Asset tag -> uuid of the ``devices.added`` event that imported it (the device row names it too)."""
        self.heads: dict[str, tuple[int, str]] = {}
        self.count = 0

    def chain(self, e: dict) -> None:
        seq, prev = self.heads.get(e["station"], (0, GENESIS))
        where = f"event {e['uuid']} (station {e['station']}, #{e['seq']})"
        if e["seq"] != seq + 1:
            self.problems.add(f"{where}: expected #{seq + 1}; events {seq + 1}..{e['seq'] - 1} are missing.")
        if e["prev_hash"] != prev:
            self.problems.add(f"{where}: does not follow the previous event of its station (chain broken).")
        if event_hash(e) != e["hash"]:
            self.problems.add(f"{where}: its content does not match its hash (altered after it was written).")
        self.heads[e["station"]] = (e["seq"], e["hash"])

    def apply(self, e: dict) -> None:
        self.count += 1
        self.chain(e)
        kind, tag = e["kind"], e["asset_tag"]
        try:
            d = json.loads(e["details"] or "{}")
        except ValueError:
            self.problems.add(f"event {e['uuid']}: details are not valid JSON.")
            return
        if kind == "device.added":
            self.devices[tag] = _DeviceState(d.get("status", "available"), e["to_site"], d.get("holder"))
            return
        if kind == "devices.added":
            self._batch(e, d)
            return
        if kind.startswith("fee."):
            self._fee(e, d)
            return
        if kind.startswith("ticket."):
            self._ticket(e, d)
            return
        if kind == "case.assigned":
            self.cases[e["person"]] = d.get("case")
            return
        if kind == "case.released":
            self.cases.pop(e["person"], None)
            return
        if tag is None or kind == "rejected":
            return
        state = self.devices.get(tag)
        if state is None:
            self.problems.add(f"event {e['uuid']} ({kind}) names device {tag}, which the ledger never added.")
            return
        if kind == "device.moved":
            state.site = e["to_site"]
        elif kind == "issued":
            state.status, state.holder = "issued", e["person"]
            state.site = e["to_site"] or state.site
            if d.get("loaner"):
                self.loaners[tag] = d.get("ticket")
        elif kind == "returned":
            state.status, state.holder = d.get("status", "available"), None
            state.site = e["to_site"] or state.site
            self.loaners.pop(tag, None)
        elif kind == "status":
            state.status = d["status"]
            if d.get("loan_closed"):
                state.holder = None
                self.loaners.pop(tag, None)

    def _batch(self, e: dict, d: dict) -> None:
        uuid = e["uuid"]
        try:
            for group in d["groups"]:
                site, status = group["site"], group["status"]
                for tag, _serial in group["devices"]:
                    self.devices[tag] = _DeviceState(status, site, None)
                    self.added_by[tag] = uuid
        except (KeyError, TypeError, ValueError):
            self.problems.add(f"event {uuid} (devices.added): its groups are not {{model, site, status, devices}}.")

    def _fee(self, e: dict, d: dict) -> None:
        if e["kind"] == "fee.assessed":
            amount = int(d.get("amount_cents", 0))
            # A zero fee (a free break, or nothing left under the yearly cap) is settled as it is assessed.
            status = "owed" if amount > 0 else "paid"
            self.fees[e["uuid"]] = _FeeState(e["person"], amount, 0, status, d.get("kind", "damage"),
                                             d.get("school_year"))  # fmt: skip
            return
        fee = self.fees.get(d.get("fee"))
        if fee is None:
            self.problems.add(f"event {e['uuid']} settles fee {d.get('fee')}, which was never assessed.")
            return
        if fee.status != "owed":
            self.problems.add(f"event {e['uuid']} settles fee {d.get('fee')}, which was already {fee.status}.")
        if e["kind"] == "fee.paid":
            fee.paid += int(d.get("amount_cents", 0))
            if fee.paid > fee.amount:
                self.problems.add(f"fee {d.get('fee')}: paid {fee.paid} cents of {fee.amount} (a negative balance).")
            if fee.paid >= fee.amount:
                fee.status = "paid"
        elif e["kind"] == "fee.waived":
            fee.status = "waived"

    def _ticket(self, e: dict, d: dict) -> None:
        if e["kind"] == "ticket.opened":
            self.tickets[e["uuid"]] = _TicketState(e["asset_tag"], d.get("status"))
            return
        ticket = self.tickets.get(d.get("ticket"))
        if ticket is None:
            self.problems.add(f"event {e['uuid']} updates ticket {d.get('ticket')}, which was never opened.")
            return
        if ticket.resolved:
            self.problems.add(f"event {e['uuid']} updates ticket {d.get('ticket')} after it was resolved.")
        ticket.status = d.get("status", ticket.status)
        ticket.parts += int(d.get("parts_cents", 0))
        ticket.labour += int(d.get("labour_cents", 0))
        ticket.resolved = ticket.status in TICKET_CLOSED


def _compare_devices(replay: _Replay, problems: _Problems) -> int:
    sites = dict(Site.select(Site.id, Site.code).tuples())
    people = dict(Person.select(Person.id, Person.district_id).tuples())
    seen = 0
    query = Device.select(Device.asset_tag, Device.status, Device.site, Device.holder, Device.added_event).tuples()
    for tag, status, site_id, holder_id, added_event in query.iterator():
        seen += 1
        actual = _DeviceState(status, sites.get(site_id), people.get(holder_id))
        expected = replay.devices.pop(tag, None)
        if added_event != replay.added_by.get(tag) and expected is not None:
            problems.add(
                f"device {tag}: the records say event {added_event} added it, "
                f"the ledger says {replay.added_by.get(tag) or 'its own device.added event'}."
            )
        if expected is None:
            problems.add(f"device {tag} is in the inventory but has no history in the ledger.")
        elif expected != actual:
            problems.add(
                f"device {tag}: the ledger says {expected.status} at {expected.site} held by {expected.holder}, "
                f"the records say {actual.status} at {actual.site} held by {actual.holder}."
            )
    for tag in replay.devices:
        problems.add(f"device {tag} is in the ledger but missing from the inventory.")
    return seen


def _check_loans(problems: _Problems) -> None:
    open_loans: dict[int, list] = defaultdict(list)
    for loan_id, device_id, person_id in (
        Loan.select(Loan.id, Loan.device, Loan.person).where(Loan.returned_at.is_null()).tuples().iterator()
    ):
        open_loans[device_id].append(person_id)
    query = Device.select(Device.id, Device.asset_tag, Device.status, Device.holder).tuples()
    for device_id, tag, status, holder in query.iterator():
        loans = open_loans.pop(device_id, [])
        if len(loans) > 1:
            problems.add(f"device {tag} has {len(loans)} open loans.")
        if status == "issued" and (holder is None or loans != [holder]):
            problems.add(f"device {tag} is issued but its holder and its open loan do not agree.")
        if status != "issued" and (holder is not None or loans):
            problems.add(f"device {tag} is {status} yet has a holder or an open loan.")
    for device_id in open_loans:
        problems.add(f"an open loan names device id {device_id}, which does not exist.")


def _compare_fees(replay: _Replay, problems: _Problems) -> None:
    people = dict(Person.select(Person.id, Person.district_id).tuples())
    for fee in Fee.select().iterator():
        expected = replay.fees.pop(fee.created_event, None)
        if expected is None:
            problems.add(f"fee {fee.id} has no fee.assessed event in the ledger.")
            continue
        actual = _FeeState(people.get(fee.person_id), fee.amount_cents, fee.paid_cents, fee.status, fee.kind,
                           fee.school_year)  # fmt: skip
        if expected != actual:
            problems.add(f"fee {fee.id}: the ledger says {expected}, the records say {actual}.")
    for uuid in replay.fees:
        problems.add(f"fee assessed by event {uuid} is missing from the fee records.")


def _compare_tickets(replay: _Replay, problems: _Problems) -> None:
    tags = dict(Device.select(Device.id, Device.asset_tag).tuples())
    for ticket in Ticket.select().iterator():
        expected = replay.tickets.pop(ticket.opened_event, None)
        if expected is None:
            problems.add(f"ticket {ticket.id} has no ticket.opened event in the ledger.")
            continue
        actual = _TicketState(tags.get(ticket.device_id), ticket.status, ticket.parts_cents, ticket.labour_cents,
                              ticket.resolved_at is not None)  # fmt: skip
        if expected.status is None:
            expected.status = actual.status
        if expected != actual:
            problems.add(f"ticket {ticket.id}: the ledger says {expected}, the records say {actual}.")
    for uuid in replay.tickets:
        problems.add(f"ticket opened by event {uuid} is missing from the ticket records.")


def _compare_loaners(replay: _Replay, problems: _Problems) -> None:
    query = (
        Loan.select(Device.asset_tag, Loan.loaner, Ticket.opened_event)
        .join(Device, on=(Loan.device == Device.id))
        .switch(Loan)
        .join(Ticket, JOIN.LEFT_OUTER, on=(Loan.ticket == Ticket.id))
        .where(Loan.returned_at.is_null())
        .tuples()
    )
    actual = {tag: ticket for tag, loaner, ticket in query.iterator() if loaner}
    for tag in sorted(set(actual) | set(replay.loaners)):
        if actual.get(tag) != replay.loaners.get(tag):
            problems.add(
                f"loaner {tag}: the ledger says it covers ticket {replay.loaners.get(tag)}, "
                f"the records say {actual.get(tag)}."
            )


def _compare_cases(replay: _Replay, problems: _Problems) -> None:
    actual = dict(
        Person.select(Person.district_id, Person.case_number).where(Person.case_number.is_null(False)).tuples()
    )
    for person in sorted({person for person, _ in set(actual.items()) ^ set(replay.cases.items())}):
        problems.add(
            f"storage case of {person}: the ledger says {replay.cases.get(person)}, the records say {actual.get(person)}."
        )


def check() -> CheckReport:
    """Replay every event and compare with the tables; list every difference found."""
    problems = _Problems()
    with unavailable_as_error():
        replay = _Replay(problems)
        for event in _events():
            replay.apply(event)
        stations = list(Station.select())
        for name in sorted(set(replay.heads) - {station.name for station in stations}):
            problems.add(f"station {name}: the ledger holds its events but the head of its chain is missing.")
        for station in stations:
            seq, last = replay.heads.get(station.name, (0, GENESIS))
            if (station.last_seq, station.last_hash or GENESIS) != (seq, last):
                problems.add(
                    f"station {station.name}: its chain ends at #{station.last_seq} but the ledger holds #{seq} "
                    "(events deleted from the end?)."
                )
        devices = _compare_devices(replay, problems)
        _check_loans(problems)
        _compare_fees(replay, problems)
        _compare_tickets(replay, problems)
        _compare_loaners(replay, problems)
        _compare_cases(replay, problems)
    return CheckReport(replay.count, devices, len(stations), tuple(problems))
