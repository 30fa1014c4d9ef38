"""The demo district builder behind ``kiosk demo``.

``build_demo`` fills an empty, migrated database with a district office, seven
schools, storage, a repair depot and two pickup points; students K-12 and staff;
a catalog with one model per grade band; devices, about 70 % of them on loan.
Rows are written as the services would have written them, each change with its
event in replay order, so ``kiosk check`` finds nothing. Rows go in with
``insert_many`` in batches, events through ``kiosk.ledger.BulkChain``, all in one
transaction: 600,000 students and 1,000,000 devices build in minutes, and a
failed build leaves nothing behind. People, devices and loans depend only on
``seed``; event times are spread over the weeks before the fixed ``BASE_DAY``.
"""

from __future__ import annotations

import datetime as dt
import random
from array import array

from kiosk import demo_data as data
from kiosk.db import atomic, unavailable_as_error
from kiosk.demo_summary import DemoSummary, describe_demo, is_empty, station_site
from kiosk.errors import BadInput
from kiosk.ledger import BulkChain
from kiosk.services.operators import add_operator
from models import CatalogAlias, CatalogItem, Device, Event, Loan, Person, Site, Station, Ticket

BASE_DAY = dt.date(2026, 8, 28)
"""The Friday that ends the demo's distribution weeks; every event falls in the five weeks before it."""
STUDENT_BASE, STAFF_BASE, TAG_BASE = 2_100_000, 100_001, 100_001
"""Student IDs are 7-digit numbers, staff IDs ``E`` + 6 digits, asset tags ``A`` + 6 (or more) digits."""
BATCH, SQLITE_VARIABLES = 1000, 32_000
"""Rows per INSERT; SQLite refuses a statement with more than 32,766 bound values."""
ISSUED_SHARE, IEP_SHARE, SEC504_SHARE, ELL_SHARE, INACTIVE_SHARE = 0.70, 0.14, 0.04, 0.09, 0.005
AVAILABLE, ISSUED, DAMAGED, IN_REPAIR = 0, 1, 2, 3
STATUS_NAMES = ("available", "issued", "damaged", "in_repair")
EVENT_FIELDS = tuple(field.name for field in Event._meta.sorted_fields if field.name != "id")
OPERATOR, TECHNICIAN, ADMIN = (badge for badge, *_ in data.OPERATORS)


class _Rows:
    """Buffers rows for one table and writes them a batch at a time with ``insert_many``."""

    def __init__(self, model, names: tuple[str, ...]):
        self.model, self.fields = model, [getattr(model, name) for name in names]
        self.size = min(BATCH, SQLITE_VARIABLES // len(names))
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, *values) -> None:
        self.rows.append(values)
        if len(self.rows) >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.model.insert_many(self.rows, fields=self.fields).as_rowcount().execute()
            self.count += len(self.rows)
            self.rows = []


class _Ledger(_Rows):
    """Event rows chained by ``BulkChain``; the order of ``add_event`` calls is the ledger order."""

    def __init__(self, chain: BulkChain):
        super().__init__(Event, EVENT_FIELDS)
        self.chain = chain

    def add_event(self, kind: str, at: dt.datetime, **fields) -> str:
        row = self.chain.row(kind, at, **fields)
        self.add(*(row[name] for name in EVENT_FIELDS))
        return row["uuid"]


def _moments(first: int, last: int, n: int):
    """``n`` increasing naive-UTC times from day ``first`` to day ``last`` before BASE_DAY, in school hours.

    School hours (13:00-21:00 UTC, 8 to 4 Central time): the history should look like
    checkout tables at work, not a script at midnight.
    """
    start = dt.datetime.combine(BASE_DAY, dt.time(13)) - dt.timedelta(days=first)
    days, day_seconds = first - last + 1, 8 * 3600
    for k in range(n):
        span = k * days * day_seconds // max(n, 1)
        yield start + dt.timedelta(days=span // day_seconds, seconds=span % day_seconds)


class _Plan:
    """Who exists, which device goes to whom, what happened: decided in memory from the seed alone.

    People and devices are identified by their index; compact arrays keep a
    district of a million devices within a few hundred megabytes.
    """

    def __init__(self, students: int, devices: int, seed: int):
        rng = random.Random(f"kiosk-demo:{seed}")
        self.seed, self.students, self.staff = seed, students, max(3, students // 15)
        self.sites = [data.DISTRICT[0]] + [code for code, _, _ in data.SITES]
        self.site_index = {code: n for n, code in enumerate(self.sites)}
        self._people(rng)
        self._devices(rng, devices)
        self._loans(rng)

    def _people(self, rng: random.Random) -> None:
        s, total = self.students, self.students + self.staff
        self.grade = bytearray(rng.choices(range(13), weights=data.GRADE_WEIGHTS, k=s)) + bytearray([255]) * self.staff
        self.school = bytearray(total)
        elem_codes, elem_weights = zip(*data.ELEMENTARY, strict=True)
        mid_codes, mid_weights = zip(*data.MIDDLE, strict=True)
        for p in range(s):
            g, draw = self.grade[p], rng.random()
            if g < 6:
                code = rng.choices(elem_codes, weights=elem_weights)[0]
            elif g < 9:
                code = data.ALTERNATIVE if draw < data.ALT_SHARE_MIDDLE else rng.choices(mid_codes, mid_weights)[0]
            else:
                code = data.ALTERNATIVE if draw < data.ALT_SHARE_HIGH else data.HIGH
            self.school[p] = self.site_index[code]
        for p in range(s, total):  # staff follow enrolment (a random student's school); a few work at the office
            self.school[p] = 0 if rng.random() < 0.08 else self.school[rng.randrange(s)]
        # Exact shares (not a coin per student) so every build reports the same percentages.
        self.iep = set(rng.sample(range(s), round(s * IEP_SHARE)))
        self.sec504 = set(rng.sample([p for p in range(s) if p not in self.iep], round(s * SEC504_SHARE)))
        self.ell = set(rng.sample(range(s), round(s * ELL_SHARE)))
        self.inactive = set(rng.sample(range(s), round(s * INACTIVE_SHARE)))

    def _devices(self, rng: random.Random, devices: int) -> None:
        hotspots, chargers = round(devices * 0.04), round(devices * 0.03)
        laptops = min(self.staff, round(devices * 0.08))
        band_students = [0, 0, 0]
        for g in self.grade[: self.students]:
            band_students[0 if g < 3 else 1 if g < 6 else 2] += 1
        left = devices - hotspots - chargers - laptops  # the student pool, split by enrolment
        bands = [left * count // self.students for count in band_students[:2]]
        bands.append(left - sum(bands))
        older = round(bands[2] * data.OLDER_612_SHARE)
        per_model = [bands[0], bands[1], bands[2] - older, older, laptops, hotspots, chargers // 2,
                     chargers - chargers // 2]  # fmt: skip
        batches = []  # (purchase date, model, count, PO, funding, unit cost): tags follow receiving order
        for model, count in enumerate(per_model):
            spec = data.CATALOG[model]
            years = list(range(spec.bought[0], spec.bought[1] + 1))
            for n, year in enumerate(years):
                size = count // len(years) + (1 if n < count % len(years) else 0)
                if size:
                    day = dt.date(year, rng.choice((4, 5, 6) if year == BASE_DAY.year else (6, 7, 8)),
                                  rng.randint(1, 28))  # fmt: skip
                    cost = int(round(spec.replacement_cost_cents * rng.uniform(0.86, 1.0), -2))
                    funding = data.funding_source(spec.pool, year, rng.random())
                    batches.append((day, model, size, f"PO{year % 100:02d}-{rng.randint(10000, 99999)}", funding, cost))
        batches.sort()
        self.batches = batches
        self.model = bytearray()
        for _, model, size, *_ in batches:
            self.model += bytes([model]) * size
        self.devices = len(self.model)
        self.pools: dict[str, list[int]] = {}
        for d, model in enumerate(self.model):
            self.pools.setdefault(data.CATALOG[model].pool, []).append(d)
        self.status = bytearray(self.devices)
        self.home = bytearray(self.devices)
        self.holder = array("l", [-1]) * self.devices

    def _loans(self, rng: random.Random) -> None:
        s, high = self.students, self.site_index[data.HIGH]
        active = [p for p in range(s) if p not in self.inactive]
        # The tour issues a Chromebook to a high-school student who holds nothing: keep one free.
        self.tour_student = next(p for p in active if self.school[p] == high)
        active.remove(self.tour_student)
        candidates = {
            "K2": [p for p in active if self.grade[p] < 3],
            "35": [p for p in active if 3 <= self.grade[p] < 6],
            "612": [p for p in active if self.grade[p] >= 6],
            "staff": list(range(s, s + self.staff)),
            "hotspot": [p for p in active if self.grade[p] >= 3],
        }
        self.issues, self.spares = [], {}
        for pool, devs in self.pools.items():
            devs = devs[:]
            rng.shuffle(devs)
            people = candidates.get(pool, [])
            rng.shuffle(people)
            # 70 % of students hold their band's device, 90 % of staff a laptop, 30 % of hotspots are out;
            # at least a tenth of each pool stays spare so a distribution day never runs dry.
            share = 0.9 if pool == "staff" else ISSUED_SHARE
            wanted = round(len(devs) * 0.3) if pool == "hotspot" else round(len(people) * share)
            count = max(0, min(wanted, len(people), len(devs) - max(1, len(devs) // 10)))
            for d, p in zip(devs[:count], people[:count], strict=True):
                self.holder[d], self.status[d], self.home[d] = p, ISSUED, self.school[p]
                self.issues.append(d)
            self.spares[pool] = devs[count:]
            for d in self.spares[pool]:
                self.home[d] = self.site_index[data.spare_site(pool, rng)]
        rng.shuffle(self.issues)  # every school distributes at once: interleave bands in the ledger
        self.site = bytearray(self.home)
        storage = self.site_index[data.STORAGE]
        # The tour needs a 06-12 Chromebook waiting in storage; make sure there is one.
        self.sample_device = next((d for d in self.spares["612"] if self.home[d] == storage), self.spares["612"][0])
        self.home[self.sample_device] = self.site[self.sample_device] = storage
        student_spares = [
            d for pool in ("K2", "35", "612") for d in self.spares.get(pool, []) if d != self.sample_device
        ]
        past = rng.sample(student_spares, min(len(student_spares) // 3, max(2, s // 60)))
        self.past = [(d, rng.choice(candidates[data.CATALOG[self.model[d]].pool])) for d in past]
        broken = rng.sample(student_spares + self.spares.get("staff", []),
                            min(len(student_spares) // 3, max(2, self.devices * 3 // 200)))  # fmt: skip
        for n, d in enumerate(broken):  # a third of the broken devices went on to the repair depot
            self.status[d] = DAMAGED if n >= max(1, len(broken) // 3) else IN_REPAIR
            self.site[d] = self.site_index[data.REPAIR] if self.status[d] == IN_REPAIR else self.site[d]
        self.cases = rng.sample(active, min(1500, max(2, s // 100)))
        self.case_of = {p: n for n, p in enumerate(self.cases, 1)}
        self.tour_holder = next((self.holder[d] for d in self.issues if data.CATALOG[self.model[d]].pool == "612"
                                 and self.school[self.holder[d]] == high), self.holder[self.issues[0]])  # fmt: skip

    def person_code(self, p: int) -> str:
        return f"{STUDENT_BASE + p}" if p < self.students else f"E{STAFF_BASE + p - self.students}"

    def person_index(self, code: str) -> int:
        return int(code) - STUDENT_BASE if code[0] != "E" else int(code[1:]) - STAFF_BASE + self.students

    @staticmethod
    def tag(d: int) -> str:
        return f"A{TAG_BASE + d:06d}"


def _require_empty() -> None:
    for model, what in ((Person, "people"), (Device, "devices"), (Site, "sites")):
        if model.select().exists():
            raise BadInput(f"The database already holds {what}; the demo district is built only into an empty one.")


def _reference_rows() -> tuple[list[int], list[int]]:
    """Sites, catalog and aliases (a few rows each); returns their ids by index."""
    office = Site.create(code=data.DISTRICT[0], name=data.DISTRICT[1], kind=data.DISTRICT[2])
    site_ids = [office.id] + [Site.create(code=c, name=n, kind=k, parent=office).id for c, n, k in data.SITES]
    item_ids = [
        CatalogItem.create(name=m.name, category=m.category, manufacturer=m.manufacturer,
                           eligible_grades=m.eligible_grades, lifespan_years=m.lifespan_years,
                           replacement_cost_cents=m.replacement_cost_cents, damage_fee_cents=m.damage_fee_cents).id
        for m in data.CATALOG
    ]  # fmt: skip
    CatalogAlias.insert_many([(alias, item_ids[n]) for alias, n in data.ALIASES],
                             fields=[CatalogAlias.alias, CatalogAlias.item]).execute()  # fmt: skip
    return site_ids, item_ids


def _write_people(plan: _Plan, site_ids: list[int]) -> array:
    """Person rows; returns their database ids by person index (read back once, not per row)."""
    rng = random.Random(f"kiosk-demo-names:{plan.seed}")
    rows = _Rows(Person, ("district_id", "first_name", "last_name", "role", "grade", "school", "homeroom", "iep",
                          "sec504", "ell", "active", "case_number"))  # fmt: skip
    for p in range(plan.students + plan.staff):
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        school = site_ids[plan.school[p]]
        if p >= plan.students:
            rows.add(plan.person_code(p), first, last, "staff", None, school, None, False, False, False, True, None)
            continue
        g, flags = plan.grade[p], (p in plan.iep, p in plan.sec504, p in plan.ell, p not in plan.inactive)
        rows.add(plan.person_code(p), first, last, "student", data.GRADES[g], school, data.homeroom(g, rng), *flags,
                 plan.case_of.get(p))  # fmt: skip
    rows.flush()
    ids = array("q", [0]) * (plan.students + plan.staff)
    for code, pid in Person.select(Person.district_id, Person.id).tuples().iterator():
        ids[plan.person_index(code)] = pid
    return ids


def _write_devices(plan: _Plan, ledger: _Ledger, site_ids: list[int], item_ids: list[int], people: array) -> array:
    """Device rows in their final state, each with its ``device.added`` event at its home site."""
    rows = _Rows(Device, ("asset_tag", "serial", "item", "status", "home_site", "site", "holder", "funding_source",
                          "po_number", "purchase_date", "purchase_cost_cents", "warranty_end", "aue_date"))  # fmt: skip
    moments, first = _moments(35, 33, plan.devices), 0
    for day, model, size, po, funding, cost in plan.batches:
        spec = data.CATALOG[model]
        warranty_end = day.replace(year=day.year + spec.warranty_years)
        for d in range(first, first + size):
            tag, holder = plan.tag(d), plan.holder[d]
            serial = data.serial_number(spec, d, plan.seed)
            rows.add(tag, serial, item_ids[model], STATUS_NAMES[plan.status[d]], site_ids[plan.home[d]],
                     site_ids[plan.site[d]], people[holder] if holder >= 0 else None, funding, po, day, cost,
                     warranty_end, spec.aue_date)  # fmt: skip
            ledger.add_event("device.added", next(moments), operator=ADMIN, asset_tag=tag,
                             to_site=plan.sites[plan.home[d]],
                             details={"status": "available", "serial": serial, "model": spec.name})  # fmt: skip
        first += size
    rows.flush()
    ids = array("q", [0]) * plan.devices
    for tag, did in Device.select(Device.asset_tag, Device.id).tuples().iterator():
        ids[int(tag[1:]) - TAG_BASE] = did
    return ids


def _write_history(plan: _Plan, ledger: _Ledger, station: str, people: array, devices: array) -> None:
    """Loans (returned ones first), then status changes and repairs, then storage cases, as events in that order."""
    loans = _Rows(Loan, ("device", "person", "issued_at", "issued_by", "issued_station", "condition_out",
                         "returned_at", "returned_by", "condition_in"))  # fmt: skip
    school = plan.sites
    returned = list(_moments(27, 24, len(plan.past)))
    for (d, p), out, back in zip(plan.past, _moments(32, 29, len(plan.past)), returned, strict=True):
        loans.add(devices[d], people[p], out, OPERATOR, station, "good", back, OPERATOR, "good")
        ledger.add_event("issued", out, operator=OPERATOR, asset_tag=plan.tag(d), person=plan.person_code(p),
                         to_site=school[plan.school[p]])  # fmt: skip
    for (d, p), back in zip(plan.past, returned, strict=True):
        ledger.add_event("returned", back, operator=OPERATOR, asset_tag=plan.tag(d), person=plan.person_code(p),
                         from_site=school[plan.school[p]], to_site=school[plan.home[d]],
                         details={"condition": "good", "status": "available"})  # fmt: skip
    for d, at in zip(plan.issues, _moments(23, 5, len(plan.issues)), strict=True):
        p = plan.holder[d]
        loans.add(devices[d], people[p], at, OPERATOR, station, "good", None, None, None)
        ledger.add_event("issued", at, operator=OPERATOR, asset_tag=plan.tag(d), person=plan.person_code(p),
                         to_site=school[plan.school[p]])  # fmt: skip
    loans.flush()
    _write_repairs(plan, ledger, devices)
    for p, at in zip(plan.cases, _moments(0, 0, len(plan.cases)), strict=True):
        ledger.add_event("case.assigned", at, operator=TECHNICIAN, person=plan.person_code(p),
                         details={"case": plan.case_of[p]})  # fmt: skip


def _write_repairs(plan: _Plan, ledger: _Ledger, devices: array) -> None:
    """Damaged devices; a third of them went on to the repair depot with an open ticket."""
    rng = random.Random(f"kiosk-demo-repairs:{plan.seed}")
    tickets = _Rows(Ticket, ("device", "status", "problem", "opened_at", "opened_event"))
    broken = [d for d in range(plan.devices) if plan.status[d] in (DAMAGED, IN_REPAIR)]
    moments = _moments(4, 1, len(broken) * 4)
    for d in broken:
        tag, at, problem = plan.tag(d), next(moments), rng.choice(data.REPAIR_PROBLEMS)
        ledger.add_event("status", at, operator=TECHNICIAN, asset_tag=tag,
                         details={"status": "damaged", "previous": "available", "note": problem})  # fmt: skip
        if plan.status[d] == IN_REPAIR:
            at = next(moments)
            uuid = ledger.add_event("ticket.opened", at, operator=TECHNICIAN, asset_tag=tag,
                                    details={"problem": problem, "status": "in_repair"})  # fmt: skip
            tickets.add(devices[d], "in_repair", problem, at, uuid)
            ledger.add_event("device.moved", next(moments), operator=TECHNICIAN, asset_tag=tag,
                             from_site=plan.sites[plan.home[d]], to_site=data.REPAIR,
                             details={"reason": "repair"})  # fmt: skip
            ledger.add_event("status", next(moments), operator=TECHNICIAN, asset_tag=tag,
                             details={"status": "in_repair", "previous": "damaged"})  # fmt: skip
    tickets.flush()


def build_demo(*, station: str, students: int = 3000, devices: int = 3500, seed: int = 2026) -> DemoSummary:
    """Build the demo district into the connected, migrated, empty database, in one transaction.

    ``station`` owns the demo's ledger chain and gets the high school as its site
    when it has none (returns in the tour land there). Refuses (BadInput) a
    database that already holds people, devices or sites, and counts too small
    to give every grade band a spare device.
    """
    if students < 50 or devices < 50:
        raise BadInput("A demo district needs at least 50 students and 50 devices.")
    plan = _Plan(students, devices, seed)
    with unavailable_as_error(), atomic():
        _require_empty()
        site_ids, item_ids = _reference_rows()
        for badge, name, role, pin in data.OPERATORS:
            add_operator(badge, name, role, pin, station=station)
        Station.update(site=site_ids[plan.site_index[data.HIGH]]).where(
            (Station.name == station) & Station.site.is_null()
        ).execute()
        ledger = _Ledger(BulkChain.open(station))
        people = _write_people(plan, site_ids)
        device_ids = _write_devices(plan, ledger, site_ids, item_ids, people)
        _write_history(plan, ledger, station, people, device_ids)
        ledger.flush()
        ledger.chain.close()
        # The tour is read back from the tables, so a rebuilt and a reused demo print the same codes.
        return describe_demo()


__all__ = ["BASE_DAY", "DemoSummary", "build_demo", "describe_demo", "is_empty", "station_site"]
