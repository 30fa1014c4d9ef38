"""Resolving a finished audit: the only way an audit changes the records.

- ``move``: misplaced devices are moved to the audited site (``device.moved``, reason ``audit``).
- ``lost``: devices missing from the latest ``lost_after`` finished audits of the site in a row are
  marked lost through :func:`kiosk.services.circulation.set_status`, which applies the fee policy to the
  holder only when the device is on loan (and closes that loan); a device in the district's hands costs
  nobody anything.
- ``review``: unknown tags go on the needs-review list (``audit.review``; no device changes).

One call is one transaction. Named codes must all be resolvable (else nothing changes and the refusal
says which and why); without codes every line of the category is tried and the ones that cannot be
resolved are reported with their reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk import clock, ledger
from kiosk.config import Config
from kiosk.db import atomic, for_update, unavailable_as_error
from kiosk.dto import Actor
from kiosk.errors import BadInput, DomainError
from kiosk.services import circulation
from kiosk.services.common import authorize, device_by_code
from models import Audit, AuditScan, Device, utcnow

ACTIONS = {"move": "misplaced", "lost": "missing", "review": "unknown"}
"""Resolution action -> the result category it resolves."""
LOST_AFTER = 3
"""Default number of finished audits in a row a device must be missing from before it may be marked lost."""
WRITTEN_OFF = ("lost", "stolen", "disposed", "retired")


@dataclass(frozen=True)
class Resolution:
    """What one resolve call did: the lines resolved (code, sentence) and those left (code, reason)."""

    audit: int
    action: str
    done: tuple[tuple[str, str], ...]
    skipped: tuple[tuple[str, str], ...]
    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class ReviewItem:
    """An unknown tag sent to the needs-review list by an audit."""

    code: str
    site: str
    audit: int
    scanned_at: str | None
    scanned_by: str | None
    sent_at: str | None
    sent_by: str | None
    now_known: bool
    """The tag has since entered the inventory (it was imported or added)."""


def _streak(device_id: int, site_id: int) -> int:
    """In how many of the site's latest finished audits in a row the device was missing."""
    n = 0
    audits = Audit.select(Audit.id).where((Audit.site == site_id) & (Audit.status == "finished"))
    for (audit_id,) in audits.order_by(Audit.finished_at.desc(), Audit.id.desc()).tuples().iterator():
        row = AuditScan.get_or_none((AuditScan.audit == audit_id) & (AuditScan.device == device_id))
        if row is None or row.result != "missing":
            break
        n += 1
    return n


def _latest_finished(site_id: int) -> Audit | None:
    query = Audit.select().where((Audit.site == site_id) & (Audit.status == "finished"))
    return query.order_by(Audit.finished_at.desc(), Audit.id.desc()).first()


def _mark(row: AuditScan, actor: Actor, resolution: str, event: str) -> None:
    row.resolution, row.resolved_at, row.resolved_by, row.resolved_event = resolution, utcnow(), actor.badge, event
    row.save()


def _move(actor: Actor, audit: Audit, row: AuditScan) -> tuple[str | None, str]:
    device = for_update(Device.select().where(Device.id == row.device_id)).get()
    if device.status == "issued":
        return None, f"on loan to {device.holder.full_name} now; return it first"
    if device.site_id == audit.site_id:
        return None, f"already recorded at {audit.site.code}"
    from_site = device.site.code if device.site else None
    device.site = audit.site
    device.save()
    event = ledger.record(
        "device.moved", station=actor.station, operator=actor.badge, asset_tag=device.asset_tag,
        from_site=from_site, to_site=audit.site.code, details={"reason": "audit", "audit": audit.id},
    )  # fmt: skip
    _mark(row, actor, "moved", event.uuid)
    still = f"; it is still recorded {device.status}" if device.status in WRITTEN_OFF else ""
    return event.uuid, f"moved from {from_site or 'no site'} to {audit.site.code}{still}"


def _lost(actor: Actor, audit: Audit, row: AuditScan, config: Config, lost_after: int) -> tuple[str | None, str]:
    device = Device.get_by_id(row.device_id)
    if device.status in WRITTEN_OFF:
        return None, f"already {device.status}"
    streak = _streak(device.id, audit.site_id)
    if streak < lost_after:
        return None, f"missing in {streak} audit{'s' if streak != 1 else ''} in a row; {lost_after} are needed"
    result = circulation.set_status(
        actor, device.asset_tag, "lost", config=config,
        note=f"missing in {streak} audits of {audit.site.code} in a row (audit {audit.id})",
    )  # fmt: skip
    _mark(row, actor, "lost", result.event_id)
    return result.event_id, "marked lost" + (f"; {result.charge}" if result.charge else "")


def _review(actor: Actor, audit: Audit, row: AuditScan) -> tuple[str | None, str]:
    known = device_by_code(row.code)
    if known is not None:
        return None, f"now in the inventory as {known.asset_tag}"
    event = ledger.record(
        "audit.review", station=actor.station, operator=actor.badge, to_site=audit.site.code,
        details={"audit": audit.id, "code": row.code},
    )  # fmt: skip
    _mark(row, actor, "review", event.uuid)
    return event.uuid, "sent to the needs-review list"


def resolve(
    actor: Actor,
    audit_id: int,
    action: str,
    codes: Sequence[str] = (),
    *,
    config: Config,
    lost_after: int = LOST_AFTER,
) -> Resolution:
    """Apply one resolution action to a finished audit (see the module docstring), in one transaction."""
    if action not in ACTIONS:
        raise BadInput(f"Unknown resolution {action!r}; use move, lost or review.")
    if lost_after < 1:
        raise BadInput("--after must be at least 1 audit.")
    category = ACTIONS[action]
    with unavailable_as_error(), atomic():
        authorize(actor, "audit")
        audit = for_update(Audit.select().where(Audit.id == audit_id)).first()
        if audit is None:
            raise DomainError(f"There is no audit number {audit_id}; `kiosk audit list` shows them.")
        if audit.status != "finished":
            raise DomainError(
                f"Audit {audit_id} of {audit.site.code} is {audit.status}; only a finished audit can be resolved."
            )
        if action == "lost":
            latest = _latest_finished(audit.site_id)
            if latest.id != audit.id:
                raise DomainError(
                    f"Audit {audit_id} is not the latest audit of {audit.site.code} (audit {latest.id} is); "
                    "mark devices lost from the latest one."
                )
        rows = list(AuditScan.select().where(AuditScan.audit == audit).order_by(AuditScan.code))
        wanted = {code.upper() for code in codes}
        chosen = [row for row in rows if row.result == category and row.resolution is None]
        if wanted:
            by_code = {row.code.upper(): row for row in rows}
            problems = []
            for code in codes:
                row = by_code.get(code.upper())
                if row is None:
                    problems.append(f"{code} is not in audit {audit_id}")
                elif row.result != category:
                    problems.append(f"{code} is {row.result.replace('_', ' ')}, not {category}")
                elif row.resolution is not None:
                    problems.append(f"{code} was already resolved ({row.resolution})")
            if problems:
                raise DomainError("Nothing was changed: " + "; ".join(problems) + ".")
            chosen = [row for row in chosen if row.code.upper() in wanted]
        done, skipped, ids = [], [], []
        for row in chosen:
            if action == "move":
                event, sentence = _move(actor, audit, row)
            elif action == "lost":
                event, sentence = _lost(actor, audit, row, config, lost_after)
            else:
                event, sentence = _review(actor, audit, row)
            if event is None:
                skipped.append((row.code, sentence))
            else:
                done.append((row.code, sentence))
                ids.append(event)
        if wanted and skipped:
            raise DomainError("Nothing was changed: " + "; ".join(f"{code} is {why}" for code, why in skipped) + ".")
        return Resolution(audit.id, action, tuple(done), tuple(skipped), tuple(ids))


def review_list(*, include_known: bool = False) -> tuple[ReviewItem, ...]:
    """Unknown tags audits sent for review, newest first; by default only those still not in the inventory."""
    with unavailable_as_error():
        query = (
            AuditScan.select(AuditScan, Audit)
            .join(Audit)
            .where(AuditScan.resolution == "review")
            .order_by(AuditScan.resolved_at.desc(), AuditScan.id.desc())
        )
        items = []
        for row in query:
            known = device_by_code(row.code) is not None
            if known and not include_known:
                continue
            items.append(ReviewItem(
                code=row.code, site=row.audit.site.code, audit=row.audit_id,
                scanned_at=clock.show(row.scanned_at) if row.scanned_at else None, scanned_by=row.scanned_by,
                sent_at=clock.show(row.resolved_at) if row.resolved_at else None, sent_by=row.resolved_by,
                now_known=known,
            ))  # fmt: skip
        return tuple(items)
