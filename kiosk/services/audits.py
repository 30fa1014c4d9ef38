"""Physical audits: start an audit of a site, record what is scanned there, finish or abandon it.

An audit changes no device, loan or fee: it records observations in ``audit`` and ``audit_scan``.
Its life is written to the ledger (``audit.started``, ``audit.finished`` with its counts,
``audit.abandoned``); resolutions (:mod:`kiosk.services.audit_resolve`) are what change devices.

Decisions: a device is *expected* at a site when the records place it there and it is not on loan,
lost, stolen, disposed or retired; a site's child sites are audited on their own. Scanning the
``LOC-`` card of a site that already has an open audit joins that audit (two technicians can walk one
large room, and an audit left by a locked station goes on). Missing devices are written when the
audit is finished, so an abandoned audit has no missing list and can never be resolved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from peewee import IntegrityError, fn

from kiosk import clock, ledger
from kiosk.config import Config
from kiosk.db import atomic, for_update, unavailable_as_error
from kiosk.dto import AUDIT_CATEGORIES, Actor, AuditCard, AuditLine
from kiosk.errors import DomainError, UnknownCode
from kiosk.services.codes import classify
from kiosk.services.common import authorize, require_site, site_by_code
from models import Audit, AuditScan, Device, Person, utcnow

NOT_EXPECTED = ("issued", "lost", "stolen", "disposed", "retired")
"""Statuses of devices the records do not expect to find on a shelf."""
RECENT = 6


@dataclass(frozen=True)
class AuditScanResult:
    """What one scan in an audit found."""

    card: AuditCard
    line: AuditLine
    duplicate: bool = False
    """The same device (or code) was already counted in this audit: nothing was recorded."""


@dataclass(frozen=True)
class AuditResult:
    """A whole audit: its card and every line, by category (missing lines only once it is finished)."""

    card: AuditCard
    lines: tuple[AuditLine, ...]

    def category(self, name: str) -> tuple[AuditLine, ...]:
        return tuple(line for line in self.lines if line.result == name)

    @property
    def case_problems(self) -> tuple[AuditLine, ...]:
        return tuple(line for line in self.lines if line.case_note)


class AuditClosed(DomainError):
    """The audit was finished or abandoned (perhaps at another station)."""


def _show(at) -> str | None:
    return clock.show(at) if at else None


def _expected_query(site_id: int):
    return Device.select().where((Device.site == site_id) & Device.status.not_in(NOT_EXPECTED))


def _note(row: AuditScan) -> str:
    if row.result == "unknown":
        return "not in the inventory"
    status = (row.recorded_status or "?").replace("_", " ")
    if row.result == "on_loan":
        return f"issued to {row.holder}"
    if row.result == "misplaced":
        return f"recorded {status} at {row.recorded_site or 'no site'}"
    if row.result == "missing":
        return f"{status}, not found"
    if row.case_number is not None:
        return f"in CASE-{row.case_number}"
    return row.device.item.name if row.device_id is not None else status


def _line(row: AuditScan) -> AuditLine:
    device = row.device
    return AuditLine(
        code=row.code,
        result=row.result,
        note=_note(row) + (f"; {row.case_note}" if row.case_note else ""),
        model=device.item.name if device is not None else None,
        recorded_site=row.recorded_site,
        recorded_status=row.recorded_status,
        holder=row.holder,
        case_number=row.case_number,
        case_note=row.case_note,
        scanned_at=_show(row.scanned_at),
        scanned_by=row.scanned_by,
        resolution=row.resolution,
    )


def _card(audit: Audit, case: int | None = None) -> AuditCard:
    counts = Counter(
        dict(
            AuditScan.select(AuditScan.result, fn.COUNT(AuditScan.id))
            .where(AuditScan.audit == audit)
            .group_by(AuditScan.result)
            .tuples()
        )
    )
    expected = audit.expected
    if audit.status == "open":
        expected = _expected_query(audit.site_id).count()
        counts["missing"] = max(0, expected - counts["verified"])
    recent = (
        AuditScan.select()
        .where((AuditScan.audit == audit) & AuditScan.scanned_at.is_null(False))
        .order_by(AuditScan.id.desc())
        .limit(RECENT)
    )
    site = audit.site
    return AuditCard(
        id=audit.id,
        site=site.code,
        site_name=site.name,
        site_kind=site.kind,
        status=audit.status,
        started=clock.show(audit.started_at),
        started_by=audit.started_by,
        finished=_show(audit.finished_at),
        counts=tuple((name, int(counts[name])) for name in AUDIT_CATEGORIES),
        expected=expected,
        recent=tuple(_line(row) for row in recent),
        case=case,
    )


def _locked_audit(audit_id: int) -> Audit:
    audit = for_update(Audit.select().where(Audit.id == audit_id)).first()
    if audit is None:
        raise UnknownCode(f"There is no audit number {audit_id}; `kiosk audit list` shows them.")
    return audit


def _require_open(audit: Audit) -> None:
    if audit.status != "open":
        raise AuditClosed(
            f"The audit of {audit.site.name} was {audit.status} by {audit.finished_by or 'someone'}; "
            f"scan LOC-{audit.site.code} to start a new one."
        )


def start_audit(actor: Actor, site_code: str, *, case: int | None = None) -> tuple[AuditCard, bool]:
    """Open an audit of the site, or join the one already open there; returns (card, joined)."""
    with unavailable_as_error(), atomic():
        authorize(actor, "audit")
        site = require_site(site_code)
        audit = (
            for_update(Audit.select().where((Audit.site == site) & (Audit.status == "open"))).order_by(Audit.id).first()
        )
        if audit is not None:
            return _card(audit, case), True
        try:
            with atomic():
                audit = Audit.create(site=site, started_by=actor.badge, station=actor.station)
        except IntegrityError:  # another station opened it a moment ago: join that one
            audit = Audit.get((Audit.site == site) & (Audit.status == "open"))
            return _card(audit, case), True
        ledger.record(
            "audit.started", station=actor.station, operator=actor.badge, to_site=site.code,
            details={"audit": audit.id},
        )  # fmt: skip
        return _card(audit, case), False


def _case_note(case_number: int, device: Device | None) -> str:
    owner = Person.get_or_none(Person.case_number == case_number)
    case = f"CASE-{case_number}"
    if device is None:
        return f"{case} held a tag that is not in the inventory"
    holder = device.holder
    if owner is None:
        return f"{case} is empty in the records"
    if holder is None:
        return f"{case} is {owner.full_name}'s ({owner.district_id}) but the device is not on loan"
    if holder.id != owner.id:
        return (
            f"{case} is {owner.full_name}'s ({owner.district_id}) but the device is issued to "
            f"{holder.full_name} ({holder.district_id})"
        )
    return ""


def record_scan(
    actor: Actor,
    audit_id: int,
    code: str,
    *,
    config: Config,
    case: int | None = None,
    idem_key: str | None = None,
) -> AuditScanResult:
    """Count one scanned code in an open audit: a device (by asset tag or serial) or an unknown code.

    ``case`` is the storage case the device was taken from (storage audits): the case's student must
    be the device's holder, else the line carries the difference. A code counted before is a duplicate
    and records nothing. A student ID is refused.
    """
    with unavailable_as_error(), atomic():
        authorize(actor, "audit")
        audit = _locked_audit(audit_id)
        if idem_key is not None:
            done = AuditScan.get_or_none(AuditScan.idem_key == idem_key)
            if done is not None:
                return AuditScanResult(_card(audit), _line(done))
        _require_open(audit)
        try:
            found = classify(code, config)
        except UnknownCode:
            found = None
        if found is not None and found.kind == "student":
            raise DomainError(f"{code} is a student ID; AUDIT mode counts devices. Scan the next device.")
        if found is not None and found.kind != "device":
            raise DomainError(f"{code} cannot be counted in an audit; scan a device.")
        device = found.device if found is not None else None
        key = device.asset_tag if device is not None else code
        existing = AuditScan.get_or_none((AuditScan.audit == audit) & (AuditScan.code == key))
        if existing is not None:
            return AuditScanResult(_card(audit, None), _line(existing), duplicate=True)
        row = AuditScan(audit=audit, code=key, device=device, scanned_at=utcnow(), scanned_by=actor.badge,
                        idem_key=idem_key, case_number=case)  # fmt: skip
        if device is None:
            row.result = "unknown"
        else:
            row.recorded_site = device.site.code if device.site else None
            row.recorded_status = device.status
            row.holder = device.holder.district_id if device.holder else None
        if case is not None:
            row.case_note = _case_note(case, device)
        if device is not None:
            if device.status == "issued":
                row.result = "verified" if case is not None and not row.case_note else "on_loan"
            elif device.site_id != audit.site_id or device.status in NOT_EXPECTED:
                row.result = "misplaced"
            else:
                row.result = "verified"
        try:
            with atomic():
                row.save(force_insert=True)
        except IntegrityError:  # another station counted it a moment ago
            existing = AuditScan.get((AuditScan.audit == audit) & (AuditScan.code == key))
            return AuditScanResult(_card(audit), _line(existing), duplicate=True)
        return AuditScanResult(_card(audit), _line(row))


def finish_audit(actor: Actor, audit_id: int) -> AuditCard:
    """Close the audit: every device expected here and not scanned is written as missing."""
    with unavailable_as_error(), atomic():
        authorize(actor, "audit")
        audit = _locked_audit(audit_id)
        _require_open(audit)
        scanned = {
            device_id
            for (device_id,) in AuditScan.select(AuditScan.device)
            .where((AuditScan.audit == audit) & AuditScan.device.is_null(False))
            .tuples()
        }
        expected = list(_expected_query(audit.site_id).order_by(Device.asset_tag))
        site = audit.site
        rows = [
            {
                "audit": audit.id, "code": d.asset_tag, "device": d.id, "result": "missing",
                "recorded_site": site.code, "recorded_status": d.status, "case_note": "",
            }
            for d in expected
            if d.id not in scanned
        ]  # fmt: skip
        for start in range(0, len(rows), 500):
            AuditScan.insert_many(rows[start : start + 500]).execute()
        audit.status, audit.finished_at, audit.finished_by = "finished", utcnow(), actor.badge
        audit.expected = len(expected)
        audit.save()
        card = _card(audit)
        ledger.record(
            "audit.finished", station=actor.station, operator=actor.badge, to_site=site.code,
            details={"audit": audit.id, "expected": card.expected, **dict(card.counts)},
        )  # fmt: skip
        return card


def abandon_audit(actor: Actor, audit_id: int) -> AuditCard:
    """Give the audit up: its scans stay on record, nothing is missing and nothing can be resolved."""
    with unavailable_as_error(), atomic():
        authorize(actor, "audit")
        audit = _locked_audit(audit_id)
        _require_open(audit)
        audit.status, audit.finished_at, audit.finished_by = "abandoned", utcnow(), actor.badge
        audit.save()
        card = _card(audit)
        ledger.record(
            "audit.abandoned", station=actor.station, operator=actor.badge, to_site=audit.site.code,
            details={"audit": audit.id, "scanned": sum(n for name, n in card.counts if name != "missing")},
        )  # fmt: skip
        return card


def audit_card(audit_id: int, *, case: int | None = None) -> AuditCard:
    with unavailable_as_error():
        audit = Audit.get_or_none(Audit.id == audit_id)
        if audit is None:
            raise UnknownCode(f"There is no audit number {audit_id}; `kiosk audit list` shows them.")
        return _card(audit, case)


def audit_result(audit_id: int) -> AuditResult:
    """An audit and all its lines (the missing ones too, once finished)."""
    with unavailable_as_error():
        card = audit_card(audit_id)
        rows = AuditScan.select().where(AuditScan.audit == audit_id).order_by(AuditScan.result, AuditScan.code)
        return AuditResult(card, tuple(_line(row) for row in rows))


def list_audits(site_code: str | None = None, *, limit: int = 50) -> tuple[AuditCard, ...]:
    """Audit history, newest first; of one site when ``site_code`` is given."""
    with unavailable_as_error():
        query = Audit.select().order_by(Audit.started_at.desc(), Audit.id.desc()).limit(limit)
        if site_code is not None:
            query = query.where(Audit.site == require_site(site_code))
        return tuple(_card(audit) for audit in query)


def latest_audit(site_code: str) -> AuditResult | None:
    """The latest finished audit of the site (None when it was never audited); UnknownCode for no such site."""
    with unavailable_as_error():
        site = site_by_code(site_code)
        if site is None:
            raise UnknownCode(f"No location has code {site_code}.")
        audit = (
            Audit.select()
            .where((Audit.site == site) & (Audit.status == "finished"))
            .order_by(Audit.finished_at.desc(), Audit.id.desc())
            .first()
        )
        return audit_result(audit.id) if audit is not None else None
