"""Cards that show what a scan found: student, device, transfer, location, storage case.

Each card formats the frozen DTOs the workflow hands back and nothing else; an
empty card says what to scan to fill it.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from kiosk.dto import CaseCard, DeviceCard, LocationCard, StudentCard
from screens.bigtext import BigText
from screens.parts import part
from screens.steady import Steady

LABEL = "bold #55FFFF"
VALUE = "bold #FFFFFF"
MUTED = "#AAAAAA"


def money(cents: int) -> str:
    """Integer cents as dollars for a card."""
    return f"${cents // 100:,}.{cents % 100:02d}"


def _line(text: Text, label: str, value: str | None, style: str = VALUE) -> None:
    text.append(f"{label:<9}", LABEL)
    text.append(value if value else "-", style if value else MUTED)
    text.append("\n")


def student_text(card: StudentCard) -> Text:
    """The student card body: who, where, what they hold and owe."""
    text = Text()
    text.append(card.name, "bold #FFFF55")
    text.append(f"  {card.id}\n", MUTED)
    if not card.active:
        text.append("INACTIVE: send to the office\n", "bold #FF5555")
    where = " · ".join(part for part in (card.school_name or card.school, card.homeroom) if part)
    _line(text, "Grade", card.grade)
    _line(text, "School", where)
    if card.programs:
        _line(text, "Programs", ", ".join(card.programs))
    owed_style = "bold #FF5555" if card.fees_owed_cents else VALUE
    _line(text, "Owes", money(card.fees_owed_cents), owed_style)
    _line(text, "Breaks", f"{card.free_breaks_left} free left")
    _line(text, "Holds", f"{len(card.devices)} device{'s' if len(card.devices) != 1 else ''}")
    for device in card.device_lines:
        text.append(f"  {device}\n", "#FFFFFF")
    return text


def device_text(card: DeviceCard, history: int = 8) -> Text:
    """The device card body: identity, state, where it is, recent history."""
    text = Text()
    text.append(card.asset_tag, "bold #FFFF55")
    text.append(f"  {card.status.replace('_', ' ').upper()}\n", "bold #FFFFFF")
    _line(text, "Serial", card.serial)
    _line(text, "Model", card.model)
    holder = f"{card.holder_name} ({card.holder})" if card.holder else None
    _line(text, "Holder", holder)
    site = f"{card.site_name} ({card.site})" if card.site else None
    _line(text, "Site", site)
    if card.aue_date:
        _line(text, "AUE", card.aue_date)
    if card.history:
        text.append("History\n", LABEL)
        for line in card.history[:history]:
            text.append(f" {line.at} ", MUTED)
            text.append(f"{line.summary}\n", "#FFFFFF")
    return text


def location_text(card: LocationCard) -> Text:
    """The location card body: the site and how many devices it holds in each status."""
    text = Text()
    text.append(card.name, "bold #FFFF55")
    text.append(f"  LOC-{card.code}\n", MUTED)
    _line(text, "Kind", card.kind)
    _line(text, "Part of", card.parent)
    total = sum(n for _, n in card.devices_by_status)
    _line(text, "Devices", str(total))
    for status, n in card.devices_by_status:
        text.append(f"  {status.replace('_', ' '):<12}", "#FFFFFF")
        text.append(f"{n:>6}\n", VALUE)
    return text


class Card(Vertical):
    """A bordered card with a title and a text body."""

    BODY_FILLS_CARD = True
    """The body's height is the card's (``1fr`` in the stylesheet), not its text's."""

    def __init__(self, title: str, empty: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = title
        self.empty = empty
        """What the card says before anything fills it (what to scan)."""

    def compose(self) -> ComposeResult:
        yield Steady(Text(self.empty, MUTED), fixed_size=self.BODY_FILLS_CARD, classes="card-body")

    def show(self, body: Text | None) -> None:
        """Replace the body; None shows the empty hint."""
        part(self, ".card-body", Steady).show_content(body if body is not None else Text(self.empty, MUTED))


class StudentCardView(Card):
    """Student card with the storage-case number in big digits."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        with Horizontal(classes="case-row"):
            yield Static(Text("Storage\ncase", LABEL), classes="case-label")
            yield BigText("", classes="case-digits")

    def show_student(self, card: StudentCard | None) -> None:
        """Show a student (or the empty hint)."""
        self.show(student_text(card) if card else None)
        has_case = card is not None and card.case_number is not None
        part(self, ".case-digits", BigText).text = str(card.case_number) if has_case else ""
        part(self, ".case-row").display = has_case


class CaseView(Vertical):
    """The storage-room view: the case number as large as the screen allows, and whose it is."""

    def on_mount(self) -> None:
        self.border_title = "Storage case"

    def compose(self) -> ComposeResult:
        yield BigText("", fill=True, id="case-number")
        yield Steady("", id="case-owner")

    def show_case(self, case: CaseCard | None, student: StudentCard | None) -> None:
        """Show a case (scan of CASE-n or of a student), or the hint when there is none."""
        number = part(self, "#case-number", BigText)
        owner = part(self, "#case-owner", Steady)
        if case is not None:
            number.text = str(case.number)
            who = case.student or student
            if who is None:
                owner.show_content(Text(f"CASE-{case.number} is empty", "bold #FFFFFF"))
            else:
                owner.show_content(_owner(who))
        elif student is not None:
            number.text = "-"
            owner.show_content(Text(f"{student.name} has no storage case", "bold #FFFFFF"))
        else:
            number.text = ""
            owner.show_content(Text("Scan a student ID for their case, or a CASE- tag for its student.", MUTED))


def _owner(student: StudentCard) -> Text:
    text = Text(justify="center")
    text.append(student.name, "bold #FFFF55")
    text.append(f"  {student.id}", MUTED)
    details = " · ".join(p for p in (f"grade {student.grade}" if student.grade else "", student.homeroom or "") if p)
    if details:
        text.append(f"  {details}", "#FFFFFF")
    return text


class TransferCardView(Card):
    """Where devices go and which went, with the count in big digits (it fills a large terminal)."""

    BODY_FILLS_CARD = False  # the count's big digits take what the list leaves

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield BigText("", fill=True, max_scale=4, classes="moved-count")

    def show_transfer(self, destination: LocationCard | None, moved: tuple[str, ...]) -> None:
        """Show the open transfer (or the hint to scan a destination)."""
        self.show(transfer_text(destination, moved))
        count = part(self, ".moved-count", BigText)
        count.text = str(len(moved)) if destination is not None else ""
        count.display = bool(count.text)


def transfer_text(destination: LocationCard | None, moved: tuple[str, ...]) -> Text | None:
    """Where devices are going and which have gone so far (None before a destination is scanned)."""
    if destination is None and not moved:
        return None
    text = Text()
    if destination is not None:
        text.append("To ", LABEL)
        text.append(destination.name, "bold #FFFF55")
        text.append(f"  LOC-{destination.code}\n", MUTED)
    text.append(f"Moved so far: {len(moved)}\n", LABEL)
    # Newest last, wrapped by the card's width like words in a sentence.
    text.append("   ".join(moved), "#FFFFFF")
    return text
