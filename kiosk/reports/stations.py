"""The Stations sheet: scans per hour and seconds per student at each station, with a chart by hour."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kiosk.reports.book import Book, Column
from kiosk.reports.day import SILENT_MOVE, DayEvent

SCAN_KINDS = frozenset({"issued", "returned", "device.moved", "status", "rejected", "case.assigned", "case.released"})
"""Events a scan at the station writes (a fee taken at the desk or a sign-in is not a scan)."""
IDLE_GAP = 300
"""Seconds between two scans beyond which the station counts as idle, not busy with a student."""


@dataclass
class _Station:
    scans: int = 0
    first: object = None
    last: object = None
    busy: float = 0.0
    students: set = field(default_factory=set)
    by_hour: Counter = field(default_factory=Counter)


class StationActivity:
    """Collects the day's scans per station and local hour."""

    def __init__(self):
        self.stations: dict[str, _Station] = {}

    def add(self, e: DayEvent) -> None:
        if e.kind not in SCAN_KINDS or (e.kind == "device.moved" and e.details.get("reason") == SILENT_MOVE):
            return
        s = self.stations.get(e.station)
        if s is None:
            s = self.stations[e.station] = _Station()
        if s.last is not None:
            gap = (e.local - s.last).total_seconds()
            if 0 <= gap <= IDLE_GAP:
                s.busy += gap
        else:
            s.first = e.local
        s.last = e.local
        s.scans += 1
        s.by_hour[e.local.hour] += 1
        if e.person and e.kind in ("issued", "returned"):
            s.students.add(e.person)

    def write(self, book: Book) -> None:
        sheet = book.sheet("Stations")
        sheet.title(
            "Activity by station",
            "Scans: issues, returns, transfers, status changes, case changes and refused scans.",
            f"Seconds per student: time between scans (gaps over {IDLE_GAP // 60} minutes count as idle) "
            "divided by the students issued to or returned from.",
        )
        table = sheet.table(
            "Stations",
            (
                Column("Station", width=22),
                Column("Scans", "int", 9),
                Column("Students served", "int", 16),
                Column("First scan", "datetime", 17),
                Column("Last scan", "datetime", 17),
                Column("Busy minutes", "float", 13),
                Column("Scans per hour", "float", 14),
                Column("Seconds per student", "float", 19),
            ),
        )
        names = sorted(self.stations)
        for name in names:
            s = self.stations[name]
            per_hour = s.scans / (s.busy / 3600) if s.busy else None
            per_student = s.busy / len(s.students) if s.students and s.busy else None
            table.add((name, s.scans, len(s.students), s.first, s.last, s.busy / 60, per_hour, per_student))
        table.close("No scans were recorded on this day.")
        hours = sorted({h for s in self.stations.values() for h in s.by_hour})
        if hours:
            hours = list(range(hours[0], hours[-1] + 1))
        grid = sheet.table(
            "ScansByHour",
            (
                Column("Hour", width=8),
                *(Column(name, "int", max(10, len(name) + 2)) for name in names),
                Column("All stations", "int", 13),
            ),
            freeze=False,
        )
        first = sheet.row + 1
        for hour in hours:
            counts = [self.stations[name].by_hour.get(hour, 0) for name in names]
            grid.add((f"{hour:02d}:00", *counts, sum(counts)))
        grid.close("No scans.")
        if hours:
            self._chart(book, sheet, first, first + len(hours) - 1, len(names) + 1)

    @staticmethod
    def _chart(book: Book, sheet, first: int, last: int, total_col: int) -> None:
        chart = book.workbook.add_chart({"type": "column"})
        name = sheet.ws.get_name()
        chart.add_series(
            {
                "name": "Scans, all stations",
                "categories": [name, first, 0, last, 0],
                "values": [name, first, total_col, last, total_col],
            }
        )
        chart.set_title({"name": "Scans by hour"})
        chart.set_x_axis({"name": "Hour (local time)"})
        chart.set_y_axis({"name": "Scans"})
        chart.set_legend({"none": True})
        sheet.ws.insert_chart(sheet.row, 0, chart, {"x_scale": 1.5, "y_scale": 1.2})
