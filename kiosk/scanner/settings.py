"""The ``[scanner]`` table of the config file, parsed and checked.

```toml
[scanner]
enabled = true                       # false: keyboard wedge only
device = "/dev/input/kiosk-scanner"  # a device path, or
name = "*Honeywell*"                 # a device name pattern (shell wildcards), or
vendor_product = "0c2e:0b61"         # a USB vendor:product id; none of them: best guess
grab = true                          # exclusive grab: scans never reach other programs
layout = "us"                        # other layouts need the optional xkbcommon package
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.errors import BadInput
from kiosk.scanner.decoder import Layout

_TYPES = {"enabled": bool, "device": str, "name": str, "vendor_product": str, "grab": bool, "layout": str}
_VENDOR_PRODUCT = re.compile(r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$")


@dataclass(frozen=True)
class ScannerSettings:
    """How to find and read the scanner."""

    enabled: bool = False
    """Whether the station reads a scanner through evdev at all (an empty table turns it on)."""
    device: str | None = None
    name: str | None = None
    vendor_product: str | None = None
    grab: bool = True
    layout: str = "us"

    @property
    def ids(self) -> tuple[int, int] | None:
        """(vendor, product) from ``vendor_product``."""
        if not self.vendor_product:
            return None
        vendor, product = self.vendor_product.split(":")
        return int(vendor, 16), int(product, 16)


def parse_settings(table: object) -> ScannerSettings:
    """The settings from ``Config.extra["scanner"]``; ``BadInput`` names the key that is wrong."""
    if table is None:
        return ScannerSettings()
    if not isinstance(table, dict):
        raise BadInput('Config [scanner] must be a table, e.g. [scanner] followed by device = "/dev/input/...".')
    values: dict = {"enabled": True}
    for key, value in table.items():
        if key not in _TYPES:
            raise BadInput(f"Config [scanner]: unknown key {key!r} (known: {', '.join(_TYPES)}).")
        kind = _TYPES[key]
        if not isinstance(value, kind):
            raise BadInput(
                f"Config [scanner]: {key} must be {'true or false' if kind is bool else 'a string'}, not {value!r}."
            )
        values[key] = value
    if "vendor_product" in values and not _VENDOR_PRODUCT.match(values["vendor_product"]):
        raise BadInput(
            f"Config [scanner]: vendor_product must be four hex digits, a colon and four hex digits "
            f"(like 0c2e:0b61), not {values['vendor_product']!r}."
        )
    settings = ScannerSettings(**values)
    load_layout(settings.layout)
    return settings


def load_layout(name: str) -> Layout:
    """The built-in US layout, or another one through libxkbcommon (``pip install 'kiosk[xkb]'``)."""
    if name.lower() in ("us", ""):
        return Layout()
    from kiosk.scanner.xkb import XkbLayout

    return XkbLayout(name)
