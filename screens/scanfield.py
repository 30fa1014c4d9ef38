"""The scan field: a keyboard-wedge scanner types a code and presses Enter; this turns that into one message.

Shaped like frogmouth's omnibox: an ``Input`` whose submission becomes a typed
message. The field is emptied in the same step that reads it, before any later
keystroke is handled, so a second scan typed while the first is still being
answered can never be glued to it or wiped with it. Enter and the station's
function keys are handled in the field's own key handler, in keystroke order.
"""

from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input

_NAMED = {"\t": "tab", "\r": "enter", "\n": "enter", "\x1b": "escape"}


def control_key(ch: str) -> str | None:
    """The Textual key name a control character arrives as (STX, 0x02, is ``ctrl+b``); None if printable."""
    if ch in _NAMED:
        return _NAMED[ch]
    if "\x01" <= ch <= "\x1a":
        return f"ctrl+{chr(ord(ch) + 96)}"
    return None


class ScanField(Input):
    """One line that receives scans; posts :class:`ScanField.Scanned` for each Enter with something typed.

    A configured scanner prefix or suffix that is a control character never
    reaches the text (Input drops it): the prefix key starts a fresh scan, the
    suffix key ends one like Enter. Printable prefixes, suffixes and AIM
    identifiers stay in the text; the workflow strips those.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)
    """As Input's, without asking the screen for a layout: Input widens its virtual size with every
    character typed, and each of those layouts re-arranged and repainted the whole station screen. The
    field is one line of fixed size, so nothing around it moves."""

    class Shortcut(Message):
        """A function key the station listens for, pressed while the field had focus."""

        def __init__(self, field: ScanField, key: str) -> None:
            super().__init__()
            self.field = field
            """The field that read it."""
            self.key = key
            """The key's name (``f2``, ``escape``, ...)."""

        @property
        def control(self) -> ScanField:
            return self.field

    class Scanned(Message):
        """A complete scan, exactly as typed."""

        def __init__(self, field: ScanField, code: str) -> None:
            super().__init__()
            self.field = field
            """The field that read it."""
            self.code = code
            """The raw scan (the workflow cleans it)."""

        @property
        def control(self) -> ScanField:
            return self.field

    def __init__(
        self, *, prefix: str = "", suffix: str = "", shortcuts: frozenset[str] = frozenset(), **kwargs
    ) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(**kwargs)
        self.shortcuts = shortcuts
        """Keys posted as :class:`ScanField.Shortcut` in line with the scans around them."""
        self._start_keys = {key for key in (control_key(prefix[:1]),) if prefix and key}
        """Keys that begin a scan (a control-character prefix)."""
        self._end_keys = {key for key in (control_key(suffix[-1:]),) if suffix and key}
        """Keys that end a scan besides Enter (a control-character suffix such as Tab or ETX)."""
        self._typed: list[str] = []
        """Characters read but not yet in ``value``: the rest of a burst already waiting is read first."""

    async def _on_key(self, event: events.Key) -> None:
        # Enter, the suffix and shortcut keys are handled here, in this field's own
        # queue, rather than as bindings: a binding runs only once the key has
        # bubbled up to the App, and by then the next scan's characters (already
        # queued behind it in a burst) would have been typed into this scan.
        if event.is_printable and event.key not in self._start_keys and event.key not in self.shortcuts:
            # A scanner's characters arrive together: each one put into the field on its own cost a third of a
            # millisecond (the field's value, cursor and scrolling, a message per character), most of a scan's
            # time before the database. They go in together once the keys already waiting are read, or at the
            # next key that is not a character (Enter first of all), so the order of keys is kept.
            event.stop()
            event.prevent_default()
            if not self._typed:
                self.call_later(self.show_typed)
            self._typed.append(event.character or "")
            return
        self.show_typed()
        if event.key in self._start_keys:
            # A new scan begins: whatever was typed by hand before it is not part of the code.
            event.stop()
            event.prevent_default()
            self.value = ""
            return
        if event.key == "enter" or event.key in self._end_keys:
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        if event.key == "backspace":
            # The same for a correction typed fast: as a binding it would edit the next scan, not this one.
            event.stop()
            event.prevent_default()
            self.action_delete_left()
            return
        if event.key in self.shortcuts:
            event.stop()
            event.prevent_default()
            self.post_message(self.Shortcut(self, event.key))

    def show_typed(self) -> None:
        """Put the characters read so far into the field, as Input puts one (over a selection, or at the cursor)."""
        if not self._typed:
            return
        text = "".join(self._typed)
        self._typed.clear()
        self._restart_blink()
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)

    def _on_paste(self, event: events.Paste) -> None:
        self.show_typed()  # typed before the paste: it goes first (Input's own handler then pastes)

    async def action_submit(self) -> None:
        """Read and clear the field in one step, then post the scan."""
        self.show_typed()
        code = self.value
        self.value = ""
        if code.strip():
            self.post_message(self.Scanned(self, code))
