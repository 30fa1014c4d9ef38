"""Reading the files districts bring: CSV and XLSX tables, OneRoster, SIS, inventory and ChromeOS exports.

Nothing here touches the database. ``readers`` turns bytes into a ``Table``;
``mapping`` finds the columns by header aliases; ``values`` parses dates, money,
flags and statuses; the per-format modules (``oneroster``, ``students``,
``devices``, ``chromeos``) turn tables into plain row records that the import
services in ``kiosk.services.imports`` check against the database.
"""
