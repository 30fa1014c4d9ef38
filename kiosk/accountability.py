"""Frozen values the fee, payment, ticket and loaner use cases return. Screens and the CLI format these."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class FeeLine:
    """One fee of one student."""

    id: int
    kind: str
    """damage, charger, accessory, loss or other."""
    amount_cents: int
    paid_cents: int
    status: str
    """owed, paid or waived."""
    school_year: int | None
    reason: str
    asset_tag: str | None
    created: str
    """Local time, ``YYYY-MM-DD HH:MM``."""
    free_break: bool
    event_id: str

    @property
    def balance_cents(self) -> int:
        """What is still owed on this fee (0 once paid or waived)."""
        return self.amount_cents - self.paid_cents if self.status == "owed" else 0

    def as_json(self) -> dict:
        return {**asdict(self), "balance_cents": self.balance_cents}


@dataclass(frozen=True)
class PaymentLine:
    """One payment (or part of one) towards one fee, read back from the ledger."""

    fee_id: int | None
    amount_cents: int
    method: str
    receipt: str
    at: str
    operator: str | None


@dataclass(frozen=True)
class FeeStatement:
    """Everything a student owes and has paid: what ``kiosk fees STUDENT`` prints."""

    student: str
    name: str
    balance_cents: int
    free_breaks_left: int
    free_breaks_per_year: int
    school_year: str
    """``2026-27``."""
    charged_this_year_cents: int
    fees: tuple[FeeLine, ...]
    payments: tuple[PaymentLine, ...]

    def as_json(self) -> dict:
        d = asdict(self)
        d["fees"] = [f.as_json() for f in self.fees]
        d["payments"] = [asdict(p) for p in self.payments]
        return d


@dataclass(frozen=True)
class FeeApplied:
    """What the policy did about one incident (a damaged return, a missing charger, a loss)."""

    fee: FeeLine
    message: str
    """One sentence for the operator: ``Free break used (0 left this school year).``"""


@dataclass(frozen=True)
class PaymentResult:
    student: str
    name: str
    paid_cents: int
    method: str
    receipt: str
    fees: tuple[FeeLine, ...]
    """The fees the payment went to, after it."""
    balance_cents: int
    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class WaiveResult:
    fee: FeeLine
    waived_cents: int
    balance_cents: int
    event_id: str


@dataclass(frozen=True)
class TicketCard:
    """One repair ticket as a technician's list shows it."""

    id: int
    asset_tag: str
    model: str
    status: str
    problem: str
    student: str | None
    student_name: str | None
    opened: str
    """Local time, ``YYYY-MM-DD HH:MM``."""
    opened_by: str
    parts_cents: int
    labour_cents: int
    vendor: str
    notes: str
    resolved: str | None
    device_status: str
    device_site: str | None
    loaner: str | None
    """Asset tag of the loaner the student holds while this device is in repair."""
    event_id: str

    @property
    def cost_cents(self) -> int:
        return self.parts_cents + self.labour_cents

    def as_json(self) -> dict:
        return {**asdict(self), "cost_cents": self.cost_cents}


@dataclass(frozen=True)
class TicketResult:
    ticket: TicketCard
    previous: str | None
    """The status before this change (None when the ticket was just opened)."""
    event_id: str
