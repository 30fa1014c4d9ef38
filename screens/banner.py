"""The outcome banner: one coloured sentence and, in RETURN and STATUS, the armed condition in large letters.

The banner draws the armed condition itself: beside the sentence on a screen 120
columns or wider, under it on a narrower one. As a widget of its own, the strip
appeared with RETURN and went with ISSUE, and each time Textual laid the whole
screen out twice (once for the strip, once more for the banner it narrowed):
most of the frame that showed a new mode. Drawn here, a change of mode that
keeps the banner's height repaints the banner's rows and nothing else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text
from textual import events
from textual.widget import Widget

from kiosk.outcome import Outcome
from screens.bigtext import render_lines
from screens.steady import Steady

LEVELS = ("done", "info", "warn", "error")
ARMED_NAMES = {"in_repair": "IN REPAIR", "nocharger": "NO CHARGER"}
ARMED_MODES = ("RETURN", "STATUS")
PENDING_KEYS = "F9 or $CONFIRM to go ahead · Esc or $CANCEL to stop"
MIN_LINES = 3
"""Rows the sentence always has: a message that fits in them leaves the screen's layout as it was."""


@functools.lru_cache(maxsize=64)
def _letters(value: str) -> tuple[str, ...]:
    """The value's rows of large letters, drawn once per value (50 microseconds each time on a slow box, and
    every outcome in RETURN draws the strip)."""
    return tuple(render_lines(value))


@dataclass(frozen=True)
class Armed:
    """What the strip says: ``label`` in bold, ``value`` in large letters; black on yellow when it is not GOOD."""

    label: str
    value: str
    alert: bool

    @property
    def style(self) -> str:
        return "#000000 on #FFFF55" if self.alert else "#55FF55 on #000000"

    @property
    def width(self) -> int:
        return len(self.label) + 4 + len(_letters(self.value)[0])

    def row(self, y: int, width: int | None = None) -> Text:
        """Row ``y`` of the strip (the label on the middle one of the letters' three), ``width`` cells wide
        (the strip's own width by default)."""
        label = f"  {self.label}  " if y == 1 else " " * (len(self.label) + 4)
        letters = _letters(self.value)
        value = letters[y] if y < len(letters) else " " * len(letters[0])
        row = Text.assemble((label, "bold"), value, style=self.style)
        row.append(" " * max(0, (width or 0) - row.cell_len), self.style)
        return row


def armed_for(mode: str, armed: str | None) -> Armed | None:
    """The strip for a mode and its armed condition (RETURN) or status (STATUS); None in the other modes."""
    if mode not in ARMED_MODES:
        return None
    value = armed or "none"
    label = "NEXT RETURN IS" if mode == "RETURN" else "SCANS BECOME"
    return Armed(label, ARMED_NAMES.get(value, value.replace("_", " ").upper()), value != "good")


def _set_classes(node: Widget, wanted: dict[str, bool]) -> None:
    """Add and remove classes with one restyle of ``node`` and its children, not one per class changed."""
    before = set(node.classes)
    for name, on in wanted.items():
        node.set_class(on, name, update=False)
    if node.classes != before:
        node.update_node_styles()


def banner_rows(console: Console, sentence: Text, armed: Armed | None, width: int, *, side_from: int) -> Text:
    """The banner's rows for a content ``width`` (0 while not laid out: one row per line of the sentence):
    the sentence wrapped with a column of margin either side and centred in at least three rows; the strip
    at the right of them from ``side_from`` columns, else in three rows under them."""
    beside = armed is not None and width >= side_from
    room = width - 2 - (armed.width if beside and armed else 0)
    lines = list(sentence.wrap(console, room)) if room > 0 else sentence.split("\n")
    count = max(MIN_LINES, len(lines))
    top = (count - len(lines)) // 2
    rows = []
    for y in range(count):
        line = lines[y - top] if top <= y < top + len(lines) else Text()
        row = Text(" ") if line or beside else Text()
        row.append_text(line)
        if beside and armed:
            row.append(" " * (room - line.cell_len + 1))
            row.append_text(armed.row(y))
        rows.append(row)
    if armed is not None and not beside:
        rows += [armed.row(y, width) for y in range(3)]
    text = Text("\n").join(rows)
    text.no_wrap, text.overflow = True, "crop"
    return text


class OutcomeBanner(Steady):
    """One coloured sentence: green done, neutral info, yellow needs confirmation, red refused; and the armed
    condition in RETURN and STATUS, big, so nobody misses it."""

    SIDE_BY_SIDE_FROM = 120
    """From this width the strip goes beside the sentence, which keeps 43 columns even beside NO CHARGER."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._level: str | None = None
        self.message = ""
        self.pending = False
        self.armed: Armed | None = None
        """The armed condition shown, or None."""

    def show_outcome(self, outcome: Outcome) -> None:
        """Colour by the outcome's level, say its message (plus the keys when a warning waits) and show the
        mode's armed condition, in one drawing."""
        self.armed = armed_for(outcome.mode, outcome.armed)
        self.show(outcome.level, outcome.message, pending=outcome.pending or outcome.event == "confirm")

    def show(self, level: str, message: str, *, pending: bool = False) -> None:
        """Show ``message`` at ``level`` (done, info, warn, error); the armed condition stays as it is."""
        if level != self._level:
            _set_classes(self, {f"-{name}": name == level for name in LEVELS})
            self._level = level
        self.message, self.pending = message, pending
        self._draw()

    def on_resize(self, event: events.Resize) -> None:
        self._draw()  # the sentence wraps to the new width, and the strip may move beside or under it

    @property
    def sentence(self) -> Text:
        """What the banner says: the message, and the keys when a warning waits."""
        sentence = Text(self.message)
        if self.pending:
            sentence.append(f"\n{PENDING_KEYS}")
        return sentence

    def _draw(self) -> None:
        rows = banner_rows(self.app.console, self.sentence, self.armed, self.content_size.width,
                           side_from=self.SIDE_BY_SIDE_FROM)  # fmt: skip
        # Rows of a known width: the screen is laid out again only when the banner's height changes.
        self.show_content(rows, layout=rows.plain.count("\n") + 1 != self.size.height)
