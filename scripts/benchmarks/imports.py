"""Figure 4: importing device rows vs a bare csv-to-SQLite ``executemany`` of the same rows."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from benchmarks.common import Result, bare_sqlite, fresh_kiosk_db, in_turns

SITES = ("ELM", "OAK", "MMS", "RHS", "STOR")
MODELS = (
    ("HP Fortis 14 G10 Chromebook", "HP", "chromebook"),
    ("Lenovo 100e Chromebook Gen 3", "Lenovo", "chromebook"),
    ("Apple iPad 10.2-inch (9th generation) 64GB", "Apple", "tablet"),
    ("Dell Latitude 3440", "Dell", "laptop"),
)
HEADER = ("Asset Tag", "Serial Number", "Model", "Manufacturer", "Location", "Status", "Purchase Date",
          "Purchase Cost", "PO Number", "Funding Source")  # fmt: skip


def device_csv(path: Path, rows: int) -> Path:
    """A legacy-inventory CSV of ``rows`` distinct devices (written once, then reused)."""
    if path.exists():
        return path
    rng = random.Random(4)
    tmp = path.with_suffix(".part")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for n in range(rows):
            model, make, _ = MODELS[n % len(MODELS)]
            out.writerow((f"A{100000 + n:07d}", f"SN{n:09d}X", model, make, rng.choice(SITES), "In Stock",
                          f"2024-0{1 + n % 9}-15", f"${289 + n % 50}.00", f"PO24-{n % 997:05d}", "ESSER III"))  # fmt: skip
    tmp.rename(path)
    return path


def _kiosk_setup(work: Path):
    from models import CatalogItem, Site

    database = fresh_kiosk_db(work, "import.db")
    district = Site.create(code="DO", name="District Office", kind="district")
    for code in SITES:
        Site.create(code=code, name=f"Site {code}", kind="storage" if code == "STOR" else "school", parent=district)
    for name, make, category in MODELS:
        CatalogItem.create(name=name, manufacturer=make, category=category, replacement_cost_cents=30000)
    return database


def _bare(work: Path, source: Path) -> None:
    path = work / "bare.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = bare_sqlite(path)
    conn.execute(
        "CREATE TABLE device (id INTEGER PRIMARY KEY, asset_tag TEXT UNIQUE, serial TEXT UNIQUE, model TEXT, "
        "manufacturer TEXT, site TEXT, status TEXT, purchase_date TEXT, purchase_cost TEXT, po_number TEXT, "
        "funding_source TEXT)"
    )
    with source.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO device (asset_tag, serial, model, manufacturer, site, status, purchase_date, purchase_cost,"
            " po_number, funding_source) VALUES (?,?,?,?,?,?,?,?,?,?)",
            reader,
        )
        conn.execute("COMMIT")
    conn.close()


def figure(work: Path, cache: Path, *, rows: int, repeat: int) -> Result:
    from kiosk.services.import_common import ImportOptions
    from kiosk.services.imports import import_devices

    source = device_csv(cache / f"devices-{rows}.csv", rows)
    databases = []

    def setup():
        if databases:
            databases.pop().close()
        databases.append(_kiosk_setup(work))

    def run():
        report = import_devices([source], options=ImportOptions(station="bench-import"))
        assert report.count("create") == rows, report.summary()

    kiosk, baseline = in_turns(run, lambda: _bare(work, source), repeat=repeat, kiosk_setup=setup)
    databases.pop().close()
    return Result("4", f"import {rows:,} device rows (CSV)", kiosk, baseline, target=4.0)
