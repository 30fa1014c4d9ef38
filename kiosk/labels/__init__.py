"""Barcodes on paper: student lists, asset tags, storage-case tags, location cards and the command sheet.

Every sheet is a PDF drawn with reportlab; every barcode is Code 128 (modules
from python-barcode) drawn as vector rectangles with a quiet zone of ten
modules on each side. ``kiosk labels ...`` (kiosk/cli_labels.py) and the
station's admin actions call the ``write_*`` functions of the sheet modules.
"""
