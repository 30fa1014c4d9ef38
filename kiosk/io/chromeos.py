"""Google Admin console device lists and ``gam print cros`` CSVs read into ``DeviceRow`` records.

What is read: serialNumber, annotatedAssetId (the asset tag), orgUnitPath (the
site, through its last path component or an ``--ou-map`` file), model, status and
the AUE date (autoUpdateThrough, the newer field, else autoUpdateExpiration,
or the console's "AUE date").
annotatedUser is not read: kiosk records loans at the station, not from Google.

Google's management status maps as: DEPROVISIONED -> retired; every other status
(ACTIVE, DISABLED, INACTIVE, PRE_PROVISIONED, ...) leaves the kiosk status alone,
because a disabled Chromebook may be in a drawer or in a student's bag.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import BadInput
from kiosk.io.devices import DeviceRow
from kiosk.io.mapping import Columns, Field, Rejection, RowError, resolve
from kiosk.io.readers import Table
from kiosk.io.values import clean_code, parse_date

F = Field
FIELDS = [
    F("serial", ("serialNumber", "Serial Number", "Serial"), "serial number"),
    F("asset_tag", ("annotatedAssetId", "Asset ID", "Asset Tag", "Asset"), "asset tag"),
    F("ou", ("orgUnitPath", "Org Unit Path", "Organizational Unit", "Org Unit", "OU", "orgUnit"), "org unit"),
    F("model", ("model", "Model", "Device Model"), "model"),
    F("status", ("status", "Status", "Enrollment Status"), "status"),
    F("aue_date", ("autoUpdateThrough", "autoUpdateExpiration", "AUE date", "AUE", "Auto Update Expiration",
                   "Auto-update expiration", "Auto update expiration date"), "AUE date"),
    F("aue_fallback", ("autoUpdateExpiration",), "AUE date"),
]  # fmt: skip
"""``aue_fallback`` reads autoUpdateExpiration for rows whose autoUpdateThrough is empty (older devices)."""
CHROMEOS_HEADERS = ({"serialnumber", "orgunitpath"}, {"serialnumber", "annotatedassetid"})
"""Header pairs that mark a table as a Google export (``--format auto``)."""
RETIRING = {"deprovisioned"}


def looks_like_chromeos(keys: set[str]) -> bool:
    return any(pair <= keys for pair in CHROMEOS_HEADERS)


def columns(table: Table, overrides: dict[str, str | None] | None = None) -> Columns:
    return resolve(table, FIELDS, required=(("serial",),), overrides=overrides)


def parse_rows(cols: Columns) -> tuple[list[DeviceRow], list[Rejection]]:
    """Every row of a Google device list as a DeviceRow (site left to the service, from ``ou``)."""
    rows, rejected = [], []
    label = {name: cols.table.headers[i] for name, i in cols.index.items()}
    for number, cells in cols.table.rows:
        try:
            v = cols.values(number, cells)
            serial = clean_code(v.get("serial", ""))
            if not serial:
                raise RowError("no serial number")
            name = "aue_date" if v.get("aue_date") else "aue_fallback"
            try:
                aue = parse_date(v.get(name, ""), month_only=True)
            except ValueError as exc:
                raise RowError(f"{label[name]}: {exc}") from None
            status_text = v.get("status", "").strip()
            rows.append(DeviceRow(
                cols.table.source, number, cells, cols.table.headers,
                asset_tag=clean_code(v.get("asset_tag", "")) or None,
                serial=serial,
                model=" ".join(v.get("model", "").split()) or None,
                category="chromebook",
                status="retired" if status_text.lower() in RETIRING else None,
                status_text=status_text or None,
                aue_date=aue,
                ou=v.get("ou", "").strip() or None,
            ))  # fmt: skip
        except RowError as exc:
            rejected.append(cols.reject(number, cells, str(exc)))
    return rows, rejected


def _path(text: str) -> str:
    return "/" + "/".join(part.strip().lower() for part in text.strip().split("/") if part.strip())


@dataclass(frozen=True)
class OuMap:
    """Organisational units to sites: ``/Students/Central HS`` -> ``HS``.

    An entry matches its unit and every unit below it; the longest match wins.
    An entry written without a leading slash matches a unit's last component
    (``Central HS`` matches ``/Students/Central HS``).
    """

    paths: tuple[tuple[str, str], ...] = ()
    names: tuple[tuple[str, str], ...] = ()

    def site_for(self, ou: str | None) -> str | None:
        """The site text this map gives ``ou``; None when no entry matches."""
        if not ou:
            return None
        path = _path(ou)
        best = None
        for prefix, site in self.paths:
            if (path == prefix or path.startswith(prefix.rstrip("/") + "/")) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), site)
        if best:
            return best[1]
        last = path.rsplit("/", 1)[-1]
        return dict(self.names).get(last)


OU_FIELDS = [
    F("ou", ("orgUnitPath", "Org Unit Path", "OU", "Org Unit", "Organizational Unit", "Path"), "org unit"),
    F("site", ("Site", "Site Code", "Location", "School", "Building", "Code"), "site"),
]


def read_ou_map(table: Table) -> OuMap:
    """An OU map from a two-column table (a header row naming the columns, or none at all)."""
    try:
        cols = resolve(table, OU_FIELDS, required=(("ou",), ("site",)))
        lines = [(n, [c[cols.index["ou"]] if cols.index["ou"] < len(c) else "",
                      c[cols.index["site"]] if cols.index["site"] < len(c) else ""]) for n, c in table.rows]  # fmt: skip
    except BadInput:
        if len(table.headers) != 2:
            raise BadInput(
                f"{table.source}: an OU map needs two columns, the unit path and the site code "
                "(e.g. '/Students/Central HS,HS')."
            ) from None
        lines = [(1, table.headers)] + [(n, c[:2]) for n, c in table.rows]
    paths, names = [], []
    for number, (ou, site) in lines:
        ou, site = ou.strip(), site.strip()
        if not ou or not site:
            raise BadInput(f"{table.source} row {number}: an OU map line needs a unit and a site.")
        (paths if ou.startswith("/") else names).append((_path(ou) if ou.startswith("/") else ou.lower(), site))
    return OuMap(tuple(paths), tuple(names))


def last_component(ou: str | None) -> str | None:
    """The unit's own name, the default way kiosk matches a unit to a site."""
    if not ou:
        return None
    parts = [p for p in ou.strip().split("/") if p.strip()]
    return parts[-1].strip() if parts else None
