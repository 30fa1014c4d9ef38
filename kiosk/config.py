"""Station and district configuration, read from a TOML file.

Where the file says nothing the defaults below apply; they are what a district
technology office would pick on day one.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import platformdirs

from kiosk.errors import BadInput

APP_NAME = "kiosk"


def data_dir() -> Path:
    """The per-user data directory (``KIOSK_HOME`` overrides it, which tests use)."""
    home = os.environ.get("KIOSK_HOME")
    return Path(home) if home else Path(platformdirs.user_data_dir(APP_NAME))


def default_sqlite_path() -> Path:
    """Where the database lives when nothing names one: ``kiosk.db`` in the data directory."""
    return data_dir() / "kiosk.db"


def default_config_path() -> Path:
    home = os.environ.get("KIOSK_HOME")
    if home:
        return Path(home) / "kiosk.toml"
    return Path(platformdirs.user_config_dir(APP_NAME)) / "kiosk.toml"


@dataclass(frozen=True)
class Config:
    """Everything a station needs to know besides its database rows."""

    db_url: str | None = None
    """Database URL; ``--db`` and ``KIOSK_DB`` take precedence."""
    station: str = "station-1"
    """This kiosk's name; it owns one ledger hash chain."""
    station_site: str | None = None
    """Site code where this station stands; returns land here."""
    district_name: str = "School District"
    timezone: str | None = None
    """IANA zone for showing times; None means the machine's local zone."""
    eligibility: str = "warn"
    """An ineligible model for the student's grade or school: 'warn' (needs $CONFIRM) or 'block'."""
    owed_fees: str = "warn"
    """A student who owes more than ``owed_threshold_cents``: 'ignore', 'warn' or 'block'."""
    owed_threshold_cents: int = 0
    free_breaks_per_year: int = 1
    """Accidental-damage incidents per student per school year that cost nothing."""
    school_year_start_month: int = 7
    school_year_start_day: int = 1
    case_first: int = 1
    case_last: int = 1500
    student_pattern: str | None = None
    """Optional regex a student ID must match before the student table is asked."""
    device_pattern: str | None = None
    """Optional regex an asset tag must match before the device table is asked."""
    max_scan_length: int = 128
    idle_lock_seconds: int = 300
    bell: bool = True
    scan_prefix: str = ""
    """Characters the scanner sends before each code (stripped)."""
    scan_suffix: str = ""
    """Characters the scanner sends after each code (stripped)."""
    strip_aim_id: bool = True
    """Strip an AIM symbology identifier such as ``]C0`` from the front of a scan."""
    log_names: bool = False
    """Logs name students by ID only unless this is true."""
    extra: dict = field(default_factory=dict, compare=False)
    """Sections this version does not interpret (kept for later features)."""

    def with_overrides(self, **values) -> Config:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


_CHOICES = {
    "eligibility": ("warn", "block"),
    "owed_fees": ("ignore", "warn", "block"),
}
_TYPES = {"int": int, "bool": bool, "str": str, "str | None": str}
_WORDS = {int: "a whole number", bool: "true or false", str: "text in quotes"}
_RANGES = {
    "case_first": (0, None),
    "case_last": (0, None),
    "max_scan_length": (1, None),
    "idle_lock_seconds": (1, None),
    "owed_threshold_cents": (0, None),
    "free_breaks_per_year": (0, None),
    "school_year_start_month": (1, 12),
    "school_year_start_day": (1, 31),
}


def _check_value(p: Path, key: str, value, type_name: str) -> None:
    """A TOML value of the wrong type or range is refused here, not by a crash mid-shift."""
    want = _TYPES.get(type_name)
    if want is None:
        return
    wrong = isinstance(value, bool) or not isinstance(value, int) if want is int else not isinstance(value, want)
    if wrong:
        raise BadInput(f"Config {p}: {key} must be {_WORDS[want]}, not {value!r}.")
    low, high = _RANGES.get(key, (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadInput(f"Config {p}: {key} must be {span}, not {value!r}.")


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read the config file (a missing default file is fine, a missing named one is not)."""
    explicit = path is not None or "KIOSK_CONFIG" in os.environ
    p = Path(path or os.environ.get("KIOSK_CONFIG") or default_config_path())
    if not p.exists():
        if explicit:
            raise BadInput(f"Config file {p} does not exist.")
        return Config()
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"Config file {p} cannot be read: {exc}") from exc
    flat: dict = {}
    for key, value in raw.items():
        if isinstance(value, dict) and key in ("station", "scan", "policy", "database"):
            flat.update(value)
        else:
            flat[key] = value
    if "url" in flat and "db_url" not in flat:
        flat["db_url"] = flat.pop("url")
    if "name" in flat and "station" not in flat:
        flat["station"] = flat.pop("name")
    known = {f.name: f for f in fields(Config)}
    values = {}
    extra = {}
    for key, value in flat.items():
        if key not in known or key == "extra":
            extra[key] = value
            continue
        _check_value(p, key, value, known[key].type)
        values[key] = value
    if values.get("case_first", Config.case_first) > values.get("case_last", Config.case_last):
        raise BadInput(f"Config {p}: case_first must not be greater than case_last.")
    for key, allowed in _CHOICES.items():
        if key in values and values[key] not in allowed:
            raise BadInput(f"Config {p}: {key} must be one of {', '.join(allowed)}, not {values[key]!r}.")
    for key in ("student_pattern", "device_pattern"):
        if values.get(key):
            try:
                re.compile(values[key])
            except re.error as exc:
                raise BadInput(f"Config {p}: {key} is not a valid pattern: {exc}.") from exc
    try:
        config = Config(**values, extra=extra)
    except TypeError as exc:
        raise BadInput(f"Config {p}: {exc}") from exc
    from kiosk.policy import with_fee_policy  # the [fees] table is the fee policy's to read

    return with_fee_policy(config, f"Config {p}")
