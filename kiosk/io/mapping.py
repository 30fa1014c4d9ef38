"""Finding the columns of an imported table by header aliases, and reading a row's fields.

Headers are compared by their letters and digits only, case-insensitively:
``Serial Number``, ``serial_number`` and ``SerialNumber`` are one header. Each
field lists its aliases in priority order; the first alias present wins, so an
export carrying both ``autoUpdateExpiration`` and ``autoUpdateThrough`` uses the
first. ``--map 'Column=field'`` names a column the table does not spell the way
kiosk expects (``--map 'Column='`` ignores a column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kiosk.errors import BadInput
from kiosk.io.readers import DELIMITER_NAMES, Table
from kiosk.io.values import looks_like_formula


@dataclass(frozen=True)
class Field:
    """One thing kiosk reads from a table, and the header spellings that carry it."""

    name: str
    aliases: tuple[str, ...]
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")


class Cells:
    """A row's cells and the table's headers, paired as (header, cell) only when read (reports, CSVs).

    Pairing every row up front would cost more than parsing it; most rows are never shown.
    """

    __slots__ = ("headers", "values")

    def __init__(self, headers: list[str], values: list[str]):
        self.headers, self.values = headers, values

    def __iter__(self):
        headers = self.headers
        for i, value in enumerate(self.values):
            yield (headers[i] if i < len(headers) else f"column {i + 1}", value)

    def __repr__(self) -> str:
        return f"Cells({list(self)!r})"


@dataclass(frozen=True)
class Rejection:
    """One row kiosk will not import, with the reason, and its cells for the rejected-rows CSV."""

    file: str
    row: int
    reason: str
    cells: Cells | tuple[tuple[str, str], ...] = ()

    def line(self) -> str:
        return f"{self.file} row {self.row}: {self.reason}"


class RowError(ValueError):
    """A row that cannot be imported; ``str()`` is the reason."""


def header_key(text: str) -> str:
    """Letters and digits of a header, lower case: how headers are compared."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def parse_map(options: list[str] | None, fields: list[Field]) -> dict[str, str | None]:
    """``--map 'Column=field'`` options as {header key: field name or None to ignore}."""
    known = {f.name for f in fields}
    result: dict[str, str | None] = {}
    for option in options or ():
        column, sep, name = option.rpartition("=")
        if not sep or not column.strip():
            raise BadInput(f"--map {option!r}: write it as 'Column=field', e.g. 'Tag #=asset_tag'.")
        name = name.strip()
        if name in ("", "-"):
            result[header_key(column)] = None
        elif name not in known:
            raise BadInput(
                f"--map {option!r}: {name!r} is not a field here; the fields are {', '.join(sorted(known))}."
            )
        else:
            result[header_key(column)] = name
    return result


@dataclass
class Columns:
    """Which column of one table carries which field."""

    table: Table
    index: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._items = tuple(self.index.items())
        self._width = len(self.table.headers)

    def has(self, name: str) -> bool:
        return name in self.index

    def check(self, cells: list[str]) -> None:
        """Refuse a shifted row (more cells than headers) and a formula in any column a field reads."""
        n = len(cells)
        if n > self._width and any(cells[self._width :]):
            raise RowError(
                f"the row has {n} cells but the header has {self._width} (a value with an unquoted delimiter in it?)"
            )
        for _name, i in self._items:
            value = cells[i] if i < n else ""
            if value and value[0] in "=+-@" and looks_like_formula(value):
                header = self.table.headers[i]
                raise RowError(
                    f"column {header!r} holds a spreadsheet formula ({value[:40]!r}); "
                    "kiosk stores no formulas: replace it with its value"
                )

    def values(self, number: int, cells: list[str]) -> dict[str, str]:
        """This row's text per field (missing cells are empty); refuses formulas and shifted rows."""
        self.check(cells)
        n = len(cells)
        return {name: cells[i] if i < n else "" for name, i in self._items}

    def cells(self, cells: list[str]) -> Cells:
        """The row's cells with their headers, for reports and the rejected-rows CSV."""
        return Cells(self.table.headers, cells)

    def reject(self, number: int, cells: list[str], reason: str) -> Rejection:
        return Rejection(self.table.source, number, reason, self.cells(cells))


def resolve(
    table: Table,
    fields: list[Field],
    *,
    required: tuple[tuple[str, ...], ...] = (),
    overrides: dict[str, str | None] | None = None,
) -> Columns:
    """Match the table's headers to ``fields``; raise BadInput naming a missing or doubled column.

    ``required`` lists groups of field names of which at least one must be present
    (``("asset_tag", "serial")``: either will do).
    """
    keys = [header_key(h) for h in table.headers]
    taken: dict[int, str | None] = {}
    index: dict[str, int] = {}
    by_name = {f.name: f for f in fields}
    for key, name in (overrides or {}).items():
        cols = [i for i, k in enumerate(keys) if k == key]
        if not cols:
            raise BadInput(
                f"--map names a column {key!r} that {table.source} does not have; "
                f"its columns are {', '.join(repr(h) for h in table.headers)}."
            )
        _single(table, cols)
        taken[cols[0]] = name
        if name is not None:
            index[name] = cols[0]
    notes = []
    for f in fields:
        if f.name in index:
            continue
        for alias in f.aliases:
            akey = header_key(alias)
            cols = [i for i, k in enumerate(keys) if k == akey and i not in taken]
            if cols:
                _single(table, cols)
                index[f.name] = cols[0]
                taken[cols[0]] = f.name
                break
    for f in fields:  # after every field has its column: a column another field took is not "unused"
        if f.name in index:
            others = {header_key(a) for a in f.aliases} - {keys[index[f.name]]}
            for i, k in enumerate(keys):
                if k in others and i not in taken:
                    notes.append(
                        f"{table.source}: column {table.headers[i]!r} not used; "
                        f"{table.headers[index[f.name]]!r} gives the {f.title}."
                    )
    for group in required:
        if not any(name in index for name in group):
            raise BadInput(_missing(table, [by_name[n] for n in group]))
    return Columns(table, index, notes)


def _single(table: Table, cols: list[int]) -> None:
    if len(cols) > 1:
        letters = " and ".join(_letter(i) for i in cols)
        raise BadInput(
            f"{table.source} has the header {table.headers[cols[0]]!r} twice (columns {letters}); "
            "kiosk will not guess which one to read. Rename or remove one."
        )


def _letter(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _missing(table: Table, group: list[Field]) -> str:
    if len(table.headers) == 1 and re.search(r"[^\w\s#./()-]", table.headers[0]):
        names = list(DELIMITER_NAMES.values())
        return (
            f"{table.source} reads as a single column ({table.headers[0][:60]!r}): its delimiter is not a "
            f"{', '.join(names[:-1])} or {names[-1]}. Export it again with one of those."
        )
    what = " or ".join(f"{f.title}" for f in group)
    looked = ", ".join(repr(a) for f in group for a in f.aliases[:5])
    return (
        f"{table.source} has no {what} column (looked for {looked}); its columns are "
        f"{', '.join(repr(h) for h in table.headers) or 'none'}. "
        f"Name it with --map 'Your column={group[0].name}'."
    )


def field_names(fields: list[Field]) -> str:
    """The fields as a --help line lists them."""
    return ", ".join(f.name for f in fields)
