"""A Static that lets an update to what it already shows pass, and redraws only the lines that changed.

Every outcome updates a dozen widgets, most of them with what they already
show (a hidden card's hint, an unchanged tally). Each such update still cost a
repaint, and a layout of the whole screen unless the widget's size is fixed by
the stylesheet, which was most of the station's screen work per scan.

A card body fills its card (29 lines at 120 x 40) and each line costs about
60 microseconds through Textual's styles; a new outcome changes a few of them.
When every line of the old and the new text is one row, the rows that draw
the same are left as they were drawn.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.visual import Visual, VisualType, visualize
from textual.widgets import Static


class Steady(Static):
    """A Static whose ``show_content`` skips content it already shows and redraws only changed rows."""

    def __init__(self, content: VisualType = "", *, fixed_size: bool = False, **kwargs) -> None:
        super().__init__(content, **kwargs)
        self._shown: VisualType = content
        self._visual: Visual | None = None
        self.fixed_size = fixed_size
        """The stylesheet sets this widget's size whatever it shows, so new content needs no layout."""

    @property
    def content(self) -> VisualType:
        return self._shown

    @content.setter
    def content(self, content: VisualType) -> None:
        self.update(content)

    @property
    def visual(self) -> Visual:
        if self._visual is None:
            self._visual = visualize(self, self._shown, markup=self._render_markup)
        return self._visual

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        self._shown = content
        self._visual = None
        self.clear_cached_dimensions()
        self.refresh(layout=layout)

    def show_content(self, content: VisualType, *, layout: bool | None = None) -> bool:
        """Show ``content`` unless it is what is shown; lay the screen out again only if the size can change
        (``layout`` overrides). Whether anything was redrawn."""
        if _same(content, self._shown):
            return False
        layout = not self.fixed_size if layout is None else layout
        rows = None if layout else self._changed_rows(self._shown, content)
        if not rows:
            self.update(content, layout=layout)
            return True
        self._shown = content
        self._visual = None
        width = self.content_size.width
        self.refresh(*(Region(0, y, width, 1) for y in rows))
        return True

    def _changed_rows(self, shown: VisualType, content: VisualType) -> list[int] | None:
        """The rows that draw differently, when both texts draw each of their lines on one row from the top;
        None when a line wraps or is cut, or anything else could move every row."""
        if not (isinstance(shown, Text) and isinstance(content, Text)):
            return None
        if (shown.overflow, shown.no_wrap) != (content.overflow, content.no_wrap):
            return None
        width, height = self.content_size
        if width <= 0 or height <= 0 or self.styles.content_align_vertical != "top":
            return None
        old, new = _lines(shown, width), _lines(content, width)
        if old is None or new is None:
            return None  # a wrapped or cut line: the rows under it move
        rows = range(min(height, max(len(old), len(new))))
        if (shown.style, shown.justify) != (content.style, content.justify):
            return list(rows)  # every line of either text is drawn anew; the rows under both stay blank
        return [y for y in rows if y >= len(old) or y >= len(new) or old[y] != new[y]]


def _lines(text: Text, width: int) -> list[tuple[str, list[tuple]]] | None:
    """Each line of ``text`` with the spans that touch it (offsets from the line's start), or None when a line
    does not fit in ``width`` cells or holds a tab. Cheaper than ``Text.split``, which builds a Text per line."""
    plain = text.plain
    if "\t" in plain:
        return None
    lines = plain.split("\n")
    if any((len(line) if line.isascii() else cell_len(line)) > width for line in lines):
        return None
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    found: list[tuple[str, list[tuple]]] = [(line, []) for line in lines]
    for span in text.spans:
        first = bisect_right(starts, span.start) - 1
        last = bisect_right(starts, max(span.start, span.end - 1)) - 1
        for i in range(first, last + 1):  # the part of the span on line i (the newline draws nothing)
            start, end = starts[i], starts[i] + len(lines[i])
            found[i][1].append((max(span.start, start) - start, min(span.end, end) - start, span.style))
    return found


def _same(new: object, shown: object) -> bool:
    """Whether ``new`` would draw exactly what ``shown`` drew (rich's Text equality ignores the base style and
    the justification, which a card's hint and a centred line use)."""
    if type(new) is not type(shown):
        return False
    if isinstance(new, Text):
        return (new.plain, new.style, new.justify, new.spans) == (shown.plain, shown.style, shown.justify, shown.spans)
    return new == shown
