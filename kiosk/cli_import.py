"""``kiosk import roster|students|devices|chromeos`` and ``kiosk catalog list|duplicates|merge|alias``.

The local command line acts as whoever can reach the database (like ``kiosk
lookup``); ``--operator BADGE`` signs an admin in instead, and the services then
check the role. Reports go to stdout; the rejected-rows and needs-review CSVs
go next to the ``--report`` file (or into the current folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from kiosk.errors import BadInput

_IMPORT_HELP = {
    "roster": "OneRoster 1.1 CSV folder or ZIP: orgs as sites, users as students and staff",
    "students": "SIS or Clever student export (CSV/XLSX) with program flags and homerooms",
    "devices": "inventory exports (CSV/XLSX) from any legacy system, or Snipe-IT; several files are merged",
    "chromeos": "Google Admin console device list or GAM print cros CSV (AUE dates, org units)",
}


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="import the good rows; write the rejected ones to a CSV")  # fmt: skip
    p.add_argument(
        "--report", metavar="FILE", help="also save the report (JSON if FILE ends in .json); CSVs go beside it"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--verbose", "-v", action="store_true", help="list every row, unchanged ones too")
    p.add_argument("--operator", metavar="BADGE", help="sign in as this admin (PIN from KIOSK_PIN or a prompt)")
    return p


def _mapped(p: argparse.ArgumentParser) -> None:
    p.add_argument("--map", action="append", metavar="'COLUMN=field'", dest="mapping",
                   help="read COLUMN as field (repeatable); 'COLUMN=' ignores a column")  # fmt: skip
    p.add_argument("--sheet", metavar="NAME", help="XLSX sheet to read (default: the first)")


def register(sub, g) -> dict:
    """Add the ``import`` and ``catalog`` commands to the ``kiosk`` parser."""
    from kiosk.io.devices import FORMATS  # kiosk.io only: the services load when a command runs
    from kiosk.io.oneroster import ID_FIELDS

    common = _common()
    p = sub.add_parser("import", parents=[g], help="import SIS rosters, student exports, inventories, Google devices")
    isub = p.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    r = isub.add_parser("roster", parents=[g, common], help=_IMPORT_HELP["roster"])
    r.add_argument("path", metavar="DIR|ZIP")
    r.add_argument("--id-field", choices=ID_FIELDS, default="identifier",
                   help="the users.csv column printed on ID cards (default identifier)")  # fmt: skip
    s = isub.add_parser("students", parents=[g, common], help=_IMPORT_HELP["students"])
    s.add_argument("file")
    _mapped(s)
    d = isub.add_parser("devices", parents=[g, common], help=_IMPORT_HELP["devices"])
    d.add_argument("files", nargs="+", metavar="FILE")
    d.add_argument("--format", choices=FORMATS, default="auto", dest="fmt",
                   help="auto (default) recognises Snipe-IT and Google exports by their headers")  # fmt: skip
    c = isub.add_parser("chromeos", parents=[g, common], help=_IMPORT_HELP["chromeos"])
    c.add_argument("file")
    c.add_argument("--ou-map", metavar="FILE", help="CSV of org unit path -> site code")
    for q in (d, c):
        _mapped(q)
        q.add_argument("--site", metavar="CODE", help="site of new devices whose row names none")
        q.add_argument("--create-models", action="store_true",
                       help="add unknown models to the catalog (else their rows need review)")  # fmt: skip

    p = sub.add_parser("catalog", parents=[g], help="naming conventions: list, near-duplicates, merge, alias")
    csub = p.add_subparsers(dest="catalog_action", metavar="ACTION", required=True)
    a = csub.add_parser("list", parents=[g], help="every catalog item with its aliases and device count")
    a.add_argument("--json", action="store_true")
    a = csub.add_parser("duplicates", parents=[g], help="clusters of near-identical names, with a similarity score")
    a.add_argument("--json", action="store_true")
    a.add_argument("--threshold", type=float, default=0.75, help="least similarity 0..1 (default 0.75)")
    a = csub.add_parser("merge", parents=[g], help="move FROM's devices and aliases onto INTO; FROM becomes an alias")
    a.add_argument("source", metavar="FROM")
    a.add_argument("target", metavar="INTO")
    a.add_argument("--operator", metavar="BADGE")
    a = csub.add_parser("alias", parents=[g], help="record SPELLING as another name of ITEM")
    a.add_argument("spelling", metavar="SPELLING")
    a.add_argument("item", metavar="ITEM")
    a.add_argument("--operator", metavar="BADGE")
    return {"import": cmd_import, "catalog": cmd_catalog}


# -- import --------------------------------------------------------------------


def _actor(args, config):
    if not getattr(args, "operator", None):
        return None
    from kiosk.cli import _sign_in

    return _sign_in(args.operator, config.station)


def _run_import(args, options):
    from kiosk.services import imports

    kind = args.import_kind
    if kind == "roster":
        return imports.import_roster(args.path, options=options, id_field=args.id_field)
    if kind == "students":
        return imports.import_students(args.file, options=options, mapping=args.mapping, sheet=args.sheet)
    if kind == "devices":
        return imports.import_devices(args.files, options=options, fmt=args.fmt, mapping=args.mapping,
                                      default_site=args.site, sheet=args.sheet)  # fmt: skip
    return imports.import_chromeos(args.file, options=options, ou_map_path=args.ou_map, mapping=args.mapping,
                                   default_site=args.site, sheet=args.sheet)  # fmt: skip


def cmd_import(args, config) -> int:
    """Run one import and print its report; exit 2 when rows were rejected and nothing was written."""
    from kiosk.cli import _open
    from kiosk.io.progress import ProgressBar
    from kiosk.services.import_common import ImportOptions, ImportRefused

    _open(args, config)
    bar = ProgressBar()
    options = ImportOptions(
        station=config.station,
        actor=_actor(args, config),
        dry_run=args.dry_run,
        skip_bad_rows=args.skip_bad_rows,
        create_models=getattr(args, "create_models", False),
        progress=bar,
    )
    try:
        report = _run_import(args, options)
    except ImportRefused as exc:
        bar.close()
        _emit(args, exc.report, {}, refused=True)
        raise
    finally:
        bar.close()
    files = {} if report.dry_run else _write_csvs(args, report)
    _emit(args, report, files)
    if report.dry_run and report.rejected and not args.skip_bad_rows:
        print("kiosk: a real run would import nothing: rows are rejected (see above).", file=sys.stderr)
        return 2
    return 0


def _stem(args) -> Path:
    if args.report:
        path = Path(args.report)
        return path.with_name(path.name.rsplit(".", 1)[0] if "." in path.name else path.name)
    return Path.cwd() / f"kiosk-import-{args.import_kind}-{dt.datetime.now():%Y%m%d-%H%M%S}"


def _write_csvs(args, report) -> dict[str, Path]:
    from kiosk.io.writers import write_rows

    stem, files = _stem(args), {}
    if report.rejected:
        files["rejected"] = write_rows(stem.with_name(stem.name + ".rejected.csv"), report.rejected)
    if report.needs_review:
        files["needs_review"] = write_rows(stem.with_name(stem.name + ".needs-review.csv"), report.needs_review)
    return files


def _emit(args, report, files: dict[str, Path], *, refused: bool = False) -> None:
    from kiosk.io.writers import write_text

    data = {**report.as_json(), "csv": {k: str(v) for k, v in files.items()}, "refused": refused}
    text = format_report(report, files, verbose=args.verbose, refused=refused)
    print(json.dumps(data, ensure_ascii=False) if args.json else text, flush=True)
    if args.report:
        write_text(Path(args.report), json.dumps(data, ensure_ascii=False, indent=1) if args.report.endswith(".json")
                   else text + "\n")  # fmt: skip


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n:,} " + ("people" if word == "person" else f"{word}es" if word.endswith("s") else f"{word}s")


def format_report(report, files: dict[str, Path], *, verbose: bool = False, refused: bool = False) -> str:
    """The report as text: counts, then every change (dry run or --verbose), rejected, conflicts, review, notes."""
    counts = report.counts()
    head = f"Import {report.kind}: {', '.join(report.files)}"
    if report.dry_run:
        head += "  (dry run: nothing was written)"
    elif refused:
        head += "  (refused: nothing was written)"
    lines = [head]
    would = report.dry_run or refused
    verb = {"create": "would create" if would else "created", "update": "would update" if would else "updated",
            "deactivate": "would deactivate" if would else "deactivated", "unchanged": "unchanged"}  # fmt: skip
    for action in ("create", "update", "deactivate", "unchanged"):
        entities = counts.get(action, {})
        if entities or action in ("create", "update", "unchanged"):
            listed = ", ".join(_plural(n, e) for e, n in entities.items()) or "nothing"
            lines.append(f"  {verb[action]:<17} {listed}")
    for label, rows, key in (("rejected", report.rejected, "rejected"), ("conflicts", report.conflicts, None),
                             ("needs review", report.needs_review, "needs_review")):  # fmt: skip
        where = f"  (written to {files[key]})" if key in files else ""
        lines.append(f"  {label:<17} {len(rows):,}{where}")
    shown = [c for c in report.changes if verbose or (report.dry_run and c.action != "unchanged")]
    if shown:
        lines += ["", "Changes:"] + [f"  {c.line()}" for c in shown]
    for title, rows in (("Rejected", report.rejected), ("Conflicts (applied in part)", report.conflicts),
                        ("Needs review (nothing created for these rows)", report.needs_review)):  # fmt: skip
        if rows:
            lines += ["", f"{title}:"] + [f"  {r.line()}" for r in rows]
    if report.notes:
        lines += ["", "Notes:"] + [f"  {n}" for n in report.notes]
    if report.event:
        lines += ["", f"Recorded as import event {report.event}."]
    elif not report.dry_run and not refused and not report.changed:
        lines += ["", "Nothing changed; no event was recorded."]
    return "\n".join(lines)


# -- catalog -------------------------------------------------------------------


def cmd_catalog(args, config) -> int:
    from kiosk.cli import _open
    from kiosk.services import catalog

    _open(args, config)
    action = args.catalog_action
    if action == "list":
        items = catalog.list_items()
        if args.json:
            print(json.dumps([i.as_json() for i in items], ensure_ascii=False))
            return 0
        for i in items:
            maker = f", {i.manufacturer}" if i.manufacturer else ""
            print(f"{i.name}  ({i.category}{maker})  {_plural(i.devices, 'device')}")
            if i.aliases:
                print(f"    also: {'; '.join(i.aliases)}")
        return 0
    if action == "duplicates":
        if not 0 < args.threshold <= 1:
            raise BadInput("--threshold is a similarity between 0 and 1, e.g. 0.8.")
        clusters = catalog.duplicates(args.threshold)
        if args.json:
            print(json.dumps([c.as_json() for c in clusters], ensure_ascii=False))
            return 0
        if not clusters:
            print(f"No near-duplicate names at similarity {args.threshold}.")
        for c in clusters:
            names = " | ".join(f"{i.name} ({_plural(i.devices, 'device')})" for i in c.items)
            print(f"{c.score:.2f}  {names}")
            for i in c.items:
                if i.name != c.suggested:
                    print(f"      kiosk catalog merge {json.dumps(i.name)} {json.dumps(c.suggested)}")
        return 0
    actor = _actor(args, config)
    if action == "merge":
        result = catalog.merge(args.source, args.target, station=config.station, actor=actor)
        print(f"Merged {result.source!r} into {result.target!r}: {_plural(result.devices, 'device')} and "
              f"{_plural(result.aliases, 'alias')} moved; {result.source!r} is now an alias.")  # fmt: skip
        return 0
    result = catalog.add_alias(args.spelling, args.item, station=config.station, actor=actor)
    state = "is now" if result.created else "was already"
    print(f"{result.alias!r} {state} an alias of {result.item!r}.")
    return 0
