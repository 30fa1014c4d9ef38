"""OneRoster 1.1 CSV (a folder or a ZIP): manifest.csv, orgs.csv, users.csv, classes.csv, enrollments.csv.

Read as the IMS OneRoster 1.1 CSV binding describes them, with the deviations
real SIS exports show: headers in any case and with underscores, a UTF-8 BOM,
extra columns, files inside a folder of the ZIP, a non-standard ``homeroom``
column on users.csv. Homerooms otherwise come from classes with classType
``homeroom`` and the students enrolled in them (classCode, else title).

manifest.csv says whether each file is ``bulk`` (the complete set: people the
roster created earlier and missing from it are deactivated) or ``delta`` (only
changes; ``status`` ``tobedeleted`` deactivates). Without a manifest the files
are read as delta: nobody is deactivated for being absent.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.errors import BadInput
from kiosk.io.mapping import Columns, Field, Rejection, RowError, resolve
from kiosk.io.readers import Table, table_from_bytes
from kiosk.io.values import clean_code

F = Field
FILES = ("manifest", "orgs", "users", "classes", "enrollments")
ORG_TYPES = ("district", "school", "department", "local", "state", "national")
STAFF_ROLES = ("teacher", "administrator", "aide", "proctor")
LEFT_OUT_ROLES = ("guardian", "parent", "relative")
ROLES = ("student", *STAFF_ROLES, *LEFT_OUT_ROLES)
ID_FIELDS = ("identifier", "username", "sourcedId")

_STATUS = F("status", ("status",))
ORG_FIELDS = [F("sourced_id", ("sourcedId",), "sourcedId"), _STATUS, F("name", ("name",)), F("type", ("type",)),
              F("identifier", ("identifier",)), F("parent", ("parentSourcedId",), "parentSourcedId")]  # fmt: skip
USER_FIELDS = [
    F("sourced_id", ("sourcedId",), "sourcedId"), _STATUS, F("enabled", ("enabledUser",), "enabledUser"),
    F("orgs", ("orgSourcedIds", "orgSourcedId"), "orgSourcedIds"), F("role", ("role",)),
    F("username", ("username",)), F("identifier", ("identifier",)), F("given", ("givenName",), "givenName"),
    F("family", ("familyName",), "familyName"), F("grades", ("grades", "grade")),
    F("homeroom", ("homeroom", "metadata.homeroom")),
]  # fmt: skip
CLASS_FIELDS = [F("sourced_id", ("sourcedId",), "sourcedId"), _STATUS, F("title", ("title",)),
                F("code", ("classCode",), "classCode"), F("type", ("classType",), "classType")]  # fmt: skip
ENROLLMENT_FIELDS = [F("sourced_id", ("sourcedId",), "sourcedId"), _STATUS,
                     F("class", ("classSourcedId",), "classSourcedId"), F("user", ("userSourcedId",), "userSourcedId"),
                     F("role", ("role",))]  # fmt: skip


@dataclass
class OrgRow:
    file: str
    row: int
    cells: tuple
    sourced_id: str
    deleted: bool
    name: str
    type: str
    identifier: str
    parent: str

    def rejection(self, reason: str) -> Rejection:
        return Rejection(self.file, self.row, reason, self.cells)


@dataclass
class UserRow:
    file: str
    row: int
    cells: tuple
    sourced_id: str
    deleted: bool
    enabled: bool
    orgs: tuple[str, ...]
    role: str
    username: str
    identifier: str
    given: str
    family: str
    grades: tuple[str, ...]
    homeroom: str | None
    """None when the roster says nothing about homerooms."""

    def rejection(self, reason: str) -> Rejection:
        return Rejection(self.file, self.row, reason, self.cells)


@dataclass
class Roster:
    """What a OneRoster folder or ZIP holds, read but not yet checked against the database."""

    source: str
    modes: dict[str, str]
    """orgs/users -> bulk, delta or absent ("delta" when there is no manifest)."""
    orgs: list[OrgRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _members(path: Path) -> dict[str, tuple[str, bytes]]:
    """{file stem: (name for messages, bytes)} of the OneRoster CSVs in a folder or a ZIP."""
    found: dict[str, tuple[str, bytes]] = {}
    if path.is_dir():
        for p in sorted(path.iterdir()):
            stem = p.name.lower().removesuffix(".csv")
            if p.is_file() and p.name.lower().endswith(".csv") and stem in FILES:
                found[stem] = (str(p), p.read_bytes())
        return found
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                base = info.filename.rsplit("/", 1)[-1]
                stem = base.lower().removesuffix(".csv")
                if base.lower().endswith(".csv") and stem in FILES and stem not in found:
                    found[stem] = (f"{path.name}:{info.filename}", archive.read(info))
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInput(f"{path} is neither a folder nor a ZIP of OneRoster CSV files ({exc}).") from exc
    return found


def _manifest(table: Table) -> dict[str, str]:
    cols = resolve(table, [F("name", ("propertyName",)), F("value", ("value",))], required=(("name",), ("value",)))
    return {c[cols.index["name"]].strip().lower(): (c[cols.index["value"]] if cols.index["value"] < len(c) else "")
            .strip().lower() for _, c in table.rows}  # fmt: skip


def read_roster(path: str | Path) -> Roster:
    """Read the roster at ``path``; BadInput for a missing file the manifest promises or a foreign version."""
    p = Path(path)
    if not p.exists():
        raise BadInput(f"{path} does not exist; give the folder or ZIP the SIS exported.")
    members = _members(p)
    tables = {stem: table_from_bytes(data, name) for stem, (name, data) in members.items()}
    roster = Roster(str(path), {}, files=[members[s][0] for s in FILES if s in members])
    manifest = _manifest(tables["manifest"]) if "manifest" in tables else None
    if manifest is None:
        roster.notes.append("no manifest.csv: files read as delta, so nobody is deactivated for being absent.")
    else:
        version = manifest.get("oneroster.version", "1.1")
        if version not in ("1.0", "1.1"):
            raise BadInput(f"{path} is OneRoster {version}; kiosk reads OneRoster 1.1 (and 1.0) CSV.")
    for stem in ("orgs", "users", "classes", "enrollments"):
        mode = (manifest or {}).get(f"file.{stem}", "delta" if stem in tables else "absent")
        if mode not in ("bulk", "delta", "absent"):
            raise BadInput(f"manifest.csv: file.{stem} is {mode!r}; it must be bulk, delta or absent.")
        if mode != "absent" and stem not in tables:
            raise BadInput(f"{path}: manifest.csv lists {stem}.csv as {mode} but there is no {stem}.csv.")
        if mode == "absent" and stem in tables:
            roster.notes.append(f"{stem}.csv ignored: manifest.csv marks it absent.")
            del tables[stem]
        roster.modes[stem] = mode
    if "orgs" not in tables and "users" not in tables:
        raise BadInput(f"{path} holds neither orgs.csv nor users.csv; it is not a OneRoster export.")
    if "orgs" in tables:
        roster.orgs = _orgs(resolve(tables["orgs"], ORG_FIELDS, required=(("sourced_id",), ("name",))), roster)
    if "users" in tables:
        required = (("sourced_id",), ("role",), ("given",), ("family",))
        homerooms = _homerooms(tables.get("classes"), tables.get("enrollments"), roster)
        roster.users = _users(resolve(tables["users"], USER_FIELDS, required=required), roster, homerooms)
    return roster


def _deleted(v: dict[str, str]) -> bool:
    return v.get("status", "").strip().lower() in ("tobedeleted", "inactive")


def _orgs(cols: Columns, roster: Roster) -> list[OrgRow]:
    out = []
    for number, cells in cols.table.rows:
        try:
            v = cols.values(number, cells)
            org_type = v.get("type", "").strip().lower() or "school"
            if org_type not in ORG_TYPES:
                raise RowError(f"type {v['type']!r} is not a OneRoster org type ({', '.join(ORG_TYPES)})")
            if not v["sourced_id"]:
                raise RowError("no sourcedId")
            if not v["name"] and not _deleted(v):
                raise RowError("no name")
            out.append(OrgRow(cols.table.source, number, cols.cells(cells), v["sourced_id"], _deleted(v),
                              " ".join(v["name"].split()), org_type, clean_code(v.get("identifier", "")),
                              v.get("parent", "").strip()))  # fmt: skip
        except RowError as exc:
            roster.rejected.append(cols.reject(number, cells, str(exc)))
    return out


def _enabled(text: str) -> bool:
    value = text.strip().lower()
    if value in ("", "true", "1", "yes", "y"):
        return True
    if value in ("false", "0", "no", "n"):
        return False
    raise RowError(f"enabledUser {text!r} is neither true nor false")


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _users(cols: Columns, roster: Roster, homerooms: dict[str, str] | None) -> list[UserRow]:
    out = []
    for number, cells in cols.table.rows:
        try:
            v = cols.values(number, cells)
            role = v["role"].strip().lower()
            if role not in ROLES:
                raise RowError(f"role {v['role']!r} is not a OneRoster 1.1 role ({', '.join(ROLES)})")
            if not v["sourced_id"]:
                raise RowError("no sourcedId")
            if cols.has("homeroom"):
                homeroom = " ".join(v["homeroom"].split()) or None
            elif homerooms is not None:
                homeroom = homerooms.get(v["sourced_id"], "")
            else:
                homeroom = None
            out.append(UserRow(
                cols.table.source, number, cols.cells(cells), v["sourced_id"], _deleted(v),
                _enabled(v.get("enabled", "")), _split(v.get("orgs", "")), role, v.get("username", "").strip(),
                v.get("identifier", "").strip(), " ".join(v["given"].split()), " ".join(v["family"].split()),
                _split(v.get("grades", "")), homeroom,
            ))  # fmt: skip
        except RowError as exc:
            roster.rejected.append(cols.reject(number, cells, str(exc)))
    return out


def _homerooms(classes: Table | None, enrollments: Table | None, roster: Roster) -> dict[str, str] | None:
    """{user sourcedId: homeroom} from homeroom classes, or None when the roster has no classes."""
    if classes is None or enrollments is None:
        return None
    ccols = resolve(classes, CLASS_FIELDS, required=(("sourced_id",), ("type",)))
    labels = {}
    for number, cells in classes.rows:
        try:
            v = ccols.values(number, cells)
        except RowError as exc:
            roster.rejected.append(ccols.reject(number, cells, str(exc)))
            continue
        if v["type"].strip().lower() == "homeroom" and not _deleted(v):
            labels[v["sourced_id"]] = " ".join((v.get("code") or v.get("title") or "").split())
    ecols = resolve(enrollments, ENROLLMENT_FIELDS, required=(("class",), ("user",)))
    found: dict[str, str] = {}
    for number, cells in enrollments.rows:
        try:
            v = ecols.values(number, cells)
        except RowError as exc:
            roster.rejected.append(ecols.reject(number, cells, str(exc)))
            continue
        label = labels.get(v["class"].strip())
        if label and not _deleted(v) and v.get("role", "student").strip().lower() in ("student", ""):
            found.setdefault(v["user"].strip(), label)
    return found
