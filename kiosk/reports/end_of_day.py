"""The station's "End of day" admin action: the reconciliation workbook of today for the station's site.

The workbook goes to the folder named in the config::

    [reports]
    folder = "/srv/kiosk/reports"

else to ``reports/`` in the data directory. The file is
``reconciliation-YYYY-MM-DD-SITE-HHMMSS.xlsx`` (``all`` when the station has no
site), so running it twice keeps both.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.config import Config, data_dir
from kiosk.db import unavailable_as_error
from kiosk.dto import Actor
from kiosk.errors import BadInput
from kiosk.reports.reconciliation import Progress, ReconciliationResult, export_reconciliation
from kiosk.reports.scope import localizer, today, zone_of
from kiosk.services.common import authorize
from models import utcnow


def reports_folder(config: Config) -> Path:
    """``[reports] folder`` from the config (``~`` expanded), else ``reports/`` in the data directory."""
    section = config.extra.get("reports", {})
    if not isinstance(section, dict):
        raise BadInput('The config\'s reports entry must be a table: [reports] with folder = "...".')
    folder = section.get("folder")
    if folder is None:
        return data_dir() / "reports"
    if not isinstance(folder, str) or not folder.strip():
        raise BadInput(f"Config: [reports] folder must be a folder path in quotes, not {folder!r}.")
    return Path(folder).expanduser()


def end_of_day(config: Config, folder: str | os.PathLike | None = None, progress: Progress | None = None) -> Path:
    """Write today's reconciliation for the station's site into ``folder`` (else the configured one).

    Returns the path written. The folder is created (mode 0700) when missing.
    """
    return end_of_day_result(config, folder, progress).path


def end_of_day_result(
    config: Config, folder: str | os.PathLike | None = None, progress: Progress | None = None
) -> ReconciliationResult:
    """As :func:`end_of_day`, with the counts the station shows."""
    target = Path(folder) if folder is not None else reports_folder(config)
    try:
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"The reports folder {target} cannot be created: {exc.strerror}.") from exc
    day = today(config)
    stamp = localizer(zone_of(config))(utcnow())
    site = config.station_site
    name = f"reconciliation-{day.isoformat()}-{(site or 'all').upper()}-{stamp:%H%M%S}.xlsx"
    return export_reconciliation(target / name, config, day=day, site=site, progress=progress)


def describe(result: ReconciliationResult) -> str:
    """One sentence for the station and the command line."""
    check = (
        "the balance check passed"
        if result.balanced
        else f"the balance check FAILED at {', '.join(result.sites_failed)}"
    )
    if result.empty:
        return f"No events on {result.day.isoformat()} for {result.where}; wrote the empty workbook {result.path}."
    return (
        f"Wrote {result.path}: {result.events} events for {result.where} on {result.day.isoformat()}, "
        f"{result.out_at_end} devices out, {result.exceptions} exceptions ({result.refused} refused scans); {check}."
    )


def end_of_day_action(config: Config, progress: Progress | None = None, *, actor: Actor | None = None) -> str:
    """The station's admin action: write today's workbook, return the sentence to show (with the path).

    ``actor`` (the signed-in operator) must be an admin by the role the database holds now.
    """
    if actor is not None:
        with unavailable_as_error():
            authorize(actor, "reports")
    return describe(end_of_day_result(config, progress=progress))
