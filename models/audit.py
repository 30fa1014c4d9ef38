"""Physical audits: one inventory of one site, and what was scanned (or expected and not found) in it."""

from __future__ import annotations

from peewee import SQL, CharField, ForeignKeyField, IntegerField, TextField

from models.base import BaseModel, UTCDateTimeField, utcnow
from models.inventory import Device, Site

AUDIT_STATUSES = ("open", "finished", "abandoned")
AUDIT_RESULTS = ("verified", "missing", "misplaced", "on_loan", "unknown")
"""verified: expected here and found; missing: expected here, not found (written when the audit is finished);
misplaced: found here, recorded elsewhere (or written off); on_loan: recorded as issued yet found here;
unknown: not in the inventory."""


class Audit(BaseModel):
    """One physical inventory of one site. It changes no device; resolutions do, one by one."""

    site = ForeignKeyField(Site, backref="audits", on_delete="RESTRICT")
    status = CharField(default="open", index=True)
    started_at = UTCDateTimeField(default=utcnow)
    started_by = CharField()
    station = CharField(default="")
    finished_at = UTCDateTimeField(null=True, index=True)
    finished_by = CharField(null=True)
    expected = IntegerField(default=0)
    """How many devices the records placed here when the audit was finished."""


Audit.add_index(Audit.index(Audit.site, unique=True, name="audit_one_open_per_site").where(SQL("status = 'open'")))


class AuditScan(BaseModel):
    """One distinct thing found in an audit (a device, an unknown code), or an expected device not found.

    ``code`` is the asset tag for a device and the scan itself for an unknown code; it is unique within
    an audit, so a device scanned twice counts once.
    """

    audit = ForeignKeyField(Audit, backref="scans", on_delete="CASCADE")
    code = CharField()
    device = ForeignKeyField(Device, null=True, backref="audit_scans", on_delete="RESTRICT")
    result = CharField(index=True)
    recorded_site = CharField(null=True)
    """Where the records placed the device when it was scanned."""
    recorded_status = CharField(null=True)
    holder = CharField(null=True)
    """District ID of the student the records said held it."""
    case_number = IntegerField(null=True)
    """The storage case it was found in (storage audits)."""
    case_note = TextField(default="")
    """Empty when the case holds what the records say; else the difference, as a sentence."""
    scanned_at = UTCDateTimeField(null=True)
    scanned_by = CharField(null=True)
    idem_key = CharField(null=True, unique=True)
    resolution = CharField(null=True)
    """``moved``, ``lost`` or ``review`` once a technician resolved it."""
    resolved_at = UTCDateTimeField(null=True)
    resolved_by = CharField(null=True)
    resolved_event = CharField(null=True)

    class Meta:
        indexes = ((("audit", "code"), True),)
