"""Turn evdev key events into scanned codes, without touching any device.

A keyboard-emulating scanner types each code and presses Enter. The decoder keeps
the modifier state (Shift, Caps Lock, Alt), maps key codes through a layout and
returns a code whenever ``KEY_ENTER`` or ``KEY_KPENTER`` ends a non-empty burst.

Decisions where a scanner is silent:

- Key repeat events (value 2) are ignored: a scanner never holds a key down, so a
  repeat is an artefact, not a character.
- Keys the layout does not know (function keys, arrows, Ctrl combinations) are
  ignored; events that are not key events (``EV_SYN``, ``EV_MSC``) too.
- Alt + keypad digits type the character with that decimal Unicode code point
  when Alt is released (``Alt+6+5`` is ``A``); a number outside Unicode is dropped.
- Caps Lock affects letters only; Shift inverts it, as on a PC keyboard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EV_SYN, EV_KEY, EV_MSC = 0, 1, 4
KEY_ENTER, KEY_KPENTER = 28, 96
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
KEY_LEFTALT, KEY_RIGHTALT = 56, 100
KEY_CAPSLOCK = 58
KEY_BACKSPACE = 14
TERMINATORS = frozenset({KEY_ENTER, KEY_KPENTER})
SHIFTS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
ALTS = frozenset({KEY_LEFTALT, KEY_RIGHTALT})

# Linux input-event-codes.h: key code -> (plain, shifted) on a US keyboard.
_US_ROWS = {
    2: "1!", 3: "2@", 4: "3#", 5: "4$", 6: "5%", 7: "6^", 8: "7&", 9: "8*", 10: "9(", 11: "0)",
    12: "-_", 13: "=+", 16: "qQ", 17: "wW", 18: "eE", 19: "rR", 20: "tT", 21: "yY", 22: "uU",
    23: "iI", 24: "oO", 25: "pP", 26: "[{", 27: "]}", 30: "aA", 31: "sS", 32: "dD", 33: "fF",
    34: "gG", 35: "hH", 36: "jJ", 37: "kK", 38: "lL", 39: ";:", 40: "'\"", 41: "`~", 43: "\\|",
    44: "zZ", 45: "xX", 46: "cC", 47: "vV", 48: "bB", 49: "nN", 50: "mM", 51: ",<", 52: ".>",
    53: "/?", 57: "  ", 86: "<>",
}  # fmt: skip
US_KEYS: dict[int, tuple[str, str]] = {code: (pair[0], pair[1]) for code, pair in _US_ROWS.items()}
"""Key code -> (unshifted, shifted) character on a US layout (86 is the ISO key left of Z)."""

KEYPAD: dict[int, str] = {
    82: "0", 79: "1", 80: "2", 81: "3", 75: "4", 76: "5", 77: "6", 71: "7", 72: "8", 73: "9",
    83: ".", 55: "*", 74: "-", 78: "+", 98: "/",
}  # fmt: skip
"""Keypad key code -> character (scanners send keypad digits with Num Lock on)."""


@dataclass(frozen=True)
class KeyEvent:
    """One ``struct input_event``: seconds, microseconds, type, code, value."""

    sec: int
    usec: int
    type: int
    code: int
    value: int


class Layout:
    """Maps a key code and the modifier state to the character it types."""

    name = "us"

    def char(self, code: int, *, shift: bool, caps: bool) -> str | None:
        """The character key ``code`` types, or None for a key that types nothing."""
        if code in KEYPAD:
            return KEYPAD[code]
        pair = US_KEYS.get(code)
        if pair is None:
            return None
        plain, shifted = pair
        if plain.isalpha() and caps:
            shift = not shift
        return shifted if shift else plain


class Decoder:
    """Feeds key events in, hands complete codes out. Not thread-safe; one per device."""

    def __init__(self, layout: Layout | None = None) -> None:
        self.layout = layout or Layout()
        self._buffer: list[str] = []
        self._shift: set[int] = set()
        self._alt: set[int] = set()
        self._caps = False
        self._alt_digits = ""

    def feed(self, event: KeyEvent) -> str | None:
        """Take one event; return the code it completes, else None."""
        if event.type != EV_KEY or event.value == 2:
            return None
        code, down = event.code, event.value == 1
        if code in SHIFTS:
            (self._shift.add if down else self._shift.discard)(code)
            return None
        if code in ALTS:
            if down:
                self._alt.add(code)
            else:
                self._alt.discard(code)
                if not self._alt:
                    self._end_alt_code()
            return None
        if not down:
            return None
        if code == KEY_CAPSLOCK:
            self._caps = not self._caps
            return None
        if code in TERMINATORS:
            text = "".join(self._buffer)
            self._buffer.clear()
            return text or None
        if self._alt:
            if code in KEYPAD and KEYPAD[code].isdigit():
                self._alt_digits += KEYPAD[code]
            return None
        if code == KEY_BACKSPACE:
            if self._buffer:
                self._buffer.pop()
            return None
        char = self.layout.char(code, shift=bool(self._shift), caps=self._caps)
        if char is not None:
            self._buffer.append(char)
        return None

    def _end_alt_code(self) -> None:
        digits, self._alt_digits = self._alt_digits, ""
        if digits and 0 < int(digits) <= 0x10FFFF:
            self._buffer.append(chr(int(digits)))

    def reset(self) -> str:
        """Forget everything (the device went away); return the partial code that was cut off."""
        partial = "".join(self._buffer)
        self._buffer.clear()
        self._shift.clear()
        self._alt.clear()
        self._alt_digits = ""
        return partial

    @property
    def pending(self) -> str:
        """The characters typed since the last terminator."""
        return "".join(self._buffer)


def decode(events: Iterable[KeyEvent], layout: Layout | None = None) -> list[str]:
    """Every complete code in ``events``, in order (a trailing partial code is not one)."""
    decoder = Decoder(layout)
    return [code for event in events if (code := decoder.feed(event)) is not None]
