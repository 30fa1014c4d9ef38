"""What every import shares: options, the report it returns, site matching, the summary event.

The bulk reads and writes in plain SQL are in ``kiosk.services.import_sql``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from kiosk.db import atomic, is_postgres
from kiosk.dto import Actor
from kiosk.errors import BadInput
from kiosk.io.mapping import Rejection
from kiosk.ledger import BulkChain
from kiosk.services.common import authorize
from kiosk.services.import_sql import insert_rows
from models import Event, Site, utcnow

EVENT_FIELDS = tuple(f.name for f in Event._meta.sorted_fields if f.name != "id")
Progress = Callable[[str, int, "int | None"], None]


@dataclass(frozen=True)
class ImportOptions:
    """How to run an import. ``actor`` None is the local command line (whoever can reach the database)."""

    station: str
    actor: Actor | None = None
    dry_run: bool = False
    skip_bad_rows: bool = False
    create_models: bool = False
    progress: Progress | None = None

    def tick(self, phase: str, done: int, total: int | None = None) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)


class Change(NamedTuple):
    """One thing an import creates, updates, deactivates or leaves as it is.

    A named tuple, not a dataclass: an import makes one per row, and this is the cheaper of the two.
    """

    action: str
    """create, update, deactivate or unchanged."""
    entity: str
    """device, person, site, catalog item, alias."""
    key: str
    where: str
    """file and row(s) it came from."""
    detail: str = ""

    def line(self) -> str:
        tail = f": {self.detail}" if self.detail else ""
        return f"{self.action:<10} {self.entity} {self.key} ({self.where}){tail}"


new_change = functools.partial(tuple.__new__, Change)
"""``new_change((action, entity, key, where, detail))``: a Change without NamedTuple's keyword handling in Python
(an import makes one per row; this costs a third as much)."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    kind: str
    files: tuple[str, ...]
    dry_run: bool
    changes: tuple[Change, ...]
    rejected: tuple[Rejection, ...] = ()
    conflicts: tuple[Rejection, ...] = ()
    """Rows applied only in part: e.g. a device on loan whose status or site the file would change."""
    needs_review: tuple[Rejection, ...] = ()
    """Rows naming a model the catalog does not know; nothing was created for them."""
    notes: tuple[str, ...] = ()
    event: str | None = None
    """uuid of the summarising ``import`` event; None when nothing changed or on a dry run."""

    @functools.cached_property
    def _tally(self) -> dict[tuple[str, str], int]:
        """(action, entity) -> how many: counted once, as an import reports a hundred thousand changes."""
        return dict(sorted(Counter((c.action, c.entity) for c in self.changes).items()))

    def count(self, action: str) -> int:
        return sum(n for (done, _), n in self._tally.items() if done == action)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (action, entity), n in self._tally.items():
            out.setdefault(action, {})[entity] = n
        return out

    @property
    def changed(self) -> bool:
        return any(c.action != "unchanged" for c in self.changes)

    def summary(self) -> dict:
        """The counts the ``import`` event keeps."""
        return {
            "kind": self.kind,
            "files": list(self.files),
            **{action: counts for action, counts in self.counts().items()},
            "rejected": len(self.rejected),
            "conflicts": len(self.conflicts),
            "needs_review": len(self.needs_review),
        }

    def as_json(self) -> dict:
        def rows(items):
            return [{"file": r.file, "row": r.row, "reason": r.reason} for r in items]

        return {
            **self.summary(),
            "dry_run": self.dry_run,
            "event": self.event,
            "changes": [
                {"action": c.action, "entity": c.entity, "key": c.key, "where": c.where, "detail": c.detail}
                for c in self.changes
                if c.action != "unchanged"
            ],
            "unchanged_count": self.count("unchanged"),
            "rejected": rows(self.rejected),
            "conflicts": rows(self.conflicts),
            "needs_review": rows(self.needs_review),
            "notes": list(self.notes),
        }


class ImportRefused(BadInput):
    """A real run met rejected rows without --skip-bad-rows: nothing was written. ``report`` says why."""

    def __init__(self, report: ImportReport):
        total = len(report.rejected)
        super().__init__(
            f"{total} row{'s' if total != 1 else ''} rejected, so nothing was imported. "
            "Fix them (see the list above), or use --skip-bad-rows to import the good rows."
        )
        self.report = report


def gc_paused(function):
    """Run ``function`` with Python's cyclic garbage collector paused (a decorator for import use cases).

    An import builds millions of small objects that all live until it ends; the
    collector would walk them again and again (a third of a 100,000-row import)
    and free nothing, since rows form no reference cycles. Reference counting
    still frees everything as usual.
    """

    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


def authorize_import(options: ImportOptions, action: str = "import") -> None:
    """An actor, when one is given, must be an admin (the local command line passes none)."""
    if options.actor is not None:
        authorize(options.actor, action)


def transaction(options: ImportOptions):
    """A real run writes in one transaction; a dry run only reads, so it takes no write lock."""
    return contextlib.nullcontext() if options.dry_run else atomic()


def refuse_if_rejected(report: ImportReport, options: ImportOptions) -> None:
    if report.rejected and not options.skip_bad_rows and not options.dry_run:
        raise ImportRefused(report)


class SiteIndex:
    """Every site, loaded once, matched by code, SIS id or name (in that order, case-insensitively)."""

    def __init__(self) -> None:
        self.code: dict[int, str] = {}
        self.by_code: dict[str, int] = {}
        self.by_sis: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        self._memo = {}
        for site_id, code, name, sis_id in Site.select(Site.id, Site.code, Site.name, Site.sis_id).tuples():
            self.add(site_id, code, name, sis_id)

    def add(self, site_id: int, code: str, name: str, sis_id: str | None) -> None:
        self._memo: dict[str, tuple[int, str]] = {}
        self.code[site_id] = code
        self.by_code[code.upper()] = site_id
        if sis_id:
            self.by_sis[sis_id] = site_id
        self.by_name.setdefault(" ".join(name.lower().split()), []).append(site_id)

    def find(self, text: str) -> int:
        """The site ``text`` names; ValueError with a reason when none or several match."""
        memo = self._memo.get(text)
        if memo is None:
            try:
                memo = (self._find(text), "")
            except ValueError as exc:
                memo = (0, str(exc))
            self._memo[text] = memo  # a file names a handful of sites a hundred thousand times
        if memo[1]:
            raise ValueError(memo[1])
        return memo[0]

    def _find(self, text: str) -> int:
        key = text.strip()
        found = self.by_code.get(key.upper()) or self.by_sis.get(key)
        if found:
            return found
        named = self.by_name.get(" ".join(key.lower().split()), [])
        if len(named) == 1:
            return named[0]
        if named:
            raise ValueError(f"{len(named)} sites are named {text!r}; use the site code")
        raise ValueError(f"no site has the code, name or SIS id {text!r}")


class EventWriter:
    """Event rows chained by ``BulkChain`` and written together; the last one summarises the import."""

    def __init__(self, options: ImportOptions):
        self.options = options
        self.chain = BulkChain.open(options.station)
        self.operator = options.actor.badge if options.actor else None
        self.at = utcnow()  # one transaction, one moment: every event of the import carries it
        self.rows: list[tuple] = []

    def add(self, kind: str, **fields) -> str:
        row = self.chain.row(kind, self.at, operator=self.operator, **fields)
        self.rows.append(tuple(row[name] for name in EVENT_FIELDS))
        return row["uuid"]

    def finish(self, report: ImportReport) -> str:
        """Write the summary event and every buffered event; return the summary's uuid."""
        uuid = self.add("import", details=report.summary())
        insert_rows(Event, EVENT_FIELDS, self.rows, self.options, "writing events")
        self.chain.close()
        return uuid


ANALYZE_AFTER = 1000
"""Rows an import must add before PostgreSQL's planner statistics are refreshed."""


def refresh_statistics(report: ImportReport, *models_) -> None:
    """ANALYZE the tables a large import filled (PostgreSQL, after the commit).

    Until autovacuum gets to it, the planner knows nothing of the new rows; a
    second import right after the first then took minutes instead of seconds.
    """
    if report.dry_run or report.event is None or not is_postgres() or report.count("create") < ANALYZE_AFTER:
        return
    db = models_[0]._meta.database
    db.execute_sql("ANALYZE " + ", ".join(f'"{m._meta.table_name}"' for m in models_))
