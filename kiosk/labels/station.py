"""Sheets the station prints itself (its admin actions): the student lists of the station's site.

Files go to the reports folder: ``[reports] folder`` in the config (``~`` is
expanded), else ``reports/`` in the data directory, as the end-of-day export
does. The folder is created for this user only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kiosk.config import Config
from kiosk.dto import Actor
from kiosk.errors import BadInput
from kiosk.labels.layout import chosen_paper
from kiosk.labels.output import Progress, no_progress
from kiosk.labels.students import write_student_lists
from kiosk.reports.end_of_day import reports_folder as configured_reports_folder


def reports_folder(config: Config) -> Path:
    """Where the station writes its files (created, mode 0700, when missing): the end-of-day export's folder."""
    folder = configured_reports_folder(config)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(
            f"The reports folder {folder} cannot be created: {exc.strerror}. Check [reports] folder."
        ) from exc
    return folder


def site_student_lists(config: Config, *, actor: Actor | None = None, progress: Progress = no_progress) -> str:
    """Write the student lists of this station's site to the reports folder; returns the sentence to show."""
    if not config.station_site:
        raise BadInput(f"Station {config.station} has no site; set station_site in its config to print its lists.")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in config.station_site)
    target = reports_folder(config) / f"students-{safe}-{stamp}.pdf"
    written = write_student_lists(
        target, site=config.station_site, paper_name=chosen_paper(config.extra), district=config.district_name,
        extra=config.extra, actor=actor, progress=progress,
    )  # fmt: skip
    if written.warnings:
        return f"{written.sentence} {len(written.warnings)} ID(s) have no barcode: type them."
    return written.sentence
