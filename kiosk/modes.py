"""The scan workflow's modes and the command codes that arm a condition or a status (UI-free)."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    ISSUE = "ISSUE"
    RETURN = "RETURN"
    TRANSFER = "TRANSFER"
    LOOKUP = "LOOKUP"
    CASE = "CASE"
    STATUS = "STATUS"
    AUDIT = "AUDIT"


MODE_ACTION = {
    Mode.ISSUE: "issue",
    Mode.RETURN: "return",
    Mode.TRANSFER: "transfer",
    Mode.LOOKUP: "lookup",
    Mode.CASE: "case",
    Mode.STATUS: "status",
    Mode.AUDIT: "audit",
}
CONDITION_CODES = {"$GOOD": "good", "$DAMAGED": "damaged", "$NOCHARGER": "nocharger", "$LOST": "lost"}
STATUS_CODES = {
    "$AVAILABLE": "available",
    "$DAMAGED": "damaged",
    "$INREPAIR": "in_repair",
    "$LOST": "lost",
    "$STOLEN": "stolen",
    "$DISPOSED": "disposed",
    "$RETIRED": "retired",
}

HINTS = {
    Mode.ISSUE: "Scan a student ID.",
    Mode.RETURN: "Scan a device. Scan $DAMAGED, $NOCHARGER or $LOST first if it is not in good shape.",
    Mode.TRANSFER: "Scan the LOC- card of the destination.",
    Mode.LOOKUP: "Scan anything to see it.",
    Mode.CASE: "Scan a student for their case, or a CASE- tag for its student.",
    Mode.STATUS: "Scan a status code, then the devices.",
}
"""What each mode asks for when it is entered."""
EXPECTED = {
    Mode.ISSUE: "a student ID, then a device",
    Mode.RETURN: "a device",
    Mode.TRANSFER: "a LOC- card, then devices",
    Mode.CASE: "a student ID or a CASE- tag",
    Mode.STATUS: "a status code, then devices",
}
"""What each mode expects, for the refusal of a code of the wrong kind."""

__all__ = ["CONDITION_CODES", "EXPECTED", "HINTS", "MODE_ACTION", "STATUS_CODES", "Mode"]
