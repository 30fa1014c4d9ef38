"""Barcode scanners read through evdev: a pure key-event decoder, the scanner settings, a hot-plug source."""
