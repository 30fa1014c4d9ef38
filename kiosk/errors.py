"""Typed failures. Each carries one sentence an operator can act on."""

from __future__ import annotations


class KioskError(Exception):
    """Base of every failure kiosk reports to a person; ``str()`` is the sentence."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadInput(KioskError):
    """Bad usage, a malformed file, an unreadable config (exit 2)."""

    exit_code = 2


class DatabaseUnavailable(KioskError):
    """The database cannot be opened or went away."""

    exit_code = 2


class TransientConflict(DatabaseUnavailable):
    """PostgreSQL gave up on a transaction that raced another station (serialization failure, deadlock).

    Nothing was recorded; running the same use case again usually succeeds at once.
    """


class SchemaTooNew(KioskError):
    """The database was migrated by a newer kiosk than this one."""

    exit_code = 2


class DomainError(KioskError):
    """A refusal by a business rule (exit 1)."""


class UnknownCode(DomainError):
    pass


class AmbiguousCode(DomainError):
    pass


class GarbledScan(DomainError):
    pass


class DeviceAlreadyIssued(DomainError):
    pass


class DeviceNotIssuable(DomainError):
    pass


class DeviceNotOnLoan(DomainError):
    pass


class NotAStudent(DomainError):
    pass


class InactivePerson(DomainError):
    pass


class CategoryAlreadyHeld(DomainError):
    pass


class Ineligible(DomainError):
    pass


class FeesOwed(DomainError):
    pass


class NoCaseFree(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class SignInFailed(DomainError):
    pass


class OperatorLocked(SignInFailed):
    pass


class NeedsConfirmation(DomainError):
    """A warning the operator must confirm ($CONFIRM) or cancel ($CANCEL).

    ``warnings`` lists every warning (the first is the message), ``codes`` names
    them so the retried call can say which ones were acknowledged.
    """

    def __init__(self, message: str, codes: tuple[str, ...], warnings: tuple[str, ...]):
        super().__init__(message)
        self.codes = codes
        self.warnings = warnings
