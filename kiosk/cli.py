"""The ``kiosk`` command line. Exit codes: 0 ok, 1 a domain refusal or failed check, 2 bad usage or input."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from kiosk import cli_audit, cli_fees, cli_import, cli_labels, cli_reports, cli_scanners, clock
from kiosk import db as kdb
from kiosk.config import Config, data_dir, load_config
from kiosk.dto import Actor
from kiosk.errors import BadInput, KioskError

Handler = Callable[[argparse.Namespace, Config], int]


def _globals() -> argparse.ArgumentParser:
    """``--db`` and ``--config`` accepted before or after the command."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--db", default=argparse.SUPPRESS, metavar="URL", help="database URL (else KIOSK_DB, config, default file)"
    )
    p.add_argument("--config", default=argparse.SUPPRESS, metavar="FILE", help="config file (TOML)")
    return p


def build_parser() -> argparse.ArgumentParser:
    g = _globals()
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Device checkout station for 1:1 school programs.", parents=[g]
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", parents=[g], help="build a demo district (once) and run the kiosk on it")
    p.add_argument("--no-run", action="store_true", help="build it and print how to use it, without the station")
    p.add_argument("--students", type=int, default=3000, help="students to create (default 3000)")
    p.add_argument("--devices", type=int, default=3500, help="devices to create (default 3500)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    sub.add_parser("init", parents=[g], help="create or migrate the database (idempotent)")

    p = sub.add_parser("operator", parents=[g], help="manage operators")
    osub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = osub.add_parser("add", parents=[g], help="add an operator; the PIN is read from stdin or a prompt")
    a.add_argument("--badge", required=True)
    a.add_argument("--name", required=True)
    a.add_argument("--role", required=True, choices=("operator", "technician", "admin"))
    osub.add_parser("list", parents=[g], help="list operators")

    p = sub.add_parser("scan", parents=[g], help="headless kiosk: one scan per line, one outcome line per scan")
    p.add_argument("file", nargs="?", default="-", help="file of scans, or - for stdin (default)")
    p.add_argument("--operator", required=True, metavar="BADGE")
    p.add_argument("--station", metavar="NAME")
    p.add_argument("--json", action="store_true", help="JSON Lines output")
    p.add_argument("--keyed", action="store_true",
                   help="each line is KEY<tab>SCAN: KEY is the scan's idempotency key, so a feed re-sent after a "
                        "crash applies each scan once")  # fmt: skip
    p.add_argument("--patience", type=float, default=300.0, metavar="SECONDS",
                   help="how long a scan waits for a database that went away before giving up (default 300)")  # fmt: skip

    p = sub.add_parser("lookup", parents=[g], help="look up a student, device, CASE-n or LOC- code")
    p.add_argument("code")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("case", parents=[g], help="storage cases: assign or release a student's case")
    p.add_argument("action", choices=("assign", "release"))
    p.add_argument("student")
    p.add_argument("--number", type=int, help="a specific case number (assign)")
    p.add_argument("--operator", required=True, metavar="BADGE")
    p.add_argument("--json", action="store_true")

    sub.add_parser("check", parents=[g], help="verify invariants and the ledger")
    for module in EXTENSIONS:
        COMMANDS.update(module.register(sub, g))
    return parser


# -- helpers -------------------------------------------------------------------


def _open(args: argparse.Namespace, config: Config, *, migrate: bool = False, url: str | None = None):
    return kdb.connect(url or kdb.resolve_url(getattr(args, "db", None), config), migrate=migrate)


def _read_secret(prompt: str, env: str | None = None) -> str:
    if env and os.environ.get(env):
        return os.environ[env]
    try:
        return getpass.getpass(prompt)
    except (EOFError, OSError) as exc:
        hint = f" (or set {env})" if env else ""
        raise BadInput(f"No terminal to read the PIN from{hint}.") from exc


def _sign_in(badge: str, station: str) -> Actor:
    from kiosk.services.operators import sign_in

    if not os.environ.get("KIOSK_PIN") and not sys.stdin.isatty():
        try:
            open("/dev/tty").close()
        except OSError as exc:
            raise BadInput("Set KIOSK_PIN: there is no terminal to ask for the PIN.") from exc
    return sign_in(badge, _read_secret(f"PIN for {badge}: ", "KIOSK_PIN"), station=station)


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


# -- commands ------------------------------------------------------------------


def cmd_init(args, config) -> int:
    url = kdb.resolve_url(getattr(args, "db", None), config)
    database = _open(args, config, migrate=True, url=url)
    latest = kdb.applied_migrations(database)[-1]
    print(f"Database ready: {kdb.describe(url)} (schema {latest}).")
    return 0


def cmd_operator(args, config) -> int:
    from kiosk.services import operators

    _open(args, config)
    if args.action == "list":
        for op in operators.list_operators():
            lock = f"  locked until {op.locked_until}" if op.locked_until else ""
            print(f"{op.badge:<16} {op.role:<11} {op.name}{'' if op.active else '  (inactive)'}{lock}")
        return 0
    if sys.stdin.isatty():
        pin = _read_secret(f"PIN for {args.badge}: ")
        if _read_secret("Again: ") != pin:
            raise BadInput("The two PINs differ; nothing was saved.")
    else:
        pin = sys.stdin.readline().strip()
    info = operators.add_operator(args.badge, args.name, args.role, pin, station=config.station)
    print(f"Added {info.role} {info.name} with badge {info.badge}.")
    return 0


def _format_outcome(outcome) -> str:
    mark = {"done": "OK", "info": "--", "warn": "WARN", "error": "NO"}[outcome.level]
    return f"{mark:<5}{outcome.event:<12}{outcome.message}"


def cmd_scan(args, config) -> int:
    from kiosk.retry import apply_scan
    from kiosk.workflow import Workflow

    if args.station:
        config = config.with_overrides(station=args.station)
    _open(args, config)
    actor = _sign_in(args.operator, config.station)
    workflow = Workflow(actor, config)
    refused = 0
    source = sys.stdin if args.file == "-" else _open_scans(args.file)

    def waiting(message: str) -> None:
        print(f"kiosk: {message}", file=sys.stderr, flush=True)

    with source:
        for line in source:
            raw, key = line.rstrip("\r\n"), None
            if args.keyed:
                key, sep, raw = raw.partition("\t")
                if not sep or not key.strip():
                    raise BadInput(
                        f"--keyed: each line is KEY<tab>SCAN; got {line.rstrip()[:60]!r}. Nothing after it was read."
                    )
            # A scan the database could not take is retried with the same key, so it applies once.
            outcome = apply_scan(workflow, raw, key or str(uuid.uuid4()), on_wait=waiting,
                                 patience=args.patience)  # fmt: skip
            refused += not outcome.ok
            answer = {**outcome.as_json(), "key": key} if key else outcome.as_json()
            text = json.dumps(answer, ensure_ascii=False) if args.json else _format_outcome(outcome)
            # One line per scan, flushed: a line printed is a scan acknowledged.
            print(text, flush=True)
    return 1 if refused else 0


def _open_scans(path: str):
    try:
        return open(path, encoding="utf-8", errors="replace", newline="")
    except OSError as exc:
        raise BadInput(f"Cannot read scans from {path}: {exc.strerror}.") from exc


def _print_lookup(result) -> None:
    if result.kind == "student":
        s = result.student
        print(
            f"Student  {s.name} ({s.id})  grade {s.grade or '-'}  {s.school_name or '-'}  homeroom {s.homeroom or '-'}"
        )
        print(f"Programs {', '.join(s.programs) or '-'}   storage case {s.case_number or '-'}")
        print(f"Devices  {', '.join(s.device_lines) or 'none'}")
        print(f"Fees     {_money(s.fees_owed_cents)} owed, {s.free_breaks_left} free breaks left")
    elif result.kind == "device":
        d = result.device
        print(f"Device   {d.asset_tag}  serial {d.serial}  {d.model} ({d.category})")
        holder = f"{d.holder_name} ({d.holder})" if d.holder else "-"
        print(f"Status   {d.status}   holder {holder}   at {d.site_name or '-'}   home {d.home_site or '-'}")
        print(f"AUE      {d.aue_date or '-'}")
        for h in d.history:
            print(f"  {h.at}  {h.summary}")
    elif result.kind == "case":
        c = result.case
        print(f"CASE-{c.number}  {'empty' if c.student is None else f'{c.student.name} ({c.student.id})'}")
    else:
        loc = result.location
        counts = ", ".join(f"{n} {status}" for status, n in loc.devices_by_status) or "no devices"
        print(f"Location {loc.code}  {loc.name} ({loc.kind})  {counts}")


def cmd_lookup(args, config) -> int:
    from kiosk.services.lookup import lookup

    _open(args, config)
    result = lookup(args.code, config=config)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        _print_lookup(result)
    return 0


def cmd_case(args, config) -> int:
    from kiosk.services import cases

    _open(args, config)
    actor = _sign_in(args.operator, config.station)
    if args.action == "assign":
        card = cases.assign_case(actor, args.student, config=config, number=args.number)
        print(json.dumps(card.as_json()) if args.json else f"CASE-{card.number} assigned to {card.student.name}.")
    else:
        card = cases.release_case(actor, args.student, config=config)
        print(json.dumps(card.as_json()) if args.json else f"CASE-{card.number} released by {card.student.name}.")
    return 0


def cmd_check(args, config) -> int:
    from kiosk.services.check import check

    _open(args, config)
    report = check()
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    verdict = "no problems" if report.ok else f"{len(report.problems)} problems"
    print(f"Checked {report.events} events, {report.devices} devices, {report.stations} stations: {verdict}.")
    return 0 if report.ok else 1


def demo_url(args) -> str:
    """The demo's own SQLite file unless ``--db`` names one: a demo never writes into a real district."""
    return getattr(args, "db", None) or f"sqlite:///{data_dir() / 'demo.db'}"


def cmd_demo(args, config) -> int:
    from kiosk import demo

    url = demo_url(args)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    _open(args, config, migrate=True, url=url)
    config = config.with_overrides(station="demo-station")
    if demo.is_empty():
        summary = demo.build_demo(station=config.station, students=args.students, devices=args.devices, seed=args.seed)
        print(f"Built the demo district in {kdb.describe(url)}.")
    else:
        summary = demo.describe_demo()
        print(f"The demo district is already in {kdb.describe(url)}.")
    print("\n".join(summary.tour()))
    config = config.with_overrides(station_site=config.station_site or demo.station_site(config.station))
    if args.no_run:
        return 0
    return _run_station(config)


def _run_station(config: Config) -> int:
    from kiosk.app import run_station

    run_station(config)
    return 0


def cmd_station(args, config) -> int:
    _open(args, config)
    return _run_station(config)


EXTENSIONS: list = []
"""Modules with ``register(subparsers, global_parent) -> {command: handler}`` that add commands."""
EXTENSIONS.append(cli_import)
EXTENSIONS.append(cli_fees)
EXTENSIONS.append(cli_labels)
EXTENSIONS.append(cli_reports)
EXTENSIONS.append(cli_audit)
EXTENSIONS.append(cli_scanners)

COMMANDS: dict[str | None, Handler] = {
    None: cmd_station,
    "demo": cmd_demo,
    "init": cmd_init,
    "operator": cmd_operator,
    "scan": cmd_scan,
    "lookup": cmd_lookup,
    "case": cmd_case,
    "check": cmd_check,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(getattr(args, "config", None))
        clock.set_zone(config.timezone)
        return COMMANDS[args.command](args, config)
    except KioskError as exc:
        print(f"kiosk: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kiosk: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
