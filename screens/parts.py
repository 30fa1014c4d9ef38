"""Finding a widget's parts once: a station's widgets are composed once and never replaced.

Every outcome shows itself through a dozen widgets, each found with a query
that walks the screen's tree: thirty walks a scan, 0.7 ms of it on a slow box.
"""

from __future__ import annotations

from typing import TypeVar

from textual.dom import DOMNode
from textual.widget import Widget

W = TypeVar("W", bound=Widget)


def part(node: DOMNode, selector: str | type[W], kind: type[W] = Widget) -> W:
    """``node.query_one(selector, kind)``, looked up on the first call and remembered on ``node``."""
    parts: dict = node.__dict__.setdefault("_parts", {})
    found = parts.get(selector)
    if found is None:
        found = parts[selector] = (
            node.query_one(selector) if isinstance(selector, type) else node.query_one(selector, kind)
        )
    return found
