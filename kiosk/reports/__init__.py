"""Workbooks for the district office, the board and the state.

- :func:`export_reconciliation` (``kiosk export reconciliation``) and
  :func:`end_of_day` (the station's admin action): the end-of-day workbook.
- :data:`REPORTS` (``kiosk report NAME``): status, lifecycle, special-ed, fees.

Every workbook is written by :mod:`kiosk.reports.book`: text as text, tables
with filters, frozen headers, streamed rows, files created with mode 0600.
"""

from kiosk.reports.common import ReportResult
from kiosk.reports.end_of_day import end_of_day, end_of_day_result, reports_folder
from kiosk.reports.fees import write_fees
from kiosk.reports.lifecycle import write_lifecycle
from kiosk.reports.reconciliation import EXTRA_SHEETS, ReconciliationResult, export_reconciliation
from kiosk.reports.special_ed import write_special_ed
from kiosk.reports.status import write_status

REPORTS = {
    "status": write_status,
    "lifecycle": write_lifecycle,
    "special-ed": write_special_ed,
    "fees": write_fees,
}
"""``kiosk report NAME``: name -> ``writer(path, config) -> ReportResult``."""

__all__ = [
    "EXTRA_SHEETS",
    "REPORTS",
    "ReconciliationResult",
    "ReportResult",
    "end_of_day",
    "end_of_day_result",
    "export_reconciliation",
    "reports_folder",
]
