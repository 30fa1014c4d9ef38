"""A Static that lets an update to what it already shows pass.

Every outcome updates a dozen widgets, most of them with what they already
show (a hidden card's hint, an unchanged tally). Each such update still cost a
repaint, and a layout of the whole screen unless the widget's size is fixed by
the stylesheet, which was most of the station's screen work per scan.
"""

from __future__ import annotations

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static


class Steady(Static):
    """A Static whose ``show_content`` skips content it already shows."""

    def __init__(self, content: VisualType = "", *, fixed_size: bool = False, **kwargs) -> None:
        super().__init__(content, **kwargs)
        self._shown: object = content
        self.fixed_size = fixed_size
        """The stylesheet sets this widget's size whatever it shows, so new content needs no layout."""

    def show_content(self, content: VisualType, *, layout: bool | None = None) -> bool:
        """Show ``content`` unless it is what is shown; lay the screen out again only if the size can change
        (``layout`` overrides). Whether anything was redrawn."""
        if _same(content, self._shown):
            return False
        self._shown = content
        self.update(content, layout=not self.fixed_size if layout is None else layout)
        return True


def _same(new: object, shown: object) -> bool:
    """Whether ``new`` would draw exactly what ``shown`` drew (rich's Text equality ignores the base style and
    the justification, which a card's hint and a centred line use)."""
    if type(new) is not type(shown):
        return False
    if isinstance(new, Text):
        return (new.plain, new.style, new.justify, new.spans) == (shown.plain, shown.style, shown.justify, shown.spans)
    return new == shown
