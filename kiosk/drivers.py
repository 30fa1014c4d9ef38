"""Load the PostgreSQL driver only in a process that may need it.

Peewee imports psycopg (and with it libpq and its TLS libraries) as soon as it
is imported itself, whatever database the process opens: about 14 MB of a
station that talks to a SQLite file and never to a server. Before anything
imports peewee, the ``kiosk`` command works out the database URL the way the
command line will (``--db``, ``KIOSK_DB``, the config file, the default file)
and, when that is certainly a SQLite file, tells Python the driver is not
there. Anything uncertain (an unreadable config, a PostgreSQL URL, a driver
already loaded) leaves everything as it was.
"""

from __future__ import annotations

import os
import sys

POSTGRES_DRIVERS = ("psycopg", "psycopg2")


def _option(argv: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` (the last one wins, as argparse does)."""
    found = None
    for n, arg in enumerate(argv):
        if arg == name and n + 1 < len(argv):
            found = argv[n + 1]
        elif arg.startswith(name + "="):
            found = arg.split("=", 1)[1]
    return found


def database_url(argv: list[str]) -> str | None:
    """The URL the command line will open, or None when it cannot be told without more work."""
    from kiosk.config import default_sqlite_path, load_config
    from kiosk.errors import KioskError

    url = _option(argv, "--db") or os.environ.get("KIOSK_DB")
    if url is None:
        try:
            url = load_config(_option(argv, "--config")).db_url
        except (KioskError, OSError, ValueError):  # the command reports a bad config; here it means "not sure"
            return None
    return url or f"sqlite:///{default_sqlite_path()}"


def is_sqlite(url: str | None) -> bool:
    return url is not None and (url.startswith("sqlite") or "://" not in url)


def skip_postgres_driver(url: str | None) -> bool:
    """Make ``import psycopg`` fail in this process when ``url`` is a SQLite file; True when it did."""
    if not is_sqlite(url) or any(sys.modules.get(name) for name in POSTGRES_DRIVERS):
        return False
    for name in POSTGRES_DRIVERS:
        sys.modules.setdefault(name, None)  # None in sys.modules: the import raises ImportError
    return True


def main() -> int:
    """The ``kiosk`` command: choose the drivers, then run the command line."""
    skip_postgres_driver(database_url(sys.argv[1:]))
    from kiosk.cli import main as cli_main

    return cli_main()
