"""Keyboard layouts other than US, through libxkbcommon (the optional ``xkbcommon`` package)."""

from __future__ import annotations

from kiosk.errors import BadInput
from kiosk.scanner.decoder import KEYPAD, Layout

_XKB_OFFSET = 8  # xkb keycodes are evdev key codes + 8
_SHIFT = 42


class XkbLayout(Layout):
    """A layout compiled by libxkbcommon from an RMLVO layout name such as ``de`` or ``fr``."""

    def __init__(self, name: str) -> None:
        try:
            from xkbcommon import xkb
        except ImportError as exc:
            raise BadInput(
                f"Keyboard layout {name!r} needs the optional xkbcommon package and libxkbcommon: "
                "pip install 'kiosk[xkb]' (or set layout = \"us\" in [scanner])."
            ) from exc
        self.name = name
        self._xkb = xkb
        try:
            self._keymap = xkb.Context().keymap_new_from_names(layout=name)
        except Exception as exc:  # xkbcommon raises its own error types per version
            raise BadInput(f"Keyboard layout {name!r} is not known to libxkbcommon: {exc}") from exc

    def char(self, code: int, *, shift: bool, caps: bool) -> str | None:
        if code in KEYPAD:
            return KEYPAD[code]
        state = self._keymap.state_new()
        if shift:
            state.update_key(_SHIFT + _XKB_OFFSET, self._xkb.XKB_KEY_DOWN)
        text = state.key_get_string(code + _XKB_OFFSET)
        if caps and text.isalpha() and len(text) == 1:
            text = text.lower() if shift else text.upper()
        return text if text and text.isprintable() else None
