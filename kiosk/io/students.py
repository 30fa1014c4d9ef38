"""SIS and Clever-style student exports (CSV or XLSX) read into ``StudentRow`` records.

Clever's students.csv names the local student number ``Student_number`` and the
SIS record id ``Student_id``; when both are present the number is the scanned ID
and the record id is matched against the ``sourcedId`` the roster kept. Program
flags read Y/N, Yes/No, True/False, 1/0 (and the program's own name as yes); an
empty flag cell changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.io.mapping import Columns, Field, Rejection, RowError, resolve
from kiosk.io.values import clean_code, parse_flag

F = Field
FIELDS = [
    F("district_id", ("Student_number", "Student Number", "Student No", "Local ID", "Local Student ID",
                      "District ID", "Student ID", "ID Number", "ID", "Person ID"), "student ID"),
    F("sis_id", ("SIS ID", "sourcedId", "Student_id", "Student ID", "SIS Student ID"), "SIS id"),
    F("first_name", ("First_name", "First Name", "Given Name", "givenName", "Student First Name", "First"),
      "first name"),
    F("last_name", ("Last_name", "Last Name", "Surname", "Family Name", "familyName", "Student Last Name", "Last"),
      "last name"),
    F("grade", ("Grade", "Grade Level", "Grd", "Gr"), "grade"),
    F("school", ("School_id", "School ID", "School Code", "schoolSourcedId", "School", "School Name", "School_name",
                 "Building", "Site"), "school"),
    F("homeroom", ("Homeroom", "Home Room", "Homeroom_name", "Homeroom Teacher", "HR", "Advisory"), "homeroom"),
    F("iep", ("IEP_status", "IEP", "IEP Status", "Special Education", "Special Ed", "SPED", "SpEd",
              "Students with Disabilities", "SWD"), "IEP"),
    F("sec504", ("Section_504", "Section 504", "504", "504 Plan", "504_status", "Sec504"), "504"),
    F("ell", ("Ell_status", "ELL", "ELL Status", "EL", "LEP", "English Learner", "ESL",
              "Limited English Proficient"), "ELL"),
    F("active", ("Enrollment Status", "Status", "Active", "Enrolled"), "status"),
]  # fmt: skip
REQUIRED = (("district_id", "sis_id"),)
_ACTIVE = {"active", "enrolled", "a", "y", "yes", "true", "1", "current"}
_INACTIVE = {"inactive", "withdrawn", "w", "n", "no", "false", "0", "transferred", "graduated", "dropped", "exited"}


@dataclass
class StudentRow:
    """One student as the export describes them; None means the file says nothing."""

    file: str
    row: int
    cells: tuple
    district_id: str | None
    sis_id: str | None
    first_name: str | None
    last_name: str | None
    grade: str | None
    school: str | None
    homeroom: str | None
    iep: bool | None
    sec504: bool | None
    ell: bool | None
    active: bool | None

    def rejection(self, reason: str) -> Rejection:
        return Rejection(self.file, self.row, reason, self.cells)


def columns(table, overrides=None) -> Columns:
    return resolve(table, FIELDS, required=REQUIRED, overrides=overrides)


def _active(text: str) -> bool | None:
    value = text.strip().lower()
    if not value:
        return None
    if value in _ACTIVE:
        return True
    if value in _INACTIVE:
        return False
    raise ValueError(f"{text!r} is neither active nor inactive (e.g. Active, Inactive, Withdrawn)")


def parse_rows(cols: Columns) -> tuple[list[StudentRow], list[Rejection]]:
    """Every row of a student export as a StudentRow, or a Rejection naming what is wrong."""
    rows, rejected = [], []
    label = {name: cols.table.headers[i] for name, i in cols.index.items()}
    for number, cells in cols.table.rows:
        try:
            v = cols.values(number, cells)
            problems = []
            flags = {}
            for name, parse in (("iep", parse_flag), ("sec504", parse_flag), ("ell", parse_flag), ("active", _active)):
                try:
                    flags[name] = parse(v.get(name, ""))
                except ValueError as exc:
                    problems.append(f"{label[name]}: {exc}")
            district_id = clean_code(v.get("district_id", "")) or None
            sis_id = clean_code(v.get("sis_id", "")) or None
            if not district_id and not sis_id:
                problems.append("no student ID")
            if problems:
                raise RowError("; ".join(problems))
            rows.append(StudentRow(
                cols.table.source, number, cols.cells(cells), district_id, sis_id,
                " ".join(v.get("first_name", "").split()) or None, " ".join(v.get("last_name", "").split()) or None,
                v.get("grade", "").strip() or None, " ".join(v.get("school", "").split()) or None,
                " ".join(v.get("homeroom", "").split()) or None, **flags,
            ))  # fmt: skip
        except RowError as exc:
            rejected.append(cols.reject(number, cells, str(exc)))
    return rows, rejected
