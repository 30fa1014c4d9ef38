"""Telling scanned codes apart.

Codes kiosk prints itself carry prefixes (``$`` commands, ``LOC-`` sites,
``CASE-`` storage cases). District codes come as they are and are told apart by
looking them up: the student table first, then the device table, each gated by
an optional pattern from the config. A code found in both is an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kiosk.config import Config
from kiosk.errors import AmbiguousCode, GarbledScan, UnknownCode
from kiosk.services.common import device_by_code, person_by_code
from models import Device, Person

COMMANDS = frozenset(
    {
        "$ISSUE", "$RETURN", "$TRANSFER", "$LOOKUP", "$AUDIT", "$STATUS", "$CASE",
        "$DONE", "$CANCEL", "$CONFIRM", "$LOCK",
        "$GOOD", "$DAMAGED", "$NOCHARGER", "$LOST",
        "$STOLEN", "$INREPAIR", "$AVAILABLE", "$DISPOSED", "$RETIRED",
    }
)  # fmt: skip
_AIM = re.compile(r"^\][A-Za-z][0-9A-Za-z]")


def clean(raw: str, config: Config) -> str:
    """The code inside a raw scan, or GarbledScan saying what was wrong with it.

    Strips the configured prefix and suffix, an AIM symbology identifier and
    surrounding white space; refuses control characters and over-long input.
    """
    code = raw
    if config.scan_prefix and code.startswith(config.scan_prefix):
        code = code[len(config.scan_prefix) :]
    if config.scan_suffix and code.endswith(config.scan_suffix):
        code = code[: -len(config.scan_suffix)]
    code = code.strip()
    if config.strip_aim_id and _AIM.match(code):
        code = code[3:]
    if not code:
        raise GarbledScan("The scan was empty; scan the barcode again.")
    if len(code) > config.max_scan_length:
        raise GarbledScan(
            f"The scan was {len(code)} characters long, more than any code kiosk knows; scan again, slowly."
        )
    if any(unicodedata.category(ch).startswith("C") for ch in code):
        raise GarbledScan("The scan contained control characters, so it was garbled; scan it again.")
    return code


@dataclass(frozen=True)
class Classified:
    kind: str
    """``command``, ``location``, ``case``, ``student`` or ``device``."""
    code: str
    person: Person | None = None
    device: Device | None = None
    case_number: int | None = None


def classify(code: str, config: Config) -> Classified:
    """What ``code`` (already cleaned) is. UnknownCode / AmbiguousCode when it is nothing or two things."""
    upper = code.upper()
    if upper.startswith("$"):
        if upper not in COMMANDS:
            raise UnknownCode(f"{code} is not a kiosk command code; use the printed command sheet.")
        return Classified("command", upper)
    if upper.startswith("LOC-"):
        return Classified("location", code[4:])
    if upper.startswith("CASE-"):
        digits = code[5:]
        if not digits.isdigit():
            raise UnknownCode(f"{code} is not a storage case; case tags read CASE- and a number.")
        return Classified("case", code, case_number=int(digits))
    person = None
    if not config.student_pattern or re.fullmatch(config.student_pattern, code):
        person = person_by_code(code)
    device = None
    if not config.device_pattern or re.fullmatch(config.device_pattern, code):
        device = device_by_code(code)
    if person is not None and device is not None:
        raise AmbiguousCode(
            f"{code} is both student {person.full_name} and device {device.asset_tag}; "
            "a technician must fix the records. Use the other barcode for now."
        )
    if person is not None:
        return Classified("student", code, person=person)
    if device is not None:
        return Classified("device", code, device=device)
    raise UnknownCode(f"{code} is not a known student, device, location or case. Check the barcode.")
