"""``kiosk labels students|assets|cases|commands|locations ... -o FILE.pdf``: barcodes on paper.

Like ``kiosk lookup`` the command line acts as whoever can reach the database.
The PDF is created readable by its owner only (mode 0600: student lists carry
names and IDs). Codes that cannot be printed as a barcode are listed on stderr
and their label says to type the code; the exit code stays 0.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.errors import BadInput

_HELP = {
    "students": "barcode student lists per school and homeroom, for pickup points",
    "assets": "asset tags on label sheets (Avery 5160 by default)",
    "cases": "storage-case tags CASE-n with large numbers",
    "commands": "one sheet with every $ command code and its meaning",
    "locations": "a LOC- card per site, for transfers and lookups",
}


def _per_page(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def register(sub, g) -> dict:
    """Add the ``labels`` command to the ``kiosk`` parser."""
    from kiosk.labels.layout import GRIDS, STOCKS

    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="the PDF to write (mode 0600)")
    paper = argparse.ArgumentParser(add_help=False)
    paper.add_argument("--paper", choices=("letter", "a4"),
                       help="paper size (default: [labels] paper in the config, else letter)")  # fmt: skip
    cards = argparse.ArgumentParser(add_help=False)
    cards.add_argument("--per-page", type=_per_page, choices=sorted(GRIDS), default=4, metavar="N",
                       help=f"cards per page: {', '.join(map(str, GRIDS))} (default 4)")  # fmt: skip

    p = sub.add_parser("labels", parents=[g], help="print barcodes: student lists, asset tags, cases, commands, sites")
    lsub = p.add_subparsers(dest="labels_kind", metavar="KIND", required=True)
    s = lsub.add_parser("students", parents=[g, out, paper], help=_HELP["students"])
    s.add_argument("--site", metavar="CODE", help="a school, or a site whose schools to include")
    s.add_argument("--homeroom", metavar="H", help="one homeroom")
    s.add_argument("--grade", metavar="G", help="one grade (PK, KG, 01-12)")

    a = lsub.add_parser("assets", parents=[g, out], help=_HELP["assets"])
    a.add_argument("--site", metavar="CODE", help="devices at this site or a site under it")
    which = a.add_mutually_exclusive_group()
    which.add_argument("--tags", metavar="T1,T2", help="these asset tags, in this order (any status)")
    which.add_argument("--unlabeled", action="store_true", help="devices kiosk has never printed a label for")
    names = ", ".join(stock.name for stock in STOCKS.values())
    a.add_argument("--layout", default="5160", metavar="STOCK",
                   help=f"label stock: {names}, or paper=a4,cols=3,rows=8,width=63.5mm,height=33.9mm,"
                        "[top=,left=,hgap=,vgap=] (default 5160)")  # fmt: skip
    a.add_argument("--skip", type=int, default=0, metavar="N", help="leave the first N labels of the first sheet blank")
    a.add_argument("--no-mark", action="store_true", help="do not record the devices as labeled (a proof print)")

    c = lsub.add_parser("cases", parents=[g, out, paper, cards], help=_HELP["cases"])
    c.add_argument("--from", dest="first", type=int, metavar="N", help="first case number (default: case_first)")
    c.add_argument("--to", dest="last", type=int, metavar="N", help="last case number (default: case_last)")

    lsub.add_parser("commands", parents=[g, out, paper], help=_HELP["commands"])

    loc = lsub.add_parser("locations", parents=[g, out, paper, cards], help=_HELP["locations"])
    loc.add_argument("--site", metavar="CODE", help="this site and the sites under it (default: every site)")
    return {"labels": cmd_labels}


def _tags(text: str) -> list[str]:
    tags = [t.strip() for t in text.split(",") if t.strip()]
    if not tags:
        raise BadInput("--tags names no asset tag; give them separated by commas, e.g. --tags A100001,A100002.")
    return tags


def _paper(args, config) -> str:
    from kiosk.labels.layout import chosen_paper

    return chosen_paper(config.extra, getattr(args, "paper", None))


def _write(args, config, progress):
    from kiosk.cli import _open
    from kiosk.labels import assets, cards, commands, students

    common = {"district": config.district_name, "extra": config.extra, "progress": progress}
    kind = args.labels_kind
    if kind == "commands":
        return commands.write_command_sheet(args.output, paper_name=_paper(args, config), **common)
    if kind == "cases":
        first = config.case_first if args.first is None else args.first
        last = config.case_last if args.last is None else args.last
        return cards.write_case_tags(args.output, first=first, last=last, paper_name=_paper(args, config),
                                     per_page=args.per_page, **common)  # fmt: skip
    _open(args, config)
    if kind == "students":
        return students.write_student_lists(args.output, site=args.site, homeroom=args.homeroom, grade=args.grade,
                                            paper_name=_paper(args, config), **common)  # fmt: skip
    if kind == "locations":
        return cards.write_location_cards(args.output, site=args.site, paper_name=_paper(args, config),
                                          per_page=args.per_page, **common)  # fmt: skip
    return assets.write_asset_labels(
        args.output, site=args.site, tags=_tags(args.tags) if args.tags is not None else None,
        unlabeled=args.unlabeled, layout=args.layout, skip=args.skip, mark=not args.no_mark,
        station=config.station, **common,
    )  # fmt: skip


def cmd_labels(args, config) -> int:
    """Write one sheet kind; print what was written, and any code printed without a barcode."""
    from kiosk.io.progress import ProgressBar

    bar = ProgressBar()
    try:
        written = _write(args, config, lambda fraction, text: bar(text, round(fraction * 100), 100))
    finally:
        bar.close()
    for warning in written.warnings:
        print(f"kiosk: no barcode for {warning}; its label says to type it.", file=sys.stderr)
    print(written.sentence)
    return 0
