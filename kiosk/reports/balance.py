"""Devices out per site: the balance the Summary sheet checks.

For every site: devices out at the start of the day (from the loan records),
plus issued, minus returned, minus loans closed as lost or stolen, plus or minus
devices transferred while on loan (all from the ledger), must equal the
devices out at the end of the day (from the loan records again). The two ends
and the middle come from different tables, so a loan the ledger does not
know about, or an event whose loan record is missing, shows as a failed check.

A loan counts at the site its device is recorded at while it is out. A device
on loan does not move (transfers refuse it), so that is where the device is
now, unless a return or transfer after the moment asked about moved it: then
it is the ``from_site`` of the first such event.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from peewee import JOIN

from kiosk.reports.day import SILENT_MOVE, DayEvent
from models import Device, Event, Loan, Site

_SITE_CHANGES = ("returned", "device.moved")


def _moved_after(at: dt.datetime | None = None, after_id: int | None = None, tags=None) -> dict[str, str | None]:
    """Asset tag -> its site before the first site-changing event after ``at`` (or after event ``after_id``)."""
    where = Event.kind.in_(_SITE_CHANGES) & Event.to_site.is_null(False) & Event.asset_tag.is_null(False)
    where &= (Event.at >= at) if at is not None else (Event.id > after_id)
    if tags is not None:
        where &= Event.asset_tag.in_(tags)
    first: dict[str, str | None] = {}
    for tag, from_site in Event.select(Event.asset_tag, Event.from_site).where(where).order_by(Event.id).tuples():
        first.setdefault(tag, from_site)
    return first


def out_by_site(at: dt.datetime) -> Counter:
    """Devices on loan at the moment ``at`` (naive UTC), counted by the site each was recorded at."""
    moved = _moved_after(at=at)
    query = (
        Loan.select(Device.asset_tag, Site.code)
        .join(Device)
        .join(Site, JOIN.LEFT_OUTER, on=(Device.site == Site.id))
        .where((Loan.issued_at < at) & (Loan.returned_at.is_null() | (Loan.returned_at >= at)))
        .tuples()
    )
    counts: Counter = Counter()
    for tag, site in query.iterator():
        counts[moved.get(tag, site)] += 1
    return counts


def site_during_loan(tag: str, event_id: int, current: str | None) -> str | None:
    """Where a device was recorded just after event ``event_id`` (the device does not move while out)."""
    return _moved_after(after_id=event_id, tags=[tag]).get(tag, current)


def sites_during_loans(items: list[tuple[str, int, str | None]]) -> list[str | None]:
    """``site_during_loan`` for many (tag, event id, current site) at once: one query per 500 tags, not per item."""
    if not items:
        return []
    low = min(event_id for _, event_id, _ in items)
    tags = sorted({tag for tag, _, _ in items})
    changes: dict[str, tuple[list[int], list[str | None]]] = {}
    base = Event.kind.in_(_SITE_CHANGES) & Event.to_site.is_null(False) & (Event.id > low)
    for n in range(0, len(tags), 500):
        query = (Event.select(Event.asset_tag, Event.id, Event.from_site)
                 .where(base & Event.asset_tag.in_(tags[n : n + 500])).order_by(Event.id).tuples())  # fmt: skip
        for tag, event_id, from_site in query.iterator():
            ids, sites = changes.setdefault(tag, ([], []))
            ids.append(event_id)
            sites.append(from_site)
    found = []
    for tag, event_id, current in items:
        ids, sites = changes.get(tag, ((), ()))
        at = bisect.bisect_right(ids, event_id)
        found.append(sites[at] if at < len(ids) else current)
    return found


@dataclass
class SiteLine:
    """One row of the balance."""

    site: str | None
    out_start: int = 0
    issued: int = 0
    returned: int = 0
    closed: int = 0
    """Loans closed by marking the device lost or stolen."""
    moved: int = 0
    """Transfers of devices on loan: + in, - out (the services refuse them, so normally 0)."""
    out_end: int = 0

    @property
    def expected(self) -> int:
        return self.out_start + self.issued - self.returned - self.closed + self.moved

    @property
    def ok(self) -> bool:
        return self.expected == self.out_end


@dataclass
class Balance:
    """Collects the day's issues, returns, closings and moves by site; ``lines()`` adds the two ends."""

    start: dt.datetime
    end: dt.datetime
    lines_by_site: dict = field(default_factory=dict)
    _later: list = field(default_factory=list)
    _moves: list = field(default_factory=list)

    def _line(self, site: str | None) -> SiteLine:
        line = self.lines_by_site.get(site)
        if line is None:
            line = self.lines_by_site[site] = SiteLine(site)
        return line

    def add(self, e: DayEvent) -> None:
        kind = e.kind
        if kind == "issued":
            if e.to_site is not None:
                self._line(e.to_site).issued += 1
            else:
                self._later.append(("issued", e))
        elif kind == "returned":
            self._line(e.from_site).returned += 1
        elif kind == "status" and e.details.get("loan_closed"):
            self._later.append(("closed", e))
        elif kind == "device.moved" and e.asset_tag and e.details.get("reason") != SILENT_MOVE:
            self._moves.append(e)

    def _resolve(self) -> None:
        sites = sites_during_loans([(e.asset_tag, e.id, e.device_site) for _, e in self._later])
        for (what, _), site in zip(self._later, sites, strict=True):
            line = self._line(site)
            if what == "issued":
                line.issued += 1
            else:
                line.closed += 1
        self._later.clear()
        tags = sorted({e.asset_tag for e in self._moves})
        loans: dict[str, list] = {}
        for n in range(0, len(tags), 500):
            query = (
                Loan.select(Device.asset_tag, Loan.issued_at, Loan.returned_at)
                .join(Device)
                .where(Device.asset_tag.in_(tags[n : n + 500]))
                .tuples()
            )
            for tag, issued_at, returned_at in query:
                loans.setdefault(tag, []).append((issued_at, returned_at))
        for e in self._moves:
            if any(i <= e.at and (r is None or r > e.at) for i, r in loans.get(e.asset_tag, ())):
                self._line(e.to_site).moved += 1
                self._line(e.from_site).moved -= 1
        self._moves.clear()

    def lines(self, site: str | None = None) -> list[SiteLine]:
        """Every site with devices out or activity (or only ``site``), sorted by code."""
        self._resolve()
        for code, n in out_by_site(self.start).items():
            self._line(code).out_start = n
        for code, n in out_by_site(self.end).items():
            self._line(code).out_end = n
        lines = self.lines_by_site.values()
        if site is not None:
            lines = [self._line(site)]
        return sorted(lines, key=lambda line: (line.site is None, line.site or ""))
