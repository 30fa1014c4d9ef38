"""Figure 5: the end-of-day reconciliation export of a 50,000-event day vs a bare xlsxwriter loop."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import tracemalloc
from pathlib import Path

import xlsxwriter

from benchmarks.common import Result, in_turns
from benchmarks.district import STATION, District
from kiosk import db as kdb
from kiosk.config import Config

DAY = dt.date(2026, 9, 1)


def day_database(base: District, cache: Path, events: int) -> Path:
    """A copy of ``base`` with ``events`` issue/return events (and a few refusals) on DAY (built once)."""
    path = cache / f"{base.path.stem}-day{events}.db"
    if path.exists():
        kdb.connect(f"sqlite:///{path}", migrate=True).close()
        return path
    part = path.with_suffix(".building")
    shutil.copy(base.path, part)
    database = kdb.connect(f"sqlite:///{part}")
    _add_day(events)
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    part.rename(path)
    return path


def _add_day(events: int) -> None:
    from kiosk.ledger import BulkChain
    from models import Device, Event, Loan, Person

    rng = random.Random(5)
    idle = list(Device.select(Device.id, Device.asset_tag).where(Device.status == "available").limit(5000).tuples())
    students = list(Person.select(Person.id, Person.district_id).where(Person.role == "student").limit(5000).tuples())
    chain = BulkChain.open(STATION)
    start = dt.datetime.combine(DAY, dt.time(12))  # UTC noon: the middle of the local day almost everywhere
    names = ("uuid", "station", "seq", "at", "operator", "kind", "asset_tag", "person", "from_site", "to_site",
             "details", "idem_key", "prev_hash", "hash")  # fmt: skip
    rows, loans = [], []
    for n in range(events // 2):
        device_id, tag = idle[n % len(idle)]
        person_id, student = students[rng.randrange(len(students))]
        out = start + dt.timedelta(seconds=n * 0.6)
        back = out + dt.timedelta(seconds=0.3)
        loans.append((device_id, person_id, out, "OP-1001", STATION, "good", back, "OP-1001", "good"))
        for kind, at in (("issued", out), ("returned", back)):
            details = {"condition": "good"} if kind == "issued" else {"condition": "good", "status": "available"}
            row = chain.row(kind, at, operator="OP-1001", asset_tag=tag, person=student, details=details)
            rows.append(tuple(row[k] for k in names))
    with kdb.atomic():
        fields = [Loan.device, Loan.person, Loan.issued_at, Loan.issued_by, Loan.issued_station, Loan.condition_out,
                  Loan.returned_at, Loan.returned_by, Loan.condition_in]  # fmt: skip
        for i in range(0, len(loans), 1000):
            Loan.insert_many(loans[i : i + 1000], fields=fields).execute()
        for i in range(0, len(rows), 2000):
            Event.insert_many(rows[i : i + 2000], fields=[getattr(Event, k) for k in names]).execute()
        chain.close()


def _rows_of(path: Path) -> list[tuple[str, list[tuple]]]:
    """Every sheet's rows of a workbook, as values (read once, untimed)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheets = [(ws.title, [tuple(row) for row in ws.iter_rows(values_only=True)]) for ws in book.worksheets]
    book.close()
    return sheets


def _bare(sheets: list[tuple[str, list[tuple]]], out: Path) -> None:
    """The same rows, cell by cell, with nothing but an xlsxwriter loop."""
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False})
    for title, rows in sheets:
        sheet = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.close()


def _kiosk(db_path: Path, out: Path) -> None:
    from kiosk.reports import export_reconciliation

    database = kdb.connect(f"sqlite:///{db_path}")
    export_reconciliation(out, Config(station="bench-station", timezone="America/Chicago"), day=DAY)
    database.close()


def _peak_mb(run) -> float:
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def figure_5(base: District, cache: Path, work: Path, *, events: int, repeat: int) -> Result:
    db_path = day_database(base, cache, events)
    sheets: list = []  # the rows kiosk wrote, read back (untimed) after its first run

    def read_back():
        if not sheets:
            sheets.extend(_rows_of(work / "kiosk.xlsx"))

    kiosk, bare = in_turns(lambda: _kiosk(db_path, work / "kiosk.xlsx"), lambda: _bare(sheets, work / "bare.xlsx"),
                           repeat=repeat, bare_setup=read_back)  # fmt: skip
    peak_kiosk = _peak_mb(lambda: _kiosk(db_path, work / "kiosk.xlsx"))
    cells = sum(len(row) for _, rows in sheets for row in rows)
    return Result("5", f"reconciliation export of a {events:,}-event day vs a bare xlsxwriter loop over the same rows",
                  kiosk, bare, target=1.5,
                  extra={"cells": cells, "peak_mb": round(peak_kiosk, 1)})  # fmt: skip
