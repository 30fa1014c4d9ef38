"""Planning and writing a device import: inventory files, Snipe-IT exports, Google device lists.

The plan compares every merged row with the database, which is read once in
chunks (the devices the files name, every site, the whole catalog), never row
by row. New devices get ``devices.added`` events, one per thousand devices,
each device naming its event in ``added_event``; a site change a
``device.moved``; a status change a ``status`` event, so ``kiosk check`` replays
the result. A device on loan keeps its status and site whatever the file says:
the row is listed as a conflict and only its other fields are applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.io.chromeos import OuMap, last_component
from kiosk.io.devices import DeviceRow
from kiosk.io.mapping import Rejection
from kiosk.ledger import new_uuid
from kiosk.services.catalog import Resolver
from kiosk.services.catalog_names import (
    alias_text,
    guess_category,
    guess_manufacturer,
    normalise_manufacturer,
    normalise_name,
)
from kiosk.services.import_common import (
    Change,
    EventWriter,
    ImportOptions,
    ImportReport,
    SiteIndex,
    new_change,
)
from kiosk.services.import_sql import fetch_in, insert_rows, iso_day
from models import CatalogAlias, CatalogItem, Device

DEVICE_FIELDS = ("asset_tag", "serial", "item", "status", "home_site", "site", "funding_source", "po_number",
                 "purchase_date", "purchase_cost_cents", "warranty_end", "aue_date", "added_event")  # fmt: skip
ADDED_BATCH = 1000
"""Devices per ``devices.added`` event: hashing one event per device was half the time of a large import."""
_PLAIN = ("funding_source", "po_number", "purchase_date", "purchase_cost_cents", "warranty_end", "aue_date")
_LABELS = {"item": "model", "home_site": "home site", "site": "site", "status": "status",
           "funding_source": "funding source", "po_number": "PO", "purchase_date": "purchase date",
           "purchase_cost_cents": "cost (cents)", "warranty_end": "warranty end", "aue_date": "AUE date"}  # fmt: skip


@dataclass
class _NewItem:
    id: int
    name: str
    category: str
    manufacturer: str


@dataclass
class DevicePlan:
    """Everything a device import would write, worked out before anything is written."""

    options: ImportOptions
    default_site: str | None = None
    ou_map: OuMap | None = None
    changes: list[Change] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    conflicts: list[Rejection] = field(default_factory=list)
    review: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    inserts: list[tuple] = field(default_factory=list)
    updates: list[tuple[int, dict]] = field(default_factory=list)
    events: list[tuple[str, dict]] = field(default_factory=list)
    added: dict[str, dict[tuple[int, int, str], list[list[str]]]] = field(default_factory=dict)
    """``devices.added`` uuid -> (item id, site id, status) -> its ``[asset_tag, serial]`` pairs, in insert order."""
    new_items: dict[str, _NewItem] = field(default_factory=dict)
    new_aliases: dict[str, int] = field(default_factory=dict)

    def run(self, rows: list[DeviceRow]) -> None:
        self.sites = SiteIndex()
        self.resolver = Resolver.load()
        self.items = dict(self.resolver.names)
        self._load(rows)
        self._models: dict[tuple[str, str | None], int | None] = {}
        self._details: dict[tuple[int, int, str], str] = {}
        self._unmapped: dict[str, int] = {}
        self._spellings: set[str] = set()
        self._waiting: list[DeviceRow] = []
        for n, row in enumerate(rows, start=1):
            self._plan(row)
            if n % 5000 == 0:
                self.options.tick("checking rows", n, len(rows))
        if self._waiting and self.new_aliases:
            # A spelling learned further down the file (a row that also named the manufacturer) names the model of
            # rows above it too, as it will on the next run: look at those rows again, or a second run would differ.
            waiting, self._waiting, self.review = self._waiting, [], []
            self._models = {key: item for key, item in self._models.items() if item is not None}
            for row in waiting:
                self._plan(row)
        for ou, count in sorted(self._unmapped.items()):
            self.notes.append(f"org unit {ou!r} matches no site: {count} existing device(s) kept their site.")

    # -- reading the database once -------------------------------------------

    def _load(self, rows: list[DeviceRow]) -> None:
        names = ("id", "asset_tag", "serial", "item", "status", "home_site", "site", *_PLAIN)
        lock = not self.options.dry_run
        self.by_tag: dict[str, dict] = {}
        self.by_serial: dict[str, dict] = {}

        def keep(found):
            for values in found:
                record = dict(zip(names, values))
                self.by_tag[record["asset_tag"]] = record
                self.by_serial[record["serial"]] = record

        keep(fetch_in(Device, names, "asset_tag", (r.asset_tag for r in rows), lock=lock))
        # Only serials the tags did not already bring back: a re-import reads each device once.
        keep(fetch_in(Device, names, "serial", (r.serial for r in rows if r.serial not in self.by_serial), lock=lock))

    # -- one row --------------------------------------------------------------

    def _site(self, row: DeviceRow, text: str | None, existing: bool) -> int | None:
        """The site id a row names; None for "no change". ValueError when it names no site."""
        if row.ou and text is None:
            mapped = self.ou_map.site_for(row.ou) if self.ou_map else None
            if mapped:
                return self.sites.find(mapped)  # a map line naming no site is an error, not a fallback
            try:
                return self.sites.find(last_component(row.ou) or "")
            except ValueError:
                if existing:
                    self._unmapped[row.ou] = self._unmapped.get(row.ou, 0) + 1
                    return None
                if self.default_site:
                    return self.sites.find(self.default_site)
                raise ValueError(
                    f"org unit {row.ou!r} matches no site (by its last part or --ou-map); map it with --ou-map"
                ) from None
        if text:
            return self.sites.find(text)
        if not existing and self.default_site:
            return self.sites.find(self.default_site)
        return None

    def _model(self, row: DeviceRow) -> int | None:
        key = (row.model, row.manufacturer)
        if key in self._models:
            return self._models[key]
        found = self.resolver.resolve(row.model, normalise_manufacturer(row.manufacturer) or None)
        if found is None and self.options.create_models:
            name = normalise_name(row.model, row.manufacturer)
            found = self.resolver.resolve(name)
            if found is None:
                found = -(len(self.new_items) + 1)  # a placeholder id until the item is inserted
                maker = normalise_manufacturer(row.manufacturer) or guess_manufacturer(name)
                self.new_items[name] = _NewItem(found, name, guess_category(name, row.category), maker)
                self.resolver.add_name(found, name)
                self.items[found] = name
                self.changes.append(Change("create", "catalog item", name, row.where, f"from {row.model!r}"))
        self._models[key] = found
        return found

    def _plan(self, row: DeviceRow) -> None:
        tag, serial = row.asset_tag, row.serial
        dev = self.by_tag.get(tag) if tag else None
        other = self.by_serial.get(serial) if serial else None
        if dev and serial and dev["serial"] != serial:
            return self._reject(row, f"tag {tag} has serial {dev['serial']} in kiosk, but the file says {serial}")
        if other and tag and other["asset_tag"] != tag:
            return self._reject(
                row, f"serial {serial} is tag {other['asset_tag']} in kiosk, but the file says tag {tag}"
            )
        dev = dev or other
        try:
            site = self._site(row, row.site, dev is not None)
            home = self.sites.find(row.home_site) if row.home_site else None
        except ValueError as exc:
            return self._reject(row, str(exc))
        item = None
        if row.model:
            item = self._model(row)
            if item is None:
                self.review.append(row.rejection(f"model {row.model!r} is not in the catalog"))
                self._waiting.append(row)
                return None
        if dev is None:
            return self._create(row, site, home, item)
        self._update(row, dev, site, home, item)
        return None

    def _reject(self, row: DeviceRow, reason: str) -> None:
        self.rejected.append(row.rejection(reason))

    def _alias(self, row: DeviceRow, item: int | None) -> None:
        if not row.model or item is None or row.model in self._spellings:
            return
        self._spellings.add(row.model)  # each spelling is looked at once, not once per device
        if self.resolver.is_new_spelling(row.model):
            text = alias_text(row.model)
            if text not in self.new_aliases:
                self.new_aliases[text] = item
                self.resolver.add_alias(text, item)  # later rows of this import know the spelling too
                self.changes.append(Change("create", "alias", repr(text), row.where, f"of {self.items[item]!r}"))

    def _create(self, row: DeviceRow, site: int | None, home: int | None, item: int | None) -> None:
        if row.asset_tag is None or row.serial is None or item is None or site is None:
            missing = [what for what, value in (("an asset tag", row.asset_tag), ("a serial number", row.serial),
                                                ("a model", item), ("a site", site)) if value is None]  # fmt: skip
            return self._reject(row, f"a new device needs {', '.join(missing)} (the file gives none)")
        status = row.status or "available"
        if status == "issued":
            return self._reject(
                row,
                f"status {row.status_text!r} means on loan, but kiosk records loans at a station: "
                "import it with another status (e.g. available) and issue it there",
            )
        self._alias(row, item)
        if len(self.inserts) % ADDED_BATCH == 0:  # a new ``devices.added`` event every thousand devices
            self._batch_uuid = new_uuid()
            self._groups = self.added[self._batch_uuid] = {}
        day, warranty, aue = row.purchase_date, row.warranty_end, row.aue_date
        self.inserts.append((row.asset_tag, row.serial, item, status, home or site, site, row.funding_source or "",
                             row.po_number or "", day and iso_day(day), row.purchase_cost_cents,
                             warranty and iso_day(warranty), aue and iso_day(aue), self._batch_uuid))  # in DEVICE_FIELDS order  # fmt: skip
        key = (item, site, status)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = []
        group.append([row.asset_tag, row.serial])
        detail = self._details.get(key)
        if detail is None:  # one sentence per model and site, shared by their devices
            detail = self._details[key] = f"{self.items[item]} at {self.sites.code[site]}"
        self.changes.append(new_change(("create", "device", row.asset_tag, row.where, detail)))
        return None

    def _update(self, row: DeviceRow, dev: dict, site: int | None, home: int | None, item: int | None) -> None:
        new = {"item": item, "home_site": home, **{n: getattr(row, n) for n in _PLAIN}}
        diff = {k: v for k, v in new.items() if v is not None and v != dev[k]}
        on_loan = dev["status"] == "issued"
        status = row.status
        held = []
        if status is not None and status != dev["status"]:
            if on_loan or status == "issued":
                held.append(f"status {row.status_text!r}")
            else:
                diff["status"] = status
        if site is not None and site != dev["site"]:
            if on_loan:
                held.append(f"site {self.sites.code[site]}")
            else:
                diff["site"] = site
        if held:
            state = "on loan" if on_loan else f"{dev['status']}, not on loan"
            self.conflicts.append(row.rejection(
                f"device {dev['asset_tag']} is {state} in kiosk; the file's {' and '.join(held)} "
                "not applied (loans and returns are recorded at a station)"
            ))  # fmt: skip
        self._alias(row, item or dev["item"])
        if not diff:
            self.changes.append(Change("unchanged", "device", dev["asset_tag"], row.where))
            return
        self.updates.append((dev["id"], diff))
        tag = dev["asset_tag"]
        if "site" in diff:
            self.events.append(("device.moved", {"asset_tag": tag, "from_site": self.sites.code.get(dev["site"]),
                                                 "to_site": self.sites.code[diff["site"]]}))  # fmt: skip
        if "status" in diff:
            self.events.append(("status", {"asset_tag": tag, "details": {"status": diff["status"],
                                                                        "previous": dev["status"],
                                                                        "reason": "import"}}))  # fmt: skip
        self.changes.append(Change("update", "device", tag, row.where, self._describe(dev, diff)))

    def _describe(self, dev: dict, diff: dict) -> str:
        def show(name, value):
            if value is None or value == "":
                return "-"
            if name in ("site", "home_site"):
                return self.sites.code.get(value, "?")
            if name == "item":
                return self.items.get(value, "?")
            return str(value)

        return "; ".join(f"{_LABELS[k]} {show(k, dev.get(k))} -> {show(k, v)}" for k, v in diff.items())

    # -- writing --------------------------------------------------------------

    def write(self, report: ImportReport) -> str:
        """Write the plan in the caller's transaction; return the summary event's uuid."""
        real = {}
        for new in self.new_items.values():
            real[new.id] = CatalogItem.create(name=new.name, category=new.category, manufacturer=new.manufacturer).id
        if self.new_aliases:
            CatalogAlias.insert_many([(text, real.get(i, i)) for text, i in self.new_aliases.items()],
                                     fields=[CatalogAlias.alias, CatalogAlias.item]).execute()  # fmt: skip
        writer = EventWriter(self.options)
        for uuid, groups in self.added.items():
            details = {"groups": [{"model": self.items[item], "site": self.sites.code[site], "status": status,
                                   "devices": devices} for (item, site, status), devices in groups.items()]}  # fmt: skip
            writer.add("devices.added", uuid=uuid, details=details)
        rows = self.inserts
        if real:  # new catalog items: their placeholder ids become the real ones
            rows = [v if v[2] >= 0 else (*v[:2], real[v[2]], *v[3:]) for v in rows]
        insert_rows(Device, DEVICE_FIELDS, rows, self.options, "writing devices")
        for n, (device_id, diff) in enumerate(self.updates, start=1):
            if "item" in diff:
                diff = {**diff, "item": real.get(diff["item"], diff["item"])}
            Device.update(**diff).where(Device.id == device_id).execute()
            if n % 1000 == 0:
                self.options.tick("updating devices", n, len(self.updates))
        for kind, fields in self.events:
            writer.add(kind, **fields)
        return writer.finish(report)

    def report(self, kind: str, files: list[str], extra_rejected: list[Rejection], notes: list[str]) -> ImportReport:
        return ImportReport(
            kind=kind,
            files=tuple(files),
            dry_run=self.options.dry_run,
            changes=tuple(self.changes),
            rejected=tuple(sorted([*extra_rejected, *self.rejected], key=lambda r: (r.file, r.row))),
            conflicts=tuple(self.conflicts),
            needs_review=tuple(self.review),
            notes=(*notes, *self.notes),
        )
