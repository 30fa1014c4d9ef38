"""Import use cases: ``kiosk import roster | students | devices | chromeos``.

Every import follows one path:

1. read and parse the files (a file kiosk cannot read at all, such as an empty
   file, a binary file, a missing required column or a doubled header, is refused
   at once with BadInput: nothing is written);
2. plan against the database, read once in bulk: what would be created,
   updated, left unchanged, and which rows are rejected, in conflict or need
   review;
3. ``dry_run``: return the plan as the report. A real run with rejected rows and
   without ``skip_bad_rows`` raises ImportRefused (nothing written). Otherwise
   everything is written in one transaction, with the per-device events the
   ledger replay needs and one ``import`` event that summarises the run.

Running an import twice changes nothing the second time: every row comes back
"unchanged" and no event is written (there is nothing to summarise).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.db import unavailable_as_error
from kiosk.errors import BadInput
from kiosk.io import chromeos, devices, oneroster, students
from kiosk.io.chromeos import OuMap
from kiosk.io.mapping import Columns, Rejection, header_key, parse_map
from kiosk.io.merge import merge
from kiosk.io.readers import read_table
from kiosk.services.catalog_names import alias_key
from kiosk.services.import_common import (
    Change,
    EventWriter,
    ImportOptions,
    ImportReport,
    SiteIndex,
    authorize_import,
    gc_paused,
    refresh_statistics,
    refuse_if_rejected,
    transaction,
)
from kiosk.services.import_devices import DevicePlan
from kiosk.services.import_people import People, PersonWrites, doubled, grade
from kiosk.services.import_roster import RosterPlan
from models import Device, Event, Person, Site

FORMATS = devices.FORMATS
ID_FIELDS = oneroster.ID_FIELDS


def _finish(report: ImportReport, options: ImportOptions, write) -> ImportReport:
    """Refuse, return the dry run, or write the plan and its summary event (inside the transaction)."""
    refuse_if_rejected(report, options)
    if options.dry_run or not report.changed:
        return report
    return dataclasses.replace(report, event=write(report))


# -- devices ------------------------------------------------------------------


def read_device_file(path: str | Path, fmt: str, mapping: list[str] | None, sheet: str | None = None):
    """One inventory or Google file: (detected format, column map, rows, rejected rows)."""
    table = read_table(path, sheet=sheet)
    if fmt == "auto":
        keys = {header_key(h) for h in table.headers}
        fmt = (
            "chromeos"
            if chromeos.looks_like_chromeos(keys)
            else "snipeit"
            if devices.looks_like_snipeit(table)
            else "generic"
        )
    if fmt == "chromeos":
        cols = chromeos.columns(table, parse_map(mapping, chromeos.FIELDS))
        rows, rejected = chromeos.parse_rows(cols)
    else:
        fields = devices.SNIPEIT_FIELDS if fmt == "snipeit" else devices.COMMON_FIELDS
        cols = devices.columns(table, fmt, parse_map(mapping, fields))
        rows, rejected = devices.parse_rows(cols)
    return fmt, cols, rows, rejected


@gc_paused
def import_devices(
    paths: Sequence[str | Path],
    *,
    options: ImportOptions,
    fmt: str = "auto",
    mapping: list[str] | None = None,
    default_site: str | None = None,
    ou_map: OuMap | None = None,
    sheet: str | None = None,
    kind: str = "devices",
) -> ImportReport:
    """Import devices from one or more inventory files (merged and de-duplicated across files)."""
    rows, rejected, notes, formats = [], [], [], []
    for n, path in enumerate(paths, start=1):
        detected, cols, file_rows, file_rejected = read_device_file(path, fmt, mapping, sheet)
        formats.append(detected)
        rows += file_rows
        rejected += file_rejected
        notes += cols.notes
        options.tick("reading files", n, len(paths))
    merged, contradictions = merge(rows, alias_key)
    with unavailable_as_error(), transaction(options):
        authorize_import(options)
        if default_site:
            try:
                SiteIndex().find(default_site)
            except ValueError as exc:
                raise BadInput(f"--site {default_site}: {exc}.") from None
        plan = DevicePlan(options, default_site=default_site, ou_map=ou_map)
        plan.run(merged)
        report = plan.report(kind, [str(p) for p in paths], rejected + contradictions, notes)
        report = _finish(report, options, plan.write)
    refresh_statistics(report, Device, Event)
    return report


def import_chromeos(
    path: str | Path, *, options: ImportOptions, ou_map_path: str | Path | None = None, **kw
) -> ImportReport:
    """Import a Google Admin console or GAM device list: update or create devices with their AUE dates."""
    ou_map = chromeos.read_ou_map(read_table(ou_map_path)) if ou_map_path else None
    return import_devices([path], options=options, fmt="chromeos", ou_map=ou_map, kind="chromeos", **kw)


# -- roster -------------------------------------------------------------------


@gc_paused
def import_roster(path: str | Path, *, options: ImportOptions, id_field: str = "identifier") -> ImportReport:
    """Import a OneRoster 1.1 CSV folder or ZIP: orgs as sites, users as students and staff."""
    if id_field not in ID_FIELDS:
        raise BadInput(f"--id-field must be one of {', '.join(ID_FIELDS)}, not {id_field!r}.")
    roster = oneroster.read_roster(path)
    options.tick("reading files", 1, 1)
    with unavailable_as_error(), transaction(options):
        authorize_import(options)
        plan = RosterPlan(options, id_field)
        plan.run(roster)
        report = ImportReport(
            kind="roster",
            files=tuple(roster.files),
            dry_run=options.dry_run,
            changes=tuple(plan.changes),
            rejected=tuple(sorted([*roster.rejected, *plan.rejected], key=lambda r: (r.file, r.row))),
            notes=(*roster.notes, *plan.notes),
        )

        def write(report: ImportReport) -> str:
            plan.write()
            return EventWriter(options).finish(report)

        report = _finish(report, options, write)
    refresh_statistics(report, Person, Site)
    return report


# -- students -----------------------------------------------------------------


@dataclass
class StudentPlan:
    """An SIS or Clever student export checked against the students the roster created."""

    options: ImportOptions
    rejected: list[Rejection] = field(default_factory=list)
    people: PersonWrites = field(default_factory=PersonWrites)

    def run(self, rows: list[students.StudentRow]) -> None:
        sites = SiteIndex()
        self.sites = sites
        known = People.named([r.district_id for r in rows], [r.sis_id for r in rows])
        twice = doubled([r.district_id for r in rows]) | doubled([r.sis_id for r in rows])
        for row in rows:
            where = f"{row.file} row {row.row}"
            try:
                if row.district_id in twice or row.sis_id in twice:
                    raise ValueError(f"student {row.district_id or row.sis_id} appears twice in the file")
                person = known.match(row.district_id, row.sis_id)
                level = grade(row.grade)
                school = sites.find(row.school) if row.school else None
            except ValueError as exc:
                self.rejected.append(row.rejection(str(exc)))
                continue
            values = {"first_name": row.first_name, "last_name": row.last_name, "grade": level, "school": school,
                      "homeroom": row.homeroom, "iep": row.iep, "sec504": row.sec504, "ell": row.ell,
                      "active": row.active, "sis_id": row.sis_id}  # fmt: skip
            if person is not None:
                self.people.update(person, values, where, self._describe)
                continue
            missing = [what for what, v in (("an ID", row.district_id), ("a first name", row.first_name),
                                            ("a last name", row.last_name)) if not v]  # fmt: skip
            if missing:
                self.rejected.append(row.rejection(f"a new student needs {', '.join(missing)}"))
                continue
            values = {k: (bool(v) if k in ("iep", "sec504", "ell") else v) for k, v in values.items()}
            values.update(district_id=row.district_id, role="student", active=row.active is not False)
            self.people.create(values, where, f"student {row.first_name} {row.last_name}")

    def _describe(self, name: str, value) -> str:
        if value is None:
            return "-"
        if name == "school":
            return self.sites.code.get(value, "?")
        return str(value)


@gc_paused
def import_students(
    path: str | Path, *, options: ImportOptions, mapping: list[str] | None = None, sheet: str | None = None
) -> ImportReport:
    """Import an SIS or Clever student export (CSV or XLSX): program flags, grades, schools, homerooms."""
    table = read_table(path, sheet=sheet)
    cols: Columns = students.columns(table, parse_map(mapping, students.FIELDS))
    rows, rejected = students.parse_rows(cols)
    options.tick("reading files", 1, 1)
    with unavailable_as_error(), transaction(options):
        authorize_import(options)
        plan = StudentPlan(options)
        plan.run(rows)
        report = ImportReport(
            kind="students",
            files=(str(path),),
            dry_run=options.dry_run,
            changes=tuple(plan.people.changes),
            rejected=tuple(sorted([*rejected, *plan.rejected], key=lambda r: (r.file, r.row))),
            notes=tuple(cols.notes),
        )

        def write(report: ImportReport) -> str:
            plan.people.write(options)
            return EventWriter(options).finish(report)

        report = _finish(report, options, write)
    refresh_statistics(report, Person)
    return report


__all__ = [
    "FORMATS",
    "ID_FIELDS",
    "Change",
    "ImportOptions",
    "ImportReport",
    "import_chromeos",
    "import_devices",
    "import_roster",
    "import_students",
]
