"""kiosk: a terminal checkout station for 1:1 device programs."""

__version__ = "0.1.0"
