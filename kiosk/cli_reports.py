"""``kiosk export reconciliation`` and ``kiosk report status|lifecycle|special-ed|fees``.

Like ``kiosk lookup``, the local command line acts as whoever can reach the
database. Workbooks hold student data and are created with mode 0600.
Exit codes: 0 written (a failed balance check is reported in the workbook and
on stderr, and exits 1), 2 bad input (a date that is not a date, an unknown
site or station, an output that is not a writable ``.xlsx`` path).
"""

from __future__ import annotations

import argparse
import sys

REPORT_HELP = {
    "status": "devices by status x site x model, and the device list",
    "lifecycle": "devices reaching end of life by school year, with replacement cost by site and funding",
    "special-ed": "IEP, 504 and ELL students: with a device, without one, devices in repair",
    "fees": "balances by student and homeroom, with aging",
    "audit": "the latest physical audit of --site: one sheet per result category",
}


def register(sub, g) -> dict:
    """Add the ``export`` and ``report`` commands to the ``kiosk`` parser."""
    p = sub.add_parser("export", parents=[g], help="the end-of-day reconciliation workbook")
    esub = p.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    r = esub.add_parser("reconciliation", parents=[g], help="one day's reconciliation workbook (XLSX)")
    r.add_argument("--date", metavar="YYYY-MM-DD", help="the local day (default today; also 'yesterday')")
    r.add_argument("--site", metavar="CODE", help="only events touching this site (default all sites)")
    r.add_argument("--station", metavar="NAME", help="only this station's events")
    r.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="the workbook to write")

    p = sub.add_parser("report", parents=[g], help="workbooks for the board and the state")
    p.add_argument(
        "report",
        choices=tuple(REPORT_HELP),
        metavar="|".join(REPORT_HELP),
        help="; ".join(f"{k}: {v}" for k, v in REPORT_HELP.items()),
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="the workbook to write")
    p.add_argument("--site", metavar="CODE", help="audit: the audited site (default: the latest audit anywhere)")
    return {"export": cmd_export, "report": cmd_report}


def _progress_printer():
    if not sys.stderr.isatty():
        return None

    def show(fraction: float, text: str) -> None:
        print(f"\r{fraction:4.0%}  {text[:70]:<70}", end="" if fraction < 1 else "\n", file=sys.stderr, flush=True)

    return show


def cmd_export(args: argparse.Namespace, config) -> int:
    from kiosk.cli import _open
    from kiosk.reports import export_reconciliation
    from kiosk.reports.book import output_path
    from kiosk.reports.end_of_day import describe
    from kiosk.reports.scope import parse_day

    day = parse_day(args.date, config)
    output_path(args.output)
    _open(args, config)
    result = export_reconciliation(
        args.output, config, day=day, site=args.site, station=args.station, progress=_progress_printer()
    )
    print(describe(result))
    if not result.balanced:
        print(
            f"kiosk: devices out do not add up at {', '.join(result.sites_failed)}; see the Summary and "
            "Exceptions sheets.",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_report(args: argparse.Namespace, config) -> int:
    from kiosk.cli import _open
    from kiosk.db import unavailable_as_error
    from kiosk.reports import REPORTS
    from kiosk.reports.book import output_path

    output_path(args.output)
    _open(args, config)
    with unavailable_as_error():
        if args.report == "audit":
            from kiosk.services.audit_report import write_audit_workbook

            result = write_audit_workbook(args.output, site=args.site, config=config)
        else:
            result = REPORTS[args.report](args.output, config)
    print(result.describe())
    return 0
