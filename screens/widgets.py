"""Station chrome: the header, the scanner state, the tally and the key bar (the outcome banner: screens.banner)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from screens.bigtext import BigText
from screens.parts import part
from screens.ports import TallyView
from screens.steady import Steady


class StationHeader(Horizontal):
    """Mode in large letters on the left; station, site and operator on the right."""

    def __init__(self, station: str, site: str | None, operator: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self._station = station
        self._site = site
        self._operator = operator

    def compose(self) -> ComposeResult:
        yield BigText("", id="mode-title")
        with Vertical(id="station-info"):
            yield Static(Text(self._station, "bold"), id="station-name")
            yield Static(f"Site {self._site}" if self._site else "No site set", id="station-site")
            yield Static(self._operator, id="station-operator")

    def show_mode(self, mode: str) -> None:
        """Draw the current mode's name."""
        part(self, "#mode-title", BigText).text = mode


class BusyIndicator(Steady):
    """How many scans wait for the database, once one has waited a moment; hidden when none do.

    Showing it for every scan (answered in a few milliseconds) would flicker and
    lay the scan row out twice per scan, which was most of a scan's screen work.
    Clearing it when it is already clear lays nothing out either.
    """

    DELAY = 0.15
    """Seconds a scan waits before the indicator appears."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.waiting = 0
        self._timer = None

    def show_busy(self, waiting: int) -> None:
        """Show the number of scans queued or being applied (after ``DELAY``, unless they are done by then)."""
        self.waiting = waiting
        if self.has_class("-busy") or not waiting:
            self._draw()
        elif self._timer is None:
            self._timer = self.set_timer(self.DELAY, self._draw)

    def _draw(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.show_content(f" BUSY: {self.waiting} waiting " if self.waiting else "")
        self.set_class(bool(self.waiting), "-busy")


class ScannerStatus(Static):
    """The evdev scanner, only when it needs the operator's eye; hidden otherwise (and with no scanner set up).

    Red while the scanner is away: the message says why, and that typed codes
    still work. Yellow for a scan cut off by an unplug, until the next scan or key.
    Neither is a scan outcome: the banner keeps showing the last one.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.away: str | None = None
        """Why the scanner is not being read (``scanner disconnected``, a permission problem), else None."""
        self.notice: str | None = None
        """A scan cut off by an unplug, until the operator scans or presses a key."""

    def show_connection(self, connected: bool, message: str) -> None:
        """The scanner appeared (``connected``) or went away with ``message``."""
        self.away = None if connected else message
        self._redraw()

    def show_notice(self, message: str | None) -> None:
        """Say ``message`` under the connection state; None clears it."""
        self.notice = message
        self._redraw()

    def _redraw(self) -> None:
        text = Text()
        if self.away:
            text.append(" NO SCANNER ", "bold #000000 on #AAAAAA")
            text.append(f" {self.away.rstrip('.')}. Type codes on the keyboard meanwhile.", "bold")
        if self.notice:
            if text:
                text.append("\n")
            text.append(self.notice, "bold")
        self.update(text)
        self.set_class(bool(self.away), "-away")
        self.set_class(bool(self.notice) and not self.away, "-notice")


class TallyBar(Steady):
    """The shift so far: issued, returned, transferred, refused, scans per hour."""

    def show_tally(self, tally: TallyView) -> None:
        """Render a tally snapshot."""
        text = Text()
        for label, value in (
            ("Issued", tally.issued),
            ("Returned", tally.returned),
            ("Moved", tally.transferred),
            ("Refused", tally.refused),
            ("Scans", tally.scans),
            ("Per hour", round(tally.per_hour)),
        ):
            text.append(f" {label} ", "#AAAAAA")
            text.append(f"{value} ", "bold #FFFFFF")
        self.show_content(text, layout=False)  # one line, always


class KeyBar(Static):
    """The function keys, fitted to the width: keys listed first win when the terminal is narrow.

    Textual's Footer would do, but it cannot drop the least needed keys to fit
    80 columns, and an operator must always see the mode keys.
    """

    def __init__(self, bindings: list[Binding], **kwargs) -> None:
        super().__init__(**kwargs)
        self._keys = [(b.key_display or b.key.upper(), b.description) for b in bindings if b.show]

    def render(self) -> Text:
        width = self.content_size.width or 80
        text = Text()
        for key, label in self._keys:
            piece = len(key) + len(label) + 1
            if text.cell_len + piece > width:
                continue
            text.append(key, "bold #000000 on #AAAAAA")
            text.append(f"{label} ", "#FFFFFF")
        return text
