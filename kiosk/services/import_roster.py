"""Planning and writing a OneRoster import: orgs become sites, users become students and staff.

A site's code is the org's ``identifier`` when it has one, else its
``sourcedId``; the sourcedId is kept in ``Site.sis_id`` so users.csv and later
SIS files can name the school by it. Orgs of type district and school become
sites; departments and the rest are left out (counted in the notes). Sites are
never deleted. Users: students and staff (teacher, administrator, aide,
proctor); guardians, parents and relatives are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.io.mapping import Rejection
from kiosk.io.oneroster import LEFT_OUT_ROLES, Roster, UserRow
from kiosk.io.values import clean_code
from kiosk.services.import_common import Change, ImportOptions, SiteIndex
from kiosk.services.import_people import People, PersonWrites, doubled, grade
from models import Site


@dataclass
class RosterPlan:
    """Everything a roster import would write, worked out before anything is written."""

    options: ImportOptions
    id_field: str = "identifier"
    changes: list[Change] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_sites: list[dict] = field(default_factory=list)
    site_updates: list[tuple[int, dict]] = field(default_factory=list)
    parents: dict[int, str] = field(default_factory=dict)
    """site id (or placeholder) -> parent org sourcedId."""
    people: PersonWrites = field(default_factory=PersonWrites)

    def run(self, roster: Roster) -> None:
        self.sites = SiteIndex()
        self.site_rows = {row["id"]: row for row in Site.select(Site.id, Site.code, Site.name, Site.kind, Site.sis_id,
                                                                 Site.parent).dicts()}  # fmt: skip
        self._orgs(roster)
        self._users(roster)
        self.changes += self.people.changes

    # -- orgs -----------------------------------------------------------------

    def _orgs(self, roster: Roster) -> None:
        twice = doubled([o.sourced_id for o in roster.orgs])
        left_out: dict[str, int] = {}
        for org in roster.orgs:
            where = f"{org.file} row {org.row}"
            if org.sourced_id in twice:
                self.rejected.append(org.rejection(f"sourcedId {org.sourced_id} appears twice in orgs.csv"))
                continue
            if org.type not in ("district", "school"):
                left_out[org.type] = left_out.get(org.type, 0) + 1
                continue
            site_id = self.sites.by_sis.get(org.sourced_id)
            code = org.identifier or clean_code(org.sourced_id)
            if org.deleted:
                if site_id:
                    self.notes.append(f"{where}: org {org.sourced_id} is marked tobedeleted; sites are never deleted.")
                continue
            if site_id is None:
                same_code = self.sites.by_code.get(code.upper())
                if same_code and self.site_rows[same_code]["sis_id"] not in (None, "", org.sourced_id):
                    self.rejected.append(org.rejection(
                        f"site code {code} belongs to another SIS org ({self.site_rows[same_code]['sis_id']})"
                    ))  # fmt: skip
                    continue
                site_id = same_code
            if site_id is None:
                site_id = -(len(self.new_sites) + 1)  # a placeholder id until the site is inserted
                self.new_sites.append({"id": site_id, "code": code, "name": org.name, "kind": org.type,
                                       "sis_id": org.sourced_id})  # fmt: skip
                self.sites.add(site_id, code, org.name, org.sourced_id)
                self.site_rows[site_id] = {"id": site_id, "code": code, "name": org.name, "kind": org.type,
                                           "sis_id": org.sourced_id, "parent": None}  # fmt: skip
                self.changes.append(Change("create", "site", code, where, f"{org.name} ({org.type})"))
            else:
                current = self.site_rows[site_id]
                new = {"name": org.name, "kind": org.type, "sis_id": org.sourced_id}
                diff = {k: v for k, v in new.items() if v and v != current[k]}
                if diff:
                    self.site_updates.append((site_id, diff))
                    detail = "; ".join(f"{k} {current[k] or '-'} -> {v}" for k, v in diff.items())
                    self.changes.append(Change("update", "site", current["code"], where, detail))
                else:
                    self.changes.append(Change("unchanged", "site", current["code"], where))
            if org.parent:
                self.parents[site_id] = org.parent
        for kind, n in sorted(left_out.items()):
            self.notes.append(f"{n} org(s) of type {kind} left out: only districts and schools become sites.")
        for site_id, parent in list(self.parents.items()):
            parent_id = self.sites.by_sis.get(parent)
            if parent_id is None:
                self.notes.append(f"site {self.site_rows[site_id]['code']}: parent org {parent} is not a known site.")
                del self.parents[site_id]
            elif self.site_rows[site_id]["parent"] == parent_id:
                del self.parents[site_id]

    # -- users ----------------------------------------------------------------

    def _scanned_id(self, user: UserRow) -> str:
        return clean_code({"identifier": user.identifier, "username": user.username,
                           "sourcedId": user.sourced_id}[self.id_field])  # fmt: skip

    def _school(self, user: UserRow) -> int | None:
        known = [self.sites.by_sis[o] for o in user.orgs if o in self.sites.by_sis]
        if user.orgs and not known:
            raise ValueError(f"none of its orgs ({', '.join(user.orgs)}) is a known site; is it in orgs.csv?")
        schools = [s for s in known if self.site_rows[s]["kind"] == "school"]
        return (schools or known or [None])[0]

    def _users(self, roster: Roster) -> None:
        people = People.everyone()
        users = [u for u in roster.users if u.role not in LEFT_OUT_ROLES]
        if len(users) < len(roster.users):
            self.notes.append(f"{len(roster.users) - len(users)} guardian/parent/relative user(s) left out.")
        twice_ids = doubled([self._scanned_id(u) for u in users])
        twice_sis = doubled([u.sourced_id for u in users])
        seen: set[str] = set()
        for user in users:
            where = f"{user.file} row {user.row}"
            did = self._scanned_id(user)
            seen.add(user.sourced_id)
            try:
                if not did:
                    raise ValueError(f"no {self.id_field} to use as the scanned ID (see --id-field)")
                if did in twice_ids or user.sourced_id in twice_sis:
                    raise ValueError(f"ID {did} / sourcedId {user.sourced_id} appears twice in users.csv")
                person = people.match(did, user.sourced_id)
                school = self._school(user)
                level = grade(user.grades[0]) if user.role == "student" and user.grades else None
            except ValueError as exc:
                self.rejected.append(user.rejection(str(exc)))
                continue
            active = user.enabled and not user.deleted
            values = {"first_name": user.given or None, "last_name": user.family or None,
                      "role": "student" if user.role == "student" else "staff", "grade": level, "school": school,
                      "homeroom": user.homeroom, "active": active, "sis_id": user.sourced_id}  # fmt: skip
            if person is None:
                if not active:
                    self.people.changes.append(
                        Change("unchanged", "person", did, where, "inactive in the SIS; not added")
                    )
                elif not (user.given and user.family):
                    self.rejected.append(user.rejection("a new person needs a givenName and a familyName"))
                else:
                    values.update(district_id=did, homeroom=user.homeroom or None, iep=False, sec504=False, ell=False)
                    self.people.create(values, where, f"{user.role} {user.given} {user.family}")
                continue
            self.people.update(person, values, where, self._describe)
        if roster.modes.get("users") == "bulk":
            gone = [p for p in people.by_id.values() if p["sis_id"] and p["active"] and p["sis_id"] not in seen]
            for p in gone:
                self.people.deactivate.append(p["id"])
                self.people.changes.append(Change("deactivate", "person", p["district_id"], "users.csv (bulk)",
                                                  "not in the bulk users.csv"))  # fmt: skip

    def _describe(self, name: str, value) -> str:
        if value is None or value == "":
            return "-"
        if name == "school":
            return self.sites.code.get(value, "?")
        return str(value)

    # -- writing --------------------------------------------------------------

    def write(self) -> None:
        """Write the plan in the caller's transaction."""
        real: dict[int, int] = {}
        for site in self.new_sites:
            real[site["id"]] = Site.create(**{k: v for k, v in site.items() if k != "id"}).id
        for site_id, diff in self.site_updates:
            Site.update(**diff).where(Site.id == site_id).execute()
        for site_id, parent in self.parents.items():
            parent_id = self.sites.by_sis[parent]
            Site.update(parent=real.get(parent_id, parent_id)).where(Site.id == real.get(site_id, site_id)).execute()
        self.people.write(self.options, real)
