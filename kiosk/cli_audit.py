"""``kiosk audit list|show|resolve|review|report``: audit history, results, resolutions and the workbook.

Reading acts as whoever can reach the database (like ``kiosk lookup``); ``resolve`` changes the records
and signs a technician in with ``--operator BADGE`` (PIN from ``KIOSK_PIN`` or a prompt).
"""

from __future__ import annotations

import json
from dataclasses import asdict

from kiosk.errors import BadInput


def register(sub, g) -> dict:
    """Add ``audit`` to the ``kiosk`` parser."""
    p = sub.add_parser("audit", parents=[g], help="physical audits: history, results, resolutions, workbook")
    asub = p.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    a = asub.add_parser("list", parents=[g], help="audit history, newest first")
    a.add_argument("--site", metavar="CODE", help="only audits of this site")
    a.add_argument("--json", action="store_true")
    a = asub.add_parser("show", parents=[g], help="one audit: counts and every line by category")
    a.add_argument("audit", metavar="ID|latest", help="an audit number, or latest (with --site)")
    a.add_argument("--site", metavar="CODE", help="with latest: the site")
    a.add_argument("--json", action="store_true")
    a = asub.add_parser("resolve", parents=[g], help="move misplaced devices here, mark long-missing ones lost, "
                                                     "send unknown tags to review")  # fmt: skip
    a.add_argument("audit", type=int, metavar="ID")
    a.add_argument("resolution", choices=("move", "lost", "review"))
    a.add_argument("codes", nargs="*", metavar="CODE", help="only these lines (default: every line of the kind)")
    a.add_argument("--after", type=int, default=3, metavar="N",
                   help="lost: missing from the latest N finished audits in a row (default 3)")  # fmt: skip
    a.add_argument("--operator", required=True, metavar="BADGE")
    a.add_argument("--json", action="store_true")
    a = asub.add_parser("review", parents=[g], help="the needs-review list: unknown tags found by audits")
    a.add_argument("--all", action="store_true", help="also tags that have since entered the inventory")
    a.add_argument("--json", action="store_true")
    a = asub.add_parser("report", parents=[g], help="the latest audit of a site (or of every site) as a workbook")
    a.add_argument("--site", metavar="CODE")
    a.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    return {"audit": cmd_audit}


def _counts(card) -> str:
    from kiosk.workflow_audit import summary

    return summary(card)


def cmd_audit(args, config) -> int:
    from kiosk.cli import _open

    if args.audit_action == "report":
        from kiosk.reports.book import output_path
        from kiosk.services.audit_report import write_audit_workbook

        output_path(args.output)
        _open(args, config)
        print(write_audit_workbook(args.output, site=args.site, config=config).describe())
        return 0
    _open(args, config)
    return {"list": _list, "show": _show, "resolve": _resolve, "review": _review}[args.audit_action](args, config)


def _list(args, config) -> int:
    from kiosk.services.audits import list_audits

    cards = list_audits(args.site)
    if args.json:
        print(json.dumps([card.as_json() for card in cards], ensure_ascii=False))
        return 0
    if not cards:
        print("No audits yet." if args.site is None else f"No audits of {args.site.upper()} yet.")
    for card in cards:
        print(f"{card.id:>5}  {card.site:<10} {card.status:<9}  {card.started}  {card.started_by:<10} {_counts(card)}")
    return 0


def _show(args, config) -> int:
    from kiosk.dto import AUDIT_CATEGORIES, AUDIT_LABELS
    from kiosk.errors import DomainError
    from kiosk.services.audits import audit_result, latest_audit

    if args.audit == "latest":
        if not args.site:
            raise BadInput("`kiosk audit show latest` needs --site CODE.")
        result = latest_audit(args.site)
        if result is None:
            raise DomainError(f"{args.site.upper()} has no finished audit yet.")
    elif args.audit.isdigit():
        result = audit_result(int(args.audit))
    else:
        raise BadInput(f"{args.audit!r} is not an audit number; give a number or latest --site CODE.")
    card = result.card
    if args.json:
        print(json.dumps({**card.as_json(), "lines": [asdict(line) for line in result.lines]}, ensure_ascii=False))
        return 0
    print(f"Audit {card.id} of {card.site_name} (LOC-{card.site}): {card.status}, started {card.started} by "
          f"{card.started_by}" + (f", closed {card.finished}" if card.finished else ""))  # fmt: skip
    print(f"{card.expected} expected: {_counts(card)}.")
    for name in AUDIT_CATEGORIES:
        lines = result.category(name)
        if not lines:
            continue
        print(f"\n{AUDIT_LABELS[name]} ({len(lines)})")
        for line in lines:
            done = f"  [{line.resolution}]" if line.resolution else ""
            print(f"  {line.code:<14} {line.model or '-':<28} {line.note}{done}")
    return 0


def _resolve(args, config) -> int:
    from kiosk.cli import _sign_in
    from kiosk.services.audit_resolve import resolve

    actor = _sign_in(args.operator, config.station)
    result = resolve(actor, args.audit, args.resolution, args.codes, config=config, lost_after=args.after)
    if args.json:
        print(json.dumps(asdict(result), ensure_ascii=False))
        return 0
    if not result.done and not result.skipped:
        print(f"Nothing to resolve in audit {result.audit}.")
    for code, sentence in result.done:
        print(f"OK    {code:<14} {sentence}")
    for code, reason in result.skipped:
        print(f"LEFT  {code:<14} {reason}")
    return 0


def _review(args, config) -> int:
    from kiosk.services.audit_resolve import review_list

    items = review_list(include_known=args.all)
    if args.json:
        print(json.dumps([asdict(item) for item in items], ensure_ascii=False))
        return 0
    if not items:
        print("The needs-review list is empty.")
    for item in items:
        known = "  (now in the inventory)" if item.now_known else ""
        print(f"{item.code:<16} found at {item.site:<10} audit {item.audit:<5} {item.scanned_at} by {item.scanned_by}"
              f"{known}")  # fmt: skip
    return 0
