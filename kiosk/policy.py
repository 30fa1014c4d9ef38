"""The fee policy: what a damaged, lost or stolen device, a missing charger or accessory costs a student.

It is read from the config file's ``[fees]`` table (kept in ``Config.extra["fees"]``)
on top of the older top-level keys ``free_breaks_per_year``,
``school_year_start_month`` / ``school_year_start_day``, ``owed_fees`` and
``owed_threshold_cents``: a key the ``[fees]`` table sets wins, a key it leaves
out keeps the top-level value (or the default). ``load_config`` validates the
table and writes the winning values back into those top-level fields, so every
reader of the config sees one policy. Amounts in ``[fees]`` are dollars
(``25``, ``25.00`` or ``"$25.00"``); they are kept as integer cents.

The rules themselves (damage fee, loss fee with depreciation, the yearly cap)
are pure functions of this policy and plain values; ``kiosk.services.fees``
applies them (and counts the free breaks) inside the use case's transaction.
Reading and checking the ``[fees]`` table is ``kiosk.policy_parse``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from kiosk.policy_parse import parse_fees, parse_money

if TYPE_CHECKING:
    from kiosk.config import Config

DEFAULT_DAMAGE_CENTS = 2500
DEFAULT_CHARGER_CENTS = 2000


@dataclass(frozen=True)
class LossRule:
    """A lost or stolen device costs its replacement value, optionally depreciated with a floor."""

    depreciate: bool = False
    """Straight-line over the model's lifespan, counted from the device's purchase date."""
    floor_cents: int = 0
    """The least a loss costs once depreciated (never more than the replacement cost)."""
    floor_percent: int | None = None
    """A floor given as a percentage of the replacement cost instead of an amount."""


@dataclass(frozen=True)
class FeePolicy:
    """The district's published fee policy, in cents."""

    free_breaks_per_year: int = 1
    """Accidental-damage incidents per student per school year that cost nothing."""
    school_year_start: tuple[int, int] = (7, 1)
    """(month, day) a school year starts on."""
    damage_cents: int = DEFAULT_DAMAGE_CENTS
    """The district-wide damage fee where neither the model nor its category has one."""
    damage_by_category: dict[str, int] = field(default_factory=dict)
    damage_by_model: dict[str, int] = field(default_factory=dict)
    """Catalog item name -> damage fee; wins over the catalog's own damage fee and the category."""
    charger_cents: int = DEFAULT_CHARGER_CENTS
    accessories: dict[str, int] = field(default_factory=dict)
    """Accessory name (lower case) -> fee, charged with ``kiosk fees charge``."""
    loss: LossRule = field(default_factory=LossRule)
    stolen: str = "loss"
    """``loss``: a stolen device costs its loss fee like a lost one; ``none``: no fee."""
    yearly_cap_cents: int | None = None
    """The most one student is charged in one school year (waived fees do not count); None: no cap."""
    owed: str = "warn"
    """Issuing to a student who owes more than ``owed_threshold_cents``: ignore, warn or block."""
    owed_threshold_cents: int = 0

    def school_year(self, day: dt.date) -> int:
        """The calendar year the school year of ``day`` starts in (2026 for 2026-27)."""
        month, start = self.school_year_start
        return day.year if (day.month, day.day) >= (month, start) else day.year - 1

    def year_label(self, year: int) -> str:
        """``2026-27`` for the school year starting in 2026."""
        return f"{year}-{(year + 1) % 100:02d}"

    def accessory_cents(self, name: str) -> int | None:
        """The fee for an accessory by name (``charger`` included); None when the policy has none."""
        key = name.strip().lower()
        if key == "charger":
            return self.charger_cents
        return self.accessories.get(key)


# -- money ---------------------------------------------------------------------------


def money(cents: int) -> str:
    """Integer cents as ``$1,234.50``."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def base_policy(config: Config) -> FeePolicy:
    """The policy the top-level keys describe (before any ``[fees]`` table)."""
    return FeePolicy(
        free_breaks_per_year=config.free_breaks_per_year,
        school_year_start=(config.school_year_start_month, config.school_year_start_day),
        owed=config.owed_fees,
        owed_threshold_cents=config.owed_threshold_cents,
    )


_LAST: list = [None, None]
"""The config the policy was last worked out for, and the policy: a station asks on every issue."""


def fee_policy(config: Config) -> FeePolicy:
    """The fee policy in force for ``config`` (a frozen config: the same object gives the same policy)."""
    if _LAST[0] is config:
        return _LAST[1]
    table = config.extra.get("fees")
    base = base_policy(config)
    policy = base if table is None else parse_fees(table, base)
    _LAST[0], _LAST[1] = config, policy
    return policy


def with_fee_policy(config: Config, where: str) -> Config:
    """Validate ``[fees]`` (BadInput naming ``where``) and write the keys it supersedes into the config's fields."""
    table = config.extra.get("fees")
    if table is None:
        return config
    policy = parse_fees(table, base_policy(config), where)
    month, day = policy.school_year_start
    return replace(
        config,
        free_breaks_per_year=policy.free_breaks_per_year,
        school_year_start_month=month,
        school_year_start_day=day,
        owed_fees=policy.owed,
        owed_threshold_cents=policy.owed_threshold_cents,
    )


# -- the rules --------------------------------------------------------------------


@dataclass(frozen=True)
class Charge:
    """What one incident costs before the yearly cap: the amount, and how it was reached."""

    amount_cents: int
    basis: str


def damage_charge(policy: FeePolicy, *, model: str, category: str, catalog_fee_cents: int | None) -> Charge:
    """The damage fee for a model: config by model, then the catalog's own fee, then by category, then the default."""
    if model in policy.damage_by_model:
        return Charge(policy.damage_by_model[model], f"damage fee for {model}")
    if catalog_fee_cents is not None:
        return Charge(catalog_fee_cents, f"catalog damage fee for {model}")
    if category in policy.damage_by_category:
        return Charge(policy.damage_by_category[category], f"damage fee for a {category}")
    return Charge(policy.damage_cents, "district damage fee")


def loss_charge(
    policy: FeePolicy,
    *,
    replacement_cents: int,
    lifespan_years: int,
    purchased: dt.date | None,
    on: dt.date,
) -> Charge:
    """Replacement cost, depreciated straight-line over the lifespan from the purchase date when the policy says so.

    Without a purchase date or a lifespan nothing is depreciated. The floor never
    raises a fee above the replacement cost.
    """
    full = replacement_cents
    rule = policy.loss
    if not rule.depreciate:
        return Charge(full, f"replacement cost {money(full)}")
    if purchased is None or lifespan_years <= 0:
        return Charge(full, f"replacement cost {money(full)} (no purchase date to depreciate from)")
    life_days = lifespan_years * 365.25
    age_days = max(0, (on - purchased).days)
    remaining = max(0.0, 1 - age_days / life_days)
    value = round(full * remaining)
    floor = rule.floor_cents if rule.floor_percent is None else full * rule.floor_percent // 100
    floor = min(floor, full)
    years = age_days / 365.25
    basis = f"replacement cost {money(full)} depreciated over {lifespan_years} years, {years:.1f} years old"
    if value < floor:
        return Charge(floor, f"{basis}: floor {money(floor)}")
    return Charge(value, basis)


def capped(policy: FeePolicy, charge: int, charged_this_year: int) -> tuple[int, str | None]:
    """``charge`` limited by the yearly cap, given what the student was already charged this school year."""
    if policy.yearly_cap_cents is None:
        return charge, None
    room = max(0, policy.yearly_cap_cents - charged_this_year)
    if charge <= room:
        return charge, None
    return room, f"yearly cap {money(policy.yearly_cap_cents)} reached (would have been {money(charge)})"


def describe(policy: FeePolicy) -> list[str]:
    """The policy as lines a person reads (``kiosk policy show``)."""
    month, day = policy.school_year_start
    lines = [
        f"Free breaks         {policy.free_breaks_per_year} accidental-damage incident(s) per student per school year",
        f"School year starts  {month:02d}-{day:02d}",
        f"Damage fee          {money(policy.damage_cents)} (district default)",
    ]
    for category, cents in sorted(policy.damage_by_category.items()):
        lines.append(f"  {category:<18}{money(cents)}")
    for model, cents in sorted(policy.damage_by_model.items()):
        lines.append(f"  {model:<18}{money(cents)}")
    lines.append(f"Charger fee         {money(policy.charger_cents)}")
    for name, cents in sorted(policy.accessories.items()):
        lines.append(f"  {name:<18}{money(cents)}")
    loss = "replacement cost"
    if policy.loss.depreciate:
        floor = (
            f"{policy.loss.floor_percent}%" if policy.loss.floor_percent is not None else money(policy.loss.floor_cents)
        )
        loss += f", depreciated straight-line over the model's lifespan, floor {floor}"
    lines.append(f"Loss fee            {loss}")
    lines.append(f"Stolen              {'loss fee' if policy.stolen == 'loss' else 'no fee'}")
    cap = money(policy.yearly_cap_cents) if policy.yearly_cap_cents is not None else "none"
    lines.append(f"Yearly cap          {cap} per student")
    lines.append(f"Owing at issue      {policy.owed} above {money(policy.owed_threshold_cents)}")
    return lines


__all__ = [
    "Charge",
    "FeePolicy",
    "LossRule",
    "base_policy",
    "capped",
    "damage_charge",
    "describe",
    "fee_policy",
    "loss_charge",
    "money",
    "parse_fees",
    "parse_money",
    "with_fee_policy",
]
