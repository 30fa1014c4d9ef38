"""``kiosk report fees``: what students owe, by student and by homeroom, with aging.

Only owed fees count; the balance of a fee is its amount less what was paid on
it. Age is counted in days from the day the fee was assessed (local time) to
today, in the buckets 0-30, 31-60, 61-90 and over 90 days.
"""

from __future__ import annotations

from collections import Counter

from peewee import JOIN

from kiosk.config import Config
from kiosk.reports.book import Column
from kiosk.reports.common import ReportResult, heading, local_now, open_report
from kiosk.reports.scope import localizer, zone_of
from models import Device, Fee, Person, Site

BUCKETS = (("0-30 days", 30), ("31-60 days", 60), ("61-90 days", 90), ("over 90 days", None))


def bucket(age_days: int) -> str:
    for name, limit in BUCKETS:
        if limit is None or age_days <= limit:
            return name
    raise AssertionError("unreachable")


_AGING = tuple(Column(name, "money", 12) for name, _ in BUCKETS)


def write_fees(path, config: Config) -> ReportResult:
    local = localizer(zone_of(config))
    today = local_now(config).date()
    homerooms: dict[tuple, Counter] = {}
    students_by_room: dict[tuple, set] = {}
    totals: Counter = Counter()
    owing = 0
    with open_report(path, config, "Fee balances", "Student fee balances with aging") as book:
        summary = book.sheet("Summary")
        room_sheet = book.sheet("By homeroom")
        student_sheet = book.sheet("By student")
        fee_sheet = book.sheet("Fees")
        student_sheet.title("Balances by student", heading(config))
        fee_sheet.title("Every owed fee", heading(config))
        students = student_sheet.table(
            "BalancesByStudent",
            (
                Column("School", width=8),
                Column("Homeroom", width=10),
                Column("Student ID", width=12),
                Column("Student", width=24),
                Column("Grade", width=7),
                Column("Active", width=7),
                Column("Fees", "int", 6),
                Column("Balance", "money", 12),
                *_AGING,
                Column("Oldest fee", "date", 12),
            ),
        )
        fees = fee_sheet.table(
            "OwedFees",
            (
                Column("School", width=8),
                Column("Homeroom", width=10),
                Column("Student ID", width=12),
                Column("Student", width=24),
                Column("Asset tag", width=12),
                Column("Kind", width=10),
                Column("Reason", width=30),
                Column("Assessed", "date", 12),
                Column("Amount", "money", 11),
                Column("Paid", "money", 11),
                Column("Balance", "money", 11),
                Column("Age (days)", "int", 10),
                Column("Aging", width=13),
            ),
        )
        query = (
            Fee.select(
                Person.id,
                Site.code,
                Person.homeroom,
                Person.district_id,
                Person.first_name,
                Person.last_name,
                Person.grade,
                Person.active,
                Device.asset_tag,
                Fee.kind,
                Fee.reason,
                Fee.created_at,
                Fee.amount_cents,
                Fee.paid_cents,
            )
            .join(Person)
            .join(Site, JOIN.LEFT_OUTER, on=(Person.school == Site.id))
            .switch(Fee)
            .join(Device, JOIN.LEFT_OUTER, on=(Fee.device == Device.id))
            .where((Fee.status == "owed") & (Fee.amount_cents > Fee.paid_cents))
            .order_by(
                Site.code.is_null(),
                Site.code,
                Person.homeroom.is_null(),
                Person.homeroom,
                Person.last_name,
                Person.first_name,
                Person.id,
                Fee.created_at,
            )
            .tuples()
        )
        current = None
        acc: Counter = Counter()

        def flush():
            if current is None:
                return
            school, homeroom, sid, name, grade, active, oldest = current[1:]
            students.add(
                (
                    school,
                    homeroom,
                    sid,
                    name,
                    grade,
                    "yes" if active else "no",
                    acc["fees"],
                    acc["balance"],
                    *(acc[b] for b, _ in BUCKETS),
                    oldest,
                )
            )

        for (
            pid,
            school,
            homeroom,
            sid,
            first,
            last,
            grade,
            active,
            tag,
            kind,
            reason,
            created,
            amount,
            paid,
        ) in query.iterator():
            assessed = local(created).date()
            age = (today - assessed).days
            balance, aging = amount - paid, bucket(max(age, 0))
            fees.add(
                (
                    school,
                    homeroom,
                    sid,
                    f"{first} {last}",
                    tag,
                    kind,
                    reason,
                    assessed,
                    amount,
                    paid,
                    balance,
                    age,
                    aging,
                )
            )
            if current is None or current[0] != pid:
                flush()
                current, acc = (pid, school, homeroom, sid, f"{first} {last}", grade, active, assessed), Counter()
                owing += 1
                room = (school or "", homeroom or "")
                students_by_room.setdefault(room, set()).add(pid)
            acc["fees"] += 1
            acc["balance"] += balance
            acc[aging] += balance
            room_totals = homerooms.setdefault((school or "", homeroom or ""), Counter())
            room_totals["balance"] += balance
            room_totals[aging] += balance
            totals["balance"] += balance
            totals[aging] += balance
            totals["fees"] += 1
        flush()
        students.close("No student owes anything.")
        fees.close("No fees are owed.")

        room_sheet.title("Balances by homeroom", heading(config))
        rooms = room_sheet.table(
            "BalancesByHomeroom",
            (
                Column("School", width=8),
                Column("Homeroom", width=10),
                Column("Students owing", "int", 15),
                Column("Balance", "money", 12),
                *_AGING,
            ),
        )
        for room in sorted(homerooms):
            c = homerooms[room]
            rooms.add((*room, len(students_by_room[room]), c["balance"], *(c[b] for b, _ in BUCKETS)))
        rooms.close("No student owes anything.")

        summary.title("Fee balances", heading(config), "Owed fees only; age counted from the day a fee was assessed.")
        summary.label("Students owing", owing, "int")
        summary.label("Fees owed", totals["fees"], "int")
        summary.label("Total balance", totals["balance"], "money")
        summary.row += 1
        aging = summary.table("Aging", (Column("Age", width=14), Column("Balance", "money", 14)))
        for name, _ in BUCKETS:
            aging.add((name, totals[name]))
        aging.close()
        written = book.close()
    return ReportResult(written, "fees", {"students owing": owing, "owed": f"${totals['balance'] / 100:,.2f}"})
