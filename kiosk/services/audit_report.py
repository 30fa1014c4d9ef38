"""The audit workbook (``kiosk report audit``) and the audit sheet of the end-of-day reconciliation workbook.

The workbook holds the latest finished audit of one site, or of every site that has one: a Summary
sheet (one row per audit, its counts), then one sheet per result category (Verified, Missing,
Misplaced, On loan but found, Unknown) and a Cases sheet for storage cases that did not hold what the
records say.
"""

from __future__ import annotations

from kiosk.config import Config
from kiosk.db import unavailable_as_error
from kiosk.dto import AUDIT_CATEGORIES, AUDIT_LABELS
from kiosk.errors import DomainError
from kiosk.reports.book import Book, Column, Sheet
from kiosk.reports.common import ReportResult, heading, open_report
from kiosk.services.audits import AuditResult, latest_audit
from kiosk.services.common import require_site
from models import Audit

SUMMARY_COLUMNS = (
    Column("Site", width=10),
    Column("Site name", width=26),
    Column("Audit", "int", 7),
    Column("Started", width=17),
    Column("Started by", width=12),
    Column("Finished", width=17),
    Column("Expected", "int", 10),
    *(Column(AUDIT_LABELS[name], "int", 11) for name in AUDIT_CATEGORIES),
    Column("Case problems", "int", 13),
)
LINE_COLUMNS = (
    Column("Site", width=10),
    Column("Audit", "int", 7),
    Column("Code", width=14),
    Column("Model", width=28),
    Column("Recorded site", width=13),
    Column("Recorded status", width=15),
    Column("Holder", width=11),
    Column("Case", "int", 7),
    Column("Case note", width=40),
    Column("Scanned at", width=17),
    Column("Scanned by", width=11),
    Column("Resolution", width=11),
    Column("Note", width=40),
)


def _row(result: AuditResult, line) -> tuple:
    return (
        result.card.site, result.card.id, line.code, line.model, line.recorded_site, line.recorded_status,
        line.holder, line.case_number, line.case_note, line.scanned_at, line.scanned_by, line.resolution, line.note,
    )  # fmt: skip


def _latest(site: str | None) -> list[AuditResult]:
    if site is not None:
        found = latest_audit(require_site(site).code)
        return [found] if found is not None else []
    sites = Audit.select(Audit.site).where(Audit.status == "finished").distinct()
    codes = sorted({audit.site.code for audit in sites})
    return [result for code in codes if (result := latest_audit(code)) is not None]


def _summary(sheet: Sheet, results: list[AuditResult]) -> None:
    table = sheet.table("AuditSummary", SUMMARY_COLUMNS)
    for result in results:
        card = result.card
        table.add((card.site, card.site_name, card.id, card.started, card.started_by, card.finished, card.expected,
                   *(card.count(name) for name in AUDIT_CATEGORIES), len(result.case_problems)))  # fmt: skip
    table.close("No finished audit.")


def _lines(sheet: Sheet, stem: str, results: list[AuditResult], pick) -> int:
    table = sheet.table(stem, LINE_COLUMNS)
    for result in results:
        for line in pick(result):
            table.add(_row(result, line))
    return table.close("None.")


def write_audit_workbook(path, *, site: str | None = None, config: Config | None = None) -> ReportResult:
    """Write the latest finished audit of ``site`` (or of every audited site) to ``path`` (``.xlsx``).

    DomainError (nothing written) when there is no finished audit to show; UnknownCode for an unknown site.
    """
    config = config or Config()
    with unavailable_as_error():
        results = _latest(site)
        if not results:
            where = f"{site.upper()} has" if site else "No site has"
            raise DomainError(f"{where} no finished audit yet; nothing was written.")
        with open_report(path, config, "Physical audit", "Latest physical audit by site") as book:
            summary = book.sheet("Summary")
            summary.title("Latest physical audit by site", heading(config))
            _summary(summary, results)
            for name in AUDIT_CATEGORIES:
                sheet = book.sheet(AUDIT_LABELS[name])
                sheet.title(AUDIT_LABELS[name], heading(config))
                _lines(sheet, name.title().replace("_", ""), results, lambda r, name=name: r.category(name))
            cases = book.sheet("Cases")
            cases.title("Storage cases that did not hold what the records say", heading(config))
            _lines(cases, "Cases", results, lambda r: r.case_problems)
            written = book.close()
    figures = {"audits": len(results), **{AUDIT_LABELS[n].lower(): sum(r.card.count(n) for r in results)
                                          for n in AUDIT_CATEGORIES}}  # fmt: skip
    return ReportResult(written, "audit", figures)


def write_audit_sheet(book: Book, scope) -> None:
    """The reconciliation workbook's "Audit" sheet: the latest finished audit of the scope's site (or of every
    audited site) and what it found that needs a technician. Fits ``kiosk.reports.reconciliation.EXTRA_SHEETS``."""
    results = _latest(scope.site)
    sheet = book.sheet("Audit")
    sheet.title("Latest physical audit", f"{scope.where}: the latest finished audit of each site.")
    _summary(sheet, results)
    _lines(sheet, "AuditFindings", results,
           lambda r: tuple(line for line in r.lines if line.result != "verified" or line.case_note))  # fmt: skip
