"""Code 128 as vector bars: python-barcode chooses the code sets and the check digit, we draw the modules.

A symbol is its modules (``1`` bar, ``0`` space) plus a quiet zone of ten
modules on each side, which the symbology requires (ISO/IEC 15417) and which
scanners need to find where the symbol begins. Nothing else is ever drawn
inside the quiet zone: :func:`fit` returns the whole box, quiet zones included.
"""

from __future__ import annotations

from dataclasses import dataclass

from barcode import Code128
from barcode.errors import BarcodeError

QUIET_MODULES = 10
"""Quiet zone on each side, in modules."""
MIN_MODULE = 0.72
"""Narrowest module we print, in points (10 mil): below it cheap scanners and 200 dpi copies fail."""


class Unprintable(ValueError):
    """A code that cannot become a Code 128 symbol here; ``str()`` says why in a sentence."""


def modules(code: str) -> str:
    """The symbol's modules as a string of ``1`` (bar) and ``0`` (space), without quiet zones."""
    if not code:
        raise Unprintable("an empty code has no barcode")
    try:
        return Code128(code).build()[0]
    except BarcodeError as exc:
        bad = "".join(sorted({ch for ch in code if not (" " <= ch <= "~")}))
        raise Unprintable(f"{code!r} holds characters Code 128 cannot carry ({bad or exc})") from exc


def bars(pattern: str) -> list[tuple[int, int]]:
    """(first module, width in modules) of every bar: runs of ``1`` merged into one rectangle."""
    runs = []
    start = None
    for i, bit in enumerate(pattern + "0"):
        if bit == "1" and start is None:
            start = i
        elif bit == "0" and start is not None:
            runs.append((start, i - start))
            start = None
    return runs


@dataclass(frozen=True)
class Symbol:
    """One barcode sized for a box: draw it with :meth:`draw`."""

    code: str
    pattern: str
    module: float
    """Module width in points."""
    height: float

    @property
    def width(self) -> float:
        """Total width in points, both quiet zones included."""
        return (len(self.pattern) + 2 * QUIET_MODULES) * self.module

    def draw(self, canvas, x: float, y: float) -> None:
        """Draw with the quiet zone's left edge at ``x`` and the bars' bottom at ``y``."""
        canvas.saveState()
        canvas.setFillGray(0)
        left = x + QUIET_MODULES * self.module
        for start, width in bars(self.pattern):
            canvas.rect(left + start * self.module, y, width * self.module, self.height, stroke=0, fill=1)
        canvas.restoreState()


def fit(code: str, max_width: float, height: float, *, max_module: float = 1.0) -> Symbol:
    """The widest symbol for ``code`` up to ``max_module`` per module that fits ``max_width`` (quiet zones in).

    Raises :class:`Unprintable` when even :data:`MIN_MODULE` is too wide or the
    code cannot be encoded.
    """
    pattern = modules(code)
    total = len(pattern) + 2 * QUIET_MODULES
    module = min(max_module, max_width / total)
    if module < MIN_MODULE:
        raise Unprintable(
            f"{code!r} is too long for a barcode {max_width / 72:.2f} in wide (it needs {total * MIN_MODULE / 72:.2f} in)"
        )
    return Symbol(code, pattern, module, height)
