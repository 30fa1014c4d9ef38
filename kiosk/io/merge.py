"""Merging the device rows of several inventory files: one record per device, contradictions listed.

Rows are the same device when they share an asset tag or a serial number. Rows
of one device fill each other's gaps (the tag from one file, the AUE date from
another). Rows that disagree are never settled by a guess: one serial under
two tags, one tag on two serials, or two different values of one field (two
sites, two models) reject every row of that device, each with a reason that
names the files and rows involved.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from collections.abc import Callable

from kiosk.io.devices import MERGED_FIELDS, DeviceRow
from kiosk.io.mapping import Rejection


def _where(row: DeviceRow) -> str:
    return f"{row.file} row {row.row}"


def merge(rows: list[DeviceRow], model_key: Callable[[str], str]) -> tuple[list[DeviceRow], list[Rejection]]:
    """One DeviceRow per device, in first-seen order, and the rows rejected as contradictions."""
    tag_list = [r.asset_tag for r in rows if r.asset_tag]
    serial_list = [r.serial for r in rows if r.serial]
    if len(set(tag_list)) == len(tag_list) and len(set(serial_list)) == len(serial_list):
        return list(rows), []  # one file of distinct devices, the usual case: nothing to merge
    tags, serials = Counter(tag_list), Counter(serial_list)
    # Most rows name a device no other row names; only the rest go through union-find.
    shared = [i for i, r in enumerate(rows) if tags[r.asset_tag] > 1 or serials[r.serial] > 1]
    parent = {i: i for i in shared}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i in shared:
        row = rows[i]
        for key in (("t", row.asset_tag), ("s", row.serial)):
            if key[1]:
                j = first.setdefault(key, i)
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[DeviceRow]] = defaultdict(list)
    for i in shared:
        groups[root(i)].append(rows[i])
    merged, rejected = [], []
    for i, row in enumerate(rows):
        group = groups.get(i) if i in parent else [row]
        if group is None:  # a later row of a group already handled at its first row
            continue
        if len(group) == 1:
            merged.append(row)  # one source: ``where`` names its file and row
            continue
        reasons = _key_contradictions(group) or _field_contradictions(group, model_key)
        if reasons:
            reason = "; ".join(reasons)
            rejected.extend(r.rejection(f"contradiction: {reason}") for r in group)
            continue
        merged.append(_combine(group))
    return merged, rejected


def _key_contradictions(group: list[DeviceRow]) -> list[str]:
    reasons = []
    for key, other, name, other_name in (("serial", "asset_tag", "serial", "tags"), ("asset_tag", "serial", "tag",
                                                                                    "serials")):  # fmt: skip
        seen: dict[str, dict[str, DeviceRow]] = defaultdict(dict)
        for row in group:
            if getattr(row, key) and getattr(row, other):
                seen[getattr(row, key)].setdefault(getattr(row, other), row)
        for value, partners in seen.items():
            if len(partners) > 1:
                listed = " and ".join(f"{p} ({_where(r)})" for p, r in partners.items())
                reasons.append(f"{name} {value} appears with {other_name} {listed}")
    return reasons


def _compare(name: str, value, model_key: Callable[[str], str]):
    if name == "model":
        return model_key(value)
    if isinstance(value, str):
        return " ".join(value.lower().split())
    return value


def _field_contradictions(group: list[DeviceRow], model_key: Callable[[str], str]) -> list[str]:
    reasons = []
    ident = next((r.asset_tag for r in group if r.asset_tag), None) or next(r.serial for r in group if r.serial)
    for name in MERGED_FIELDS:
        seen: dict[object, DeviceRow] = {}
        for row in group:
            value = getattr(row, name)
            if value is not None:
                seen.setdefault(_compare(name, value, model_key), row)
        if len(seen) > 1:
            listed = " but ".join(f"{getattr(r, name)!s} ({_where(r)})" for r in seen.values())
            reasons.append(f"device {ident} has {name.replace('_', ' ')} {listed}")
    return reasons


def _combine(group: list[DeviceRow]) -> DeviceRow:
    row = copy.copy(group[0])
    row.sources = [(r.file, r.row) for r in group]
    for other in group[1:]:
        for name in ("asset_tag", "serial", "status_text", *MERGED_FIELDS):
            if getattr(row, name) is None and getattr(other, name) is not None:
                setattr(row, name, getattr(other, name))
    return row
