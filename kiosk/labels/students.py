"""Barcode student lists for pickup points: one stack per school and homeroom.

Each homeroom starts on a new page. A page header names the school, the
homeroom and "Page x of y" within that homeroom (the stack a volunteer holds);
the footer numbers the sheet within the whole file. Each line holds the name
(last, first), grade, homeroom, ID and the ID's barcode. Rows are half an inch
apart, so a scanner aimed at one line never reads its neighbour.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

from kiosk.dto import Actor
from kiosk.labels import code128
from kiosk.labels.data import StudentLine, student_lines
from kiosk.labels.fonts import ellipsize, fit_lines, fit_size, fonts_from, width
from kiosk.labels.layout import INCH, batched, paper
from kiosk.labels.output import Progress, Written, check_target, no_progress, pdf, plural, printed_on

MARGIN = 0.5 * INCH
ROW = 0.5 * INCH
BAR_HEIGHT = 24.0
TOP = MARGIN + 58  # header (two lines) and the column titles
BOTTOM = MARGIN + 16  # footer line
# Column left edges and widths inside the margins, in points.
NAME, GRADE, ROOM, ID, CODE = (0, 188), (192, 34), (230, 70), (304, 70), (380, 160)
NO_HOMEROOM = "no homeroom"


@dataclass(frozen=True)
class _Group:
    school: str | None
    school_name: str | None
    homeroom: str | None
    lines: tuple[StudentLine, ...]

    @property
    def title(self) -> str:
        school = f"{self.school_name} ({self.school})" if self.school else "No school on record"
        return f"{school} · Homeroom {self.homeroom or NO_HOMEROOM}"


def _groups(lines: list[StudentLine]) -> list[_Group]:
    keyed = itertools.groupby(lines, key=lambda s: (s.school, s.school_name, s.homeroom))
    return [_Group(school, name, room, tuple(rows)) for (school, name, room), rows in keyed]


def rows_per_page(paper_name: str) -> int:
    _, height = paper(paper_name)
    return int((height - TOP - BOTTOM) // ROW)


class _Sheet:
    def __init__(self, canvas, paper_name: str, district: str, fonts: tuple[str, str], total_pages: int):
        self.c = canvas
        self.width, self.height = paper(paper_name)
        self.district = district
        self.regular, self.bold = fonts
        self.total_pages = total_pages
        self.sheet = 0
        self.warnings: list[str] = []

    def text(self, x: float, y: float, text: str, size: float, *, bold: bool = False, right: bool = False) -> None:
        self.c.setFont(self.bold if bold else self.regular, size)
        (self.c.drawRightString if right else self.c.drawString)(x, y, text)

    def page(self, group: _Group, page: int, pages: int, count: int) -> None:
        self.sheet += 1
        top = self.height - MARGIN
        inner = self.width - 2 * MARGIN
        pager = f"Page {page} of {pages}"
        self.text(self.width - MARGIN, top - 13, pager, 12, bold=True, right=True)
        room = inner - width(pager, self.bold, 12) - 18
        size = fit_size(group.title, self.bold, room, 14, 8)
        self.text(MARGIN, top - 13, ellipsize(group.title, self.bold, size, room), size, bold=True)
        sub = f"{self.district} · Student list · {plural(count, 'student')} · printed {printed_on()}"
        self.text(MARGIN, top - 29, ellipsize(sub, self.regular, 8.5, inner), 8.5)
        y = top - 50
        self.c.setFillGray(0.35)
        for (x, _), title in zip(
            (NAME, GRADE, ROOM, ID, CODE), ("Name", "Grade", "Homeroom", "ID", "Scan"), strict=True
        ):
            self.text(MARGIN + x, y, title, 8, bold=True)
        self.c.setFillGray(0)
        self.c.setLineWidth(0.75)
        self.c.line(MARGIN, y - 4, self.width - MARGIN, y - 4)
        foot = "Student names and IDs: keep this list at the table and shred it after the distribution."
        self.c.setFillGray(0.35)
        self.text(MARGIN, MARGIN, foot, 7)
        self.text(self.width - MARGIN, MARGIN, f"Sheet {self.sheet} of {self.total_pages}", 7, right=True)
        self.c.setFillGray(0)

    def row(self, student: StudentLine, index: int) -> None:
        bottom = self.height - TOP - (index + 1) * ROW
        middle = bottom + ROW / 2
        name = f"{student.last_name}, {student.first_name}"
        size, lines = fit_lines(name, self.bold, NAME[1], 11, 7, 2)
        if len(lines) == 1:
            self.text(MARGIN + NAME[0], middle - size * 0.35, lines[0], size, bold=True)
        else:
            self.text(MARGIN + NAME[0], middle + 1.5, lines[0], size, bold=True)
            self.text(MARGIN + NAME[0], middle - size - 1, lines[1], size, bold=True)
        for (x, box), value in ((GRADE, student.grade or "-"), (ROOM, student.homeroom or "-"), (ID, student.id)):
            fitted = fit_size(value, self.regular, box, 10, 6)
            self.text(MARGIN + x, middle - fitted * 0.35, ellipsize(value, self.regular, fitted, box), fitted)
        try:
            symbol = code128.fit(student.id, CODE[1], BAR_HEIGHT, max_module=1.2)
        except code128.Unprintable as exc:
            self.warnings.append(f"{student.id} ({student.first_name} {student.last_name}): {exc}")
            self.text(MARGIN + CODE[0], middle - 3, "no barcode: type the ID", 8)
        else:
            symbol.draw(self.c, MARGIN + CODE[0], bottom + (ROW - BAR_HEIGHT) / 2)
        self.c.setStrokeGray(0.8)
        self.c.setLineWidth(0.4)
        self.c.line(MARGIN, bottom, self.width - MARGIN, bottom)
        self.c.setStrokeGray(0)


def write_student_lists(
    output: str | os.PathLike,
    *,
    site: str | None = None,
    homeroom: str | None = None,
    grade: str | None = None,
    paper_name: str = "letter",
    district: str = "School District",
    extra: dict | None = None,
    actor: Actor | None = None,
    progress: Progress = no_progress,
) -> Written:
    """Write the lists of the active students matching the filters to ``output``; nothing is written on a refusal."""
    target = check_target(output)
    paper(paper_name)
    fonts = fonts_from(extra or {})
    progress(0.0, "Reading the students")
    students = student_lines(site=site, homeroom=homeroom, grade=grade, actor=actor)
    groups = _groups(students)
    per_page = rows_per_page(paper_name)
    chunks = [(g, batched(list(g.lines), per_page)) for g in groups]
    total = sum(len(pages) for _, pages in chunks)
    with pdf(target, "Student lists", pagesize=paper(paper_name)) as canvas:
        sheet = _Sheet(canvas, paper_name, district, fonts, total)
        for group, pages in chunks:
            for number, rows in enumerate(pages, 1):
                sheet.page(group, number, len(pages), len(group.lines))
                for index, student in enumerate(rows):
                    sheet.row(student, index)
                canvas.showPage()
                progress(sheet.sheet / total, f"Page {sheet.sheet} of {total}")
    schools = len({g.school for g in groups})
    sentence = (
        f"Wrote {plural(len(students), 'student')} in {plural(len(groups), 'homeroom list')} "
        f"({plural(schools, 'school')}, {plural(total, 'page')}) to {target}."
    )
    return Written(target, total, len(students), sentence, tuple(sheet.warnings))
