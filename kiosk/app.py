"""Composition root: the station App wired to the workflow and the services.

``build_app`` is what the command line and the tests call; the database is
already connected and bound when it runs. Screens get the use cases as plain
callables (:class:`screens.ports.Services`), so they never reach the models.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import models
from kiosk.config import Config, data_dir
from kiosk.dto import Actor
from kiosk.outcome import Outcome, Tally
from kiosk.retry import apply_scan
from kiosk.scanner.settings import parse_settings
from kiosk.services import operators, tickets
from kiosk.services.codes import clean
from kiosk.workflow import Mode, Workflow
from screens import Services, StationApp
from screens.ports import AdminAction, ScannerFactory, ScannerHandle


class WorkflowSession:
    """The screens' view of a :class:`Workflow`: mode names are plain strings there."""

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow

    @property
    def mode(self) -> str:
        """The current mode's name."""
        return self.workflow.mode.value

    @property
    def tally(self) -> Tally:
        """The shift tally of this session."""
        return self.workflow.tally

    def handle(self, raw: str, idem_key: str, on_wait: Callable[[str], None] | None = None) -> Outcome:
        """One scan through the workflow; while the database is away it is retried with the same key
        (``on_wait`` tells the screen), so the station never claims a scan before its commit."""
        return apply_scan(self.workflow, raw, idem_key, on_wait=on_wait)

    def switch(self, mode: str) -> Outcome:
        """A mode key; an unknown name is handled like scanning an unknown command."""
        try:
            return self.workflow.switch(Mode(mode))
        except ValueError:
            return self.workflow.handle(f"${mode}")


def _release_thread() -> None:
    # peewee keeps one connection per thread; a worker closes its own before it ends.
    if not models.database.is_closed():
        models.database.close()


def _student_lists(config: Config, actor: Actor, progress) -> str:
    # The PDF and workbook libraries load when an admin asks for them, not with every station.
    from kiosk.labels.station import site_student_lists

    return site_student_lists(config, actor=actor, progress=progress)


def _end_of_day(config: Config, actor: Actor, progress) -> str:
    from kiosk.reports.end_of_day import end_of_day_action

    return end_of_day_action(config, progress, actor=actor)


def scanner_factory(config: Config) -> ScannerFactory | None:
    """The evdev scanner reader the ``[scanner]`` table asks for, or None for the keyboard wedge only.

    A bad table raises ``BadInput`` here, before the station takes the screen.
    """
    settings = parse_settings(config.extra.get("scanner"))
    if not settings.enabled:
        return None

    def build(*, on_code, on_status, on_notice) -> ScannerHandle:
        from kiosk.scanner.source import ScannerSource  # Linux-only modules (grp, evdev) load with a scanner

        return ScannerSource(settings, on_code=on_code, on_status=on_status, on_notice=on_notice)

    return build


def build_services(config: Config) -> Services:
    """The use cases the station calls, bound to this station's name and scanner settings."""

    def sign_in(badge: str, pin: str) -> Actor:
        # A scanned badge may carry the scanner's prefix, suffix or AIM identifier.
        return operators.sign_in(clean(badge, config), pin, station=config.station)

    def verify_admin(badge: str, pin: str) -> Actor:
        return operators.verify_admin(clean(badge, config), pin, station=config.station)

    return Services(
        sign_in=sign_in,
        verify_admin=verify_admin,
        open_session=lambda actor: WorkflowSession(Workflow(actor, config)),
        release_thread=_release_thread,
        list_tickets=lambda actor: tickets.list_tickets(actor=actor),
        update_ticket=lambda actor, number, status: (
            tickets.update_ticket(actor, str(number), config=config, status=status).ticket
        ),
        admin_actions=(
            AdminAction("Student lists for this site", lambda actor, progress: _student_lists(config, actor, progress)),
            AdminAction(
                "End of day: reconciliation workbook", lambda actor, progress: _end_of_day(config, actor, progress)
            ),
        ),
        scanner=scanner_factory(config),
    )


def build_app(config: Config) -> StationApp:
    """The station App on the already-connected database."""
    return StationApp(config, build_services(config))


def _log_to_file() -> None:
    # A full-screen app cannot write to the terminal; unexpected errors go to a file
    # the technician can read, unless the command line configured logging already.
    root = logging.getLogger()
    if root.handlers:
        return
    path = data_dir() / "kiosk.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def run_station(config: Config) -> None:
    """Build the station and run it full screen until an admin leaves."""
    _log_to_file()
    build_app(config).run()
