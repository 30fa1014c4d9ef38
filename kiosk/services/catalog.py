"""The device catalog: one canonical name per model, every other spelling kept as an alias.

``kiosk catalog list | duplicates | merge | alias``. Duplicates are clusters of
items whose names (and aliases) are near-identical by difflib, with a score;
names that differ in a number ("G8" / "G9", "Gen 3" / "Gen 4") are different
models and are never clustered. Merging moves the devices and aliases of one
item onto another and keeps the merged name as an alias. Catalog changes are
admin work: an actor, when given, must be an admin.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

from peewee import fn

from kiosk import ledger
from kiosk.db import atomic, unavailable_as_error
from kiosk.dto import Actor
from kiosk.errors import BadInput, DomainError, UnknownCode
from kiosk.services.catalog_names import alias_key, alias_text, compact_key, numbers, similarity
from kiosk.services.common import authorize
from models import CatalogAlias, CatalogItem, Device

DUPLICATE_THRESHOLD = 0.75


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    category: str
    manufacturer: str
    devices: int
    aliases: tuple[str, ...]

    def as_json(self) -> dict:
        return {**asdict(self), "aliases": list(self.aliases)}


@dataclass(frozen=True)
class DuplicateCluster:
    """Items that look like one model. ``score`` is the weakest member's best likeness to another."""

    score: float
    items: tuple[CatalogEntry, ...]
    pairs: tuple[tuple[str, str, float], ...]
    suggested: str
    """The item with the most devices: the natural target of ``kiosk catalog merge``."""

    def as_json(self) -> dict:
        return {
            "score": round(self.score, 3),
            "items": [{"name": i.name, "devices": i.devices} for i in self.items],
            "pairs": [[a, b, round(s, 3)] for a, b, s in self.pairs],
            "suggested": self.suggested,
        }


@dataclass(frozen=True)
class MergeResult:
    source: str
    target: str
    devices: int
    aliases: int


@dataclass(frozen=True)
class AliasResult:
    alias: str
    item: str
    created: bool


class Resolver:
    """Spellings to catalog item ids, from every name and alias loaded once (no query per row)."""

    def __init__(self, items: list[tuple[int, str]], aliases: list[tuple[str, int]]):
        self.by_key: dict[str, int] = {}
        self.by_compact: dict[str, set[int]] = defaultdict(set)
        self.texts: set[str] = set()
        self.names: dict[int, str] = {}
        for item_id, name in items:
            self.add_name(item_id, name)
        for text, item_id in aliases:
            self.add_alias(text, item_id)

    @classmethod
    def load(cls) -> Resolver:
        items = list(CatalogItem.select(CatalogItem.id, CatalogItem.name).order_by(CatalogItem.id).tuples())
        aliases = list(CatalogAlias.select(CatalogAlias.alias, CatalogAlias.item).order_by(CatalogAlias.id).tuples())
        return cls(items, aliases)

    def add_name(self, item_id: int, name: str) -> None:
        self.names[item_id] = name
        self.by_key[alias_key(name)] = item_id  # a name outranks an alias with the same key
        self.by_compact[compact_key(name)].add(item_id)
        self.texts.add(alias_text(name))

    def add_alias(self, text: str, item_id: int) -> None:
        self.by_key.setdefault(alias_key(text), item_id)
        self.by_compact[compact_key(text)].add(item_id)
        self.texts.add(alias_text(text))

    def resolve(self, spelling: str, manufacturer: str | None = None) -> int | None:
        """The item a spelling means: by key, with the manufacturer in front, then letters and digits only."""
        tries = [spelling] + ([f"{manufacturer} {spelling}"] if manufacturer else [])
        for text in tries:
            found = self.by_key.get(alias_key(text))
            if found is not None:
                return found
        for text in tries:
            ids = self.by_compact.get(compact_key(text), set())
            if len(ids) == 1:
                return next(iter(ids))
        return None

    def is_new_spelling(self, spelling: str) -> bool:
        """True when this spelling is neither a name nor a stored alias yet (so importing it adds an alias)."""
        return alias_text(spelling) not in self.texts


def _authorize(actor: Actor | None) -> None:
    if actor is not None:
        authorize(actor, "catalog.edit")


def find_item(text: str) -> CatalogItem:
    """The catalog item a name or alias means; UnknownCode when none does."""
    item = CatalogItem.get_or_none(CatalogItem.name == text)
    if item is None:
        found = Resolver.load().resolve(text)
        item = CatalogItem.get_by_id(found) if found is not None else None
    if item is None:
        raise UnknownCode(f"No catalog item is named or spelled {text!r}; see `kiosk catalog list`.")
    return item


def list_items() -> tuple[CatalogEntry, ...]:
    """Every catalog item with its aliases and how many devices it names, by name."""
    with unavailable_as_error():
        counts = dict(Device.select(Device.item, fn.COUNT(Device.id)).group_by(Device.item).tuples())
        aliases: dict[int, list[str]] = defaultdict(list)
        for text, item_id in (
            CatalogAlias.select(CatalogAlias.alias, CatalogAlias.item).order_by(CatalogAlias.alias).tuples()
        ):
            aliases[item_id].append(text)
        return tuple(
            CatalogEntry(i.name, i.category, i.manufacturer, int(counts.get(i.id, 0)), tuple(aliases[i.id]))
            for i in CatalogItem.select().order_by(CatalogItem.name)
        )


def duplicates(threshold: float = DUPLICATE_THRESHOLD) -> tuple[DuplicateCluster, ...]:
    """Clusters of items whose spellings are at least ``threshold`` alike, best clusters first."""
    entries = list_items()
    spellings = [(e.name, *e.aliases) for e in entries]
    nums = [numbers(e.name) for e in entries]
    best: dict[int, float] = Counter()
    edges = []
    for i in range(len(entries)):
        for j in range(i + 1, len(entries)):
            if nums[i] != nums[j]:
                continue
            score = max(similarity(a, b) for a in spellings[i] for b in spellings[j])
            if score >= threshold:
                edges.append((i, j, score))
                best[i], best[j] = max(best[i], score), max(best[j], score)
    parent = list(range(len(entries)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, j, _ in edges:
        parent[root(j)] = root(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for k in best:
        groups[root(k)].append(k)
    clusters = []
    for members in groups.values():
        members.sort(key=lambda k: entries[k].name)
        inside = set(members)
        pairs = tuple((entries[i].name, entries[j].name, s) for i, j, s in edges if i in inside)
        top = max(members, key=lambda k: (entries[k].devices, -k))
        clusters.append(DuplicateCluster(min(best[k] for k in members), tuple(entries[k] for k in members), pairs,
                                         entries[top].name))  # fmt: skip
    return tuple(sorted(clusters, key=lambda c: (-c.score, c.suggested)))


def merge(source: str, target: str, *, station: str, actor: Actor | None = None) -> MergeResult:
    """Move every device and alias of ``source`` onto ``target``, keep its name as an alias, delete it."""
    with unavailable_as_error(), atomic():
        _authorize(actor)
        src, dst = find_item(source), find_item(target)
        if src.id == dst.id:
            raise BadInput(f"{source!r} and {target!r} are already one catalog item ({dst.name}).")
        devices = Device.update(item=dst).where(Device.item == src).execute()
        moved = CatalogAlias.update(item=dst).where(CatalogAlias.item == src).execute()
        text = alias_text(src.name)
        if not CatalogAlias.select().where(CatalogAlias.alias == text).exists():
            CatalogAlias.create(alias=text, item=dst)
        src.delete_instance()
        ledger.record(
            "catalog.merged",
            station=station,
            operator=actor.badge if actor else None,
            details={"from": src.name, "into": dst.name, "devices": devices, "aliases": moved},
        )
        return MergeResult(src.name, dst.name, devices, moved)


def add_alias(spelling: str, item: str, *, station: str, actor: Actor | None = None) -> AliasResult:
    """Record ``spelling`` as another name of ``item``; refuse a spelling that already means another item."""
    text = alias_text(spelling)
    if not text:
        raise BadInput("An alias needs some letters or digits.")
    with unavailable_as_error(), atomic():
        _authorize(actor)
        target = find_item(item)
        resolver = Resolver.load()
        other = resolver.by_key.get(alias_key(spelling))
        if other is not None and other != target.id:
            raise DomainError(
                f"{spelling!r} already means {resolver.names[other]!r}; merge the two items instead "
                f"(kiosk catalog merge {resolver.names[other]!r} {target.name!r})."
            )
        if CatalogAlias.select().where(CatalogAlias.alias == text).exists() or text == alias_text(target.name):
            return AliasResult(text, target.name, False)
        CatalogAlias.create(alias=text, item=target)
        ledger.record(
            "catalog.alias",
            station=station,
            operator=actor.badge if actor else None,
            details={"alias": text, "item": target.name},
        )
        return AliasResult(text, target.name, True)
