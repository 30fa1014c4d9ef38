"""Large letters and digits drawn with half blocks (▀ ▄ █).

Those three characters are in the Linux console font as well as in every modern
terminal font, unlike the box-drawing pieces Textual's Digits widget uses.
Glyphs are 5 pixels high; two pixel rows share one terminal row, so scale 1 is
3 rows tall. With ``fill`` the widget picks the largest scale that fits, which
is how a storage-case number fills the screen in the storage room.
"""

from __future__ import annotations

from rich.text import Text
from textual.css.scalar import Scalar
from textual.reactive import reactive
from textual.widget import Widget

_FONT_ROWS = """
A .###. #...# ##### #...# #...#
B ####. #...# ####. #...# ####.
C .#### #.... #.... #.... .####
D ####. #...# #...# #...# ####.
E ##### #.... ####. #.... #####
F ##### #.... ####. #.... #....
G .#### #.... #..## #...# .####
H #...# #...# ##### #...# #...#
I ### .#. .#. .#. ###
J ..### ...#. ...#. #..#. .##..
K #...# #..#. ###.. #..#. #...#
L #.... #.... #.... #.... #####
M #...# ##.## #.#.# #...# #...#
N #...# ##..# #.#.# #..## #...#
O .###. #...# #...# #...# .###.
P ####. #...# ####. #.... #....
Q .###. #...# #.#.# #..#. .##.#
R ####. #...# ####. #..#. #...#
S .#### #.... .###. ....# ####.
T ##### ..#.. ..#.. ..#.. ..#..
U #...# #...# #...# #...# .###.
V #...# #...# #...# .#.#. ..#..
W #...# #...# #.#.# ##.## #...#
X #...# .#.#. ..#.. .#.#. #...#
Y #...# .#.#. ..#.. ..#.. ..#..
Z ##### ...#. ..#.. .#... #####
0 .###. #..## #.#.# ##..# .###.
1 .#. ##. .#. .#. ###
2 .###. #...# ..##. .#... #####
3 ####. ....# .###. ....# ####.
4 #...# #...# ##### ....# ....#
5 ##### #.... ####. ....# ####.
6 .###. #.... ####. #...# .###.
7 ##### ....# ...#. ..#.. ..#..
8 .###. #...# .###. #...# .###.
9 .###. #...# .#### ....# .###.
- ... ... ### ... ...
: . # . # .
"""

FONT: dict[str, tuple[str, ...]] = {line[0]: tuple(line[2:].split()) for line in _FONT_ROWS.strip().splitlines()}
FONT[" "] = ("...",) * 5
GLYPH_HEIGHT = 5


def _pixels(text: str, scale: int) -> list[str]:
    """The text as rows of '#'/'.' pixels, each pixel ``scale`` wide and tall, one pixel column between glyphs."""
    glyphs = [FONT.get(ch, FONT[" "]) for ch in text.upper()]
    rows = []
    for y in range(GLYPH_HEIGHT):
        gap = "." * scale
        row = gap.join("".join(px * scale for px in glyph[y]) for glyph in glyphs)
        rows.extend([row] * scale)
    return rows


def measure(text: str, scale: int = 1) -> tuple[int, int]:
    """(width, height) in cells of ``text`` drawn at ``scale``."""
    width = sum(len(FONT.get(ch, FONT[" "])[0]) for ch in text.upper()) * scale + max(len(text) - 1, 0) * scale
    return width, (GLYPH_HEIGHT * scale + 1) // 2


def render_lines(text: str, scale: int = 1) -> list[str]:
    """The text drawn with half blocks: each terminal row carries two pixel rows."""
    pixels = _pixels(text, scale)
    if len(pixels) % 2:
        pixels.append("." * len(pixels[0]) if pixels else "")
    lines = []
    for top, bottom in zip(pixels[::2], pixels[1::2]):
        lines.append(
            "".join(
                "█" if t == "#" and b == "#" else "▀" if t == "#" else "▄" if b == "#" else " "
                for t, b in zip(top, bottom)
            )
        )
    return lines


class BigText(Widget):
    """Text in large letters; ``fill`` grows it to the largest scale its box allows."""

    text: reactive[str] = reactive("", layout=False)
    """What to draw (letters, digits, space, '-' and ':'). A change asks for a layout of the screen only when
    it changes the widget's size (``watch_text``): the mode title, as wide as its minimum for most modes,
    changed the mode with a repaint instead of a layout of the whole screen."""

    def __init__(self, text: str = "", *, fill: bool = False, max_scale: int = 8, **kwargs) -> None:
        super().__init__(**kwargs)
        self.fill = fill
        """Grow to fit the widget's size instead of drawing at scale 1."""
        self.max_scale = max_scale
        """Upper bound for ``fill`` (a one-digit case should not become a wall of blocks)."""
        self.set_reactive(BigText.text, text)

    def watch_text(self, old: str, new: str) -> None:
        if self._content_box(old) != self._content_box(new):
            self.refresh(layout=True)

    def _content_box(self, text: str) -> tuple[int | None, int | None]:
        """The content width and height ``text`` gives this widget, as far as the text decides them (None where
        the stylesheet alone does); a minimum in cells applies as Textual applies it."""
        styles = self.styles
        width, height = measure(text, 1) if text else (0, 1)
        gutter = styles.gutter.totals if styles.box_sizing == "border-box" else (0, 0)
        return (
            _within(width, styles.width, styles.min_width, styles.max_width, gutter[0]),
            _within(height, styles.height, styles.min_height, styles.max_height, gutter[1]),
        )

    def _scale(self) -> int:
        if not self.fill:
            return 1
        width, height = self.content_size
        scale = 1
        for candidate in range(2, self.max_scale + 1):
            w, h = measure(self.text, candidate)
            if w > width or h > height:
                break
            scale = candidate
        return scale

    def render(self) -> Text:
        if not self.text:
            return Text("")
        width, _ = self.content_size
        lines = render_lines(self.text, self._scale())
        if width and lines and len(lines[0]) > width:
            # Too narrow for even the smallest big letters: plain bold text still says it.
            return Text(self.text, style="bold")
        return Text("\n".join(lines))

    def get_content_width(self, container, viewport) -> int:
        return measure(self.text, 1)[0] if self.text else 0

    def get_content_height(self, container, viewport, width: int) -> int:
        return measure(self.text, 1)[1] if self.text else 1


def _within(size: int, rule: Scalar | None, least: Scalar | None, most: Scalar | None, gutter: int) -> int | None:
    """What an auto dimension of content ``size`` comes to under these limits, or None when the rule is not auto
    (a fixed, fraction or percentage size does not follow the text). With a limit other than a minimum in
    cells it is ``size`` itself, so that any change of it still lays out."""
    if rule is None or not rule.is_auto:
        return None
    if most is None and least is not None and least.is_cells:
        return max(size, int(least.value) - gutter)
    return size
