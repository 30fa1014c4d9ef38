"""Frozen values the services return. Screens and the CLI format these, never models."""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass


@dataclass(frozen=True)
class Actor:
    """A signed-in operator at a station."""

    badge: str
    name: str
    role: str
    station: str


@dataclass(frozen=True)
class HistoryLine:
    at: str
    """Local time, ``YYYY-MM-DD HH:MM``."""
    kind: str
    summary: str


@dataclass(frozen=True)
class StudentCard:
    id: str
    name: str
    role: str
    grade: str | None
    school: str | None
    school_name: str | None
    homeroom: str | None
    programs: tuple[str, ...]
    case_number: int | None
    devices: tuple[str, ...]
    """Asset tags held."""
    device_lines: tuple[str, ...]
    """``TAG  model`` per device held, for cards."""
    fees_owed_cents: int
    free_breaks_left: int
    active: bool

    def as_json(self) -> dict:
        d = asdict(self)
        d["programs"] = list(self.programs)
        d["devices"] = list(self.devices)
        d.pop("device_lines")
        return d


@dataclass(frozen=True)
class DeviceCard:
    asset_tag: str
    serial: str
    model: str
    category: str
    status: str
    holder: str | None
    holder_name: str | None
    site: str | None
    site_name: str | None
    home_site: str | None
    aue_date: str | None
    history: tuple[HistoryLine, ...] = field(default=())

    def as_json(self) -> dict:
        d = asdict(self)
        d["history"] = [asdict(h) for h in self.history]
        return d


@dataclass(frozen=True)
class LocationCard:
    code: str
    name: str
    kind: str
    parent: str | None
    devices_by_status: tuple[tuple[str, int], ...]

    def as_json(self) -> dict:
        d = asdict(self)
        d["site_kind"] = d.pop("kind")  # "kind" names what a lookup found
        d["devices_by_status"] = dict(self.devices_by_status)
        return d


@dataclass(frozen=True)
class CaseCard:
    number: int
    student: StudentCard | None

    def as_json(self) -> dict:
        return {"number": self.number, "student": self.student.as_json() if self.student else None}


@dataclass(frozen=True)
class Lookup:
    """What a scanned code turned out to be; exactly one of the fields is set."""

    kind: str
    student: StudentCard | None = None
    device: DeviceCard | None = None
    case: CaseCard | None = None
    location: LocationCard | None = None

    def as_json(self) -> dict:
        body = {"student": self.student, "device": self.device, "case": self.case, "location": self.location}[self.kind]
        return {"kind": self.kind, **body.as_json()}


@dataclass(frozen=True)
class IssueResult:
    student: StudentCard
    device: DeviceCard
    moved_from: str | None
    confirmed: tuple[str, ...]
    event_id: str
    replayed: bool = False
    loaner_for: str | None = None
    """Asset tag of the student's device in repair when this issue is a loaner for it."""
    collect: str | None = None
    """Asset tag of the loaner to collect now that the student's own device is back."""


@dataclass(frozen=True)
class ReturnResult:
    device: DeviceCard
    student: StudentCard | None
    condition: str
    event_id: str
    replayed: bool = False
    charge: str | None = None
    """What the fee policy did (a free break, a fee), as a sentence."""
    ticket: int | None = None
    """The repair ticket a damaged return opened."""


@dataclass(frozen=True)
class TransferResult:
    devices: tuple[DeviceCard, ...]
    destination: LocationCard
    event_ids: tuple[str, ...]
    replayed: bool = False


@dataclass(frozen=True)
class StatusResult:
    device: DeviceCard
    previous: str
    event_id: str
    replayed: bool = False
    charge: str | None = None
    """What the fee policy did about a lost or stolen device on loan, as a sentence."""


@dataclass(frozen=True)
class OperatorInfo:
    badge: str
    name: str
    role: str
    active: bool
    locked_until: str | None


@dataclass(frozen=True)
class CheckReport:
    events: int
    devices: int
    stations: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


AUDIT_CATEGORIES = ("verified", "missing", "misplaced", "on_loan", "unknown")
"""The result categories of a physical audit, in the order they are shown."""
AUDIT_LABELS = {
    "verified": "Verified",
    "missing": "Missing",
    "misplaced": "Misplaced",
    "on_loan": "On loan but found",
    "unknown": "Unknown",
}


@dataclass(frozen=True)
class AuditLine:
    """One thing an audit found (or expected and did not find)."""

    code: str
    result: str
    note: str
    """Where the records place it, who holds it, what case it was in: one short sentence."""
    model: str | None = None
    recorded_site: str | None = None
    recorded_status: str | None = None
    holder: str | None = None
    case_number: int | None = None
    case_note: str = ""
    scanned_at: str | None = None
    """Local time, ``YYYY-MM-DD HH:MM``; None for a missing device."""
    scanned_by: str | None = None
    resolution: str | None = None


@dataclass(frozen=True)
class AuditCard:
    """An audit with its running counts (while open) or its results (once finished)."""

    id: int
    site: str
    site_name: str
    site_kind: str
    status: str
    """``open``, ``finished`` or ``abandoned``."""
    started: str
    started_by: str
    finished: str | None
    counts: tuple[tuple[str, int], ...]
    """(category, n) for every category of :data:`AUDIT_CATEGORIES`; missing counts, while the audit is open,
    the devices expected here that were not scanned yet."""
    expected: int
    recent: tuple[AuditLine, ...] = ()
    """The latest scans, newest first (the station shows them)."""
    case: int | None = None
    """The storage case whose device is to be scanned next."""

    def count(self, category: str) -> int:
        return dict(self.counts).get(category, 0)

    def as_json(self) -> dict:
        d = asdict(self)
        d["counts"] = dict(self.counts)
        d["recent"] = [asdict(line) for line in self.recent]
        return d


def _filled_in_one_step(cls: type) -> None:
    """Give a frozen dataclass an ``__init__`` that puts every field in place at once.

    The ``__init__`` dataclasses write for a frozen class sets each field through
    ``object.__setattr__``, one call a field (a student card has fourteen, and
    every scan makes cards): about twice the time of this one, which takes the
    same arguments and defaults and sets the instance's dict in one call. The
    class stays frozen (assigning a field still raises ``FrozenInstanceError``).
    """
    own = fields(cls)
    namespace = {"_set": object.__setattr__}
    params = []
    for f in own:
        if f.default is not MISSING:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        else:
            params.append(f.name)
    body = ", ".join(f"{f.name!r}: {f.name}" for f in own)
    exec(f"def __init__(self, {', '.join(params)}):\n    _set(self, '__dict__', {{{body}}})", namespace)  # noqa: S102 -- field names only
    namespace["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = namespace["__init__"]


def _plain_fields(cls) -> bool:
    return not any(f.default_factory is not MISSING or not f.init or f.kw_only for f in fields(cls))


for _value in list(globals().values()):
    if isinstance(_value, type) and is_dataclass(_value) and _value.__module__ == __name__ and _plain_fields(_value):
        _filled_in_one_step(_value)
del _value
