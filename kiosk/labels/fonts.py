"""Fonts and fitting text into boxes.

Names arrive from every language a district hears: "José", "Łucja",
"Nguyễn". The PDF's built-in fonts only know Latin-1, so we embed a TrueType
font: DejaVu Sans where the system has it (Debian's fonts-dejavu-core), else
Bitstream Vera, which ships inside reportlab. ``[labels] font`` and
``font_bold`` in the config name other TTF files. Embedded subsets carry a
ToUnicode map, so text copied or extracted from the PDF is the real name.
"""

from __future__ import annotations

import functools
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from kiosk.errors import BadInput

REGULAR = "KioskSans"
BOLD = "KioskSans-Bold"
_SYSTEM = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
_BUNDLED = Path(reportlab.__file__).parent / "fonts"
ELLIPSIS = "…"


def _find() -> tuple[Path, Path]:
    for folder in _SYSTEM:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return _BUNDLED / "Vera.ttf", _BUNDLED / "VeraBd.ttf"


@functools.cache
def register(regular: str | None = None, bold: str | None = None) -> tuple[str, str]:
    """Register the two faces once per process; returns their names (:data:`REGULAR`, :data:`BOLD`)."""
    found = _find()
    paths = (Path(regular) if regular else found[0], Path(bold) if bold else found[1])
    for name, path in zip((REGULAR, BOLD), paths, strict=True):
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except (OSError, TTFError) as exc:
            raise BadInput(f"The label font {path} cannot be used: {exc}. Name a TrueType (.ttf) file.") from exc
    return REGULAR, BOLD


def fonts_from(extra: dict) -> tuple[str, str]:
    """Register the fonts the config's ``[labels]`` section names (or the defaults)."""
    section = extra.get("labels") if isinstance(extra.get("labels"), dict) else {}
    return register(section.get("font"), section.get("font_bold"))


def width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points."""
    return pdfmetrics.stringWidth(text, font, size)


def fit_size(text: str, font: str, box: float, size: float, minimum: float) -> float:
    """The largest size from ``size`` down to ``minimum`` at which ``text`` fits ``box`` points."""
    if not text:
        return size
    exact = size * box / max(width(text, font, size), 0.001)
    return max(minimum, min(size, exact))


def ellipsize(text: str, font: str, size: float, box: float) -> str:
    """``text`` cut with an ellipsis so it fits ``box`` points."""
    if width(text, font, size) <= box:
        return text
    while text and width(text + ELLIPSIS, font, size) > box:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _wrap(text: str, font: str, size: float, box: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        while width(word, font, size) > box:  # a word longer than the line is broken where it must be
            cut = len(word)
            while cut > 1 and width(word[:cut], font, size) > box:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}".strip()
        if width(candidate, font, size) <= box:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def fit_lines(text: str, font: str, box: float, size: float, minimum: float, max_lines: int) -> tuple[float, list[str]]:
    """Size and lines for ``text`` in a box ``box`` points wide holding at most ``max_lines`` lines.

    One line at the largest size that fits, else wrapped at the largest size
    that fits ``max_lines``; text that does not fit even then ends in an ellipsis.
    """
    one = fit_size(text, font, box, size, minimum)
    if width(text, font, one) <= box or max_lines == 1:
        return one, [ellipsize(text, font, one, box)]
    current = size
    while current >= minimum:
        lines = _wrap(text, font, current, box)
        if len(lines) <= max_lines:
            return current, lines
        current -= 0.5
    lines = _wrap(text, font, minimum, box)
    kept = lines[:max_lines]
    kept[-1] = ellipsize(" ".join([kept[-1], *lines[max_lines:]]), font, minimum, box)
    return minimum, kept
