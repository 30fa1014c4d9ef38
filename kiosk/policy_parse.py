"""Reading the ``[fees]`` table of the config file into a fee policy, with a sentence for every mistake.

Amounts are dollars (``25``, ``25.00`` or ``"$25.00"``), kept as integer cents.
The policy itself and its rules are in ``kiosk.policy``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from kiosk.errors import BadInput

OWED_CHOICES = ("ignore", "warn", "block")
STOLEN_CHOICES = ("loss", "none")
_TOP_KEYS = {
    "free_breaks_per_year",
    "school_year_start",
    "damage_fee",
    "charger_fee",
    "yearly_cap",
    "owed",
    "owed_threshold",
    "stolen",
    "damage_by_category",
    "damage_by_model",
    "accessories",
    "loss",
}
_LOSS_KEYS = {"depreciate", "floor"}


_MONEY = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


def parse_money(value, what: str) -> int:
    """Dollars (a TOML number, or text such as ``"$1,234.50"``) as cents; BadInput names ``what`` otherwise."""
    if isinstance(value, bool):
        raise BadInput(f"{what} must be an amount of money such as 25.00, not {value!r}.")
    if isinstance(value, int | float):
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("-"):
            raise BadInput(f"{what} must be zero or more, not {value!r}.")
        if not _MONEY.match(text):
            raise BadInput(f"{what} must be an amount of money such as 25.00, not {value!r}.")
        text = text.replace("$", "").replace(",", "").strip()
    else:
        raise BadInput(f"{what} must be an amount of money such as 25.00, not {value!r}.")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise BadInput(f"{what} must be an amount of money such as 25.00, not {value!r}.") from exc
    if not amount.is_finite() or amount < 0:
        raise BadInput(f"{what} must be zero or more, not {value!r}.")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise BadInput(f"{what} has more than two decimals: {value!r}.")
    if cents > 10_000_000_00:
        raise BadInput(f"{what} is more than $10,000,000.00: {value!r}.")
    return int(cents)


def _table(value, what: str) -> dict:
    if not isinstance(value, dict):
        name = what.split(" ")[-1].strip("[]")
        raise BadInput(f"{what} must be a table ([{name}]), not {value!r}.")
    return value


def _count(value, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadInput(f"{what} must be a whole number between {low} and {high}, not {value!r}.")
    return value


def _choice(value, what: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise BadInput(f"{what} must be one of {', '.join(allowed)}, not {value!r}.")
    return value


def _start(value, what: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", value) if isinstance(value, str) else None
    if match is None:
        raise BadInput(f'{what} must be a month and day such as "07-01", not {value!r}.')
    month, day = int(match[1]), int(match[2])
    try:
        dt.date(2024, month, day)  # a leap year: 02-29 is a real (if unwise) start
    except ValueError as exc:
        raise BadInput(f"{what} {value!r} is not a day of the year.") from exc
    return month, day


def _floor(value, where: str) -> tuple[int, int | None]:
    if isinstance(value, str) and value.strip().endswith("%"):
        number = value.strip()[:-1].strip()
        if not number.isdigit() or not 0 <= int(number) <= 100:
            raise BadInput(f'{where} [fees.loss] floor must be an amount or a percentage such as "25%", not {value!r}.')
        return 0, int(number)
    return parse_money(value, f"{where} [fees.loss] floor"), None


def _amounts(table, what: str, keys_ok=None) -> dict[str, int]:
    out = {}
    for key, value in _table(table, what).items():
        if keys_ok is not None:
            keys_ok(key)
        out[key] = parse_money(value, f"{what} {key}")
    return out


def _unknown(keys, known, what: str) -> None:
    extra = sorted(set(keys) - known)
    if extra:
        raise BadInput(f"{what} has no key {extra[0]!r}; the keys are {', '.join(sorted(known))}.")


def parse_fees(table: dict, base, where: str = "Config"):
    """``base`` with the ``[fees]`` table applied; BadInput with the key and what it must be on any mistake."""
    table = _table(table, f"{where}: fees")
    _unknown(table, _TOP_KEYS, f"{where}: [fees]")
    w = f"{where}: [fees]"
    values: dict = {}
    if "free_breaks_per_year" in table:
        values["free_breaks_per_year"] = _count(table["free_breaks_per_year"], f"{w} free_breaks_per_year", 0, 100)
    if "school_year_start" in table:
        values["school_year_start"] = _start(table["school_year_start"], f"{w} school_year_start")
    if "damage_fee" in table:
        values["damage_cents"] = parse_money(table["damage_fee"], f"{w} damage_fee")
    if "charger_fee" in table:
        values["charger_cents"] = parse_money(table["charger_fee"], f"{w} charger_fee")
    if "yearly_cap" in table:
        values["yearly_cap_cents"] = parse_money(table["yearly_cap"], f"{w} yearly_cap")
    if "owed" in table:
        values["owed"] = _choice(table["owed"], f"{w} owed", OWED_CHOICES)
    if "owed_threshold" in table:
        values["owed_threshold_cents"] = parse_money(table["owed_threshold"], f"{w} owed_threshold")
    if "stolen" in table:
        values["stolen"] = _choice(table["stolen"], f"{w} stolen", STOLEN_CHOICES)

    def category(key: str) -> None:
        # The catalog's categories live in the database; `kiosk policy show` names any no item has.
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", key):
            raise BadInput(f"{where}: [fees.damage_by_category] {key!r} is not a category name such as chromebook.")

    if "damage_by_category" in table:
        values["damage_by_category"] = _amounts(table["damage_by_category"], f"{where}: [fees.damage_by_category]",
                                                category)  # fmt: skip
    if "damage_by_model" in table:
        values["damage_by_model"] = _amounts(table["damage_by_model"], f"{where}: [fees.damage_by_model]")
    if "accessories" in table:
        accessories = _amounts(table["accessories"], f"{where}: [fees.accessories]")
        values["accessories"] = {name.strip().lower(): cents for name, cents in accessories.items()}
        if "charger" in values["accessories"]:
            raise BadInput(f"{where}: [fees.accessories] must not name the charger; set charger_fee in [fees].")
    if "loss" in table:
        loss = _table(table["loss"], f"{where}: fees.loss")
        _unknown(loss, _LOSS_KEYS, f"{where}: [fees.loss]")
        rule = base.loss
        if "depreciate" in loss:
            if not isinstance(loss["depreciate"], bool):
                raise BadInput(f"{where}: [fees.loss] depreciate must be true or false, not {loss['depreciate']!r}.")
            rule = replace(rule, depreciate=loss["depreciate"])
        if "floor" in loss:
            cents, percent = _floor(loss["floor"], where)
            rule = replace(rule, floor_cents=cents, floor_percent=percent)
        values["loss"] = rule
    return replace(base, **values)
