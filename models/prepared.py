"""Queries whose SQL is built once: the scan hot path binds new values to SQL it already has.

Peewee builds a query's SQL text by walking its expression tree in Python on
every execution; for the twenty-odd small queries of an issue that walk cost
more than SQLite took to run them. A :class:`Prepared` query is written as an
ordinary peewee query inside a function of its arguments. The first call on a
database kind builds it once with stand-ins for the arguments and keeps the SQL
text and the position of each argument among the parameters; later calls only
put the new values in those positions.

Arguments must be plain values a column holds (text, whole numbers, None):
pass ``person.id``, not ``person``. Text arguments are compared as text and
number arguments as numbers, as the field on the other side of the comparison
converts them. A flag turns any stand-in into True, so a flag argument is
wrapped as ``Value(arg, converter=False)``; an argument that never reaches the
SQL is refused when the query is built. ``None`` binds as NULL, which suits
inserted and updated values; a comparison with NULL is never true, so
``IS NULL`` conditions are written into the query, not passed.
"""

from __future__ import annotations

import datetime as dt
import operator
import threading
from collections.abc import Callable
from typing import Any

from peewee import (
    BooleanField,
    CharField,
    Database,
    DateField,
    Field,
    ForeignKeyAccessor,
    ForeignKeyField,
    IntegerField,
    ModelAlias,
    ModelSelect,
    Query,
    TextField,
    __exception_wrapper__,
)

from models.base import database

_INT_BASE = -(1 << 62) + 7_919
"""Stand-in numbers count down from here: no real id, count or cent amount comes near."""


class _Slot:
    """Stands for argument ``n`` while the query is built: as text or as a number, as the field converts it."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def __str__(self) -> str:
        return f"\x00kiosk-argument-{self.n}\x00"

    def __int__(self) -> int:
        return _INT_BASE - self.n

    __index__ = __int__


def _position(value: Any, count: int) -> int | None:
    """Which argument a built parameter stands for, or None for a constant of the query itself."""
    if isinstance(value, _Slot):  # a comparison whose left side converts nothing (a function, an expression)
        return value.n
    for n in range(count):
        slot = _Slot(n)
        if value == str(slot) or (type(value) is int and value == int(slot)):
            return n
    return None


def _parameters(plan: tuple[tuple[int | None, Any], ...], count: int) -> Callable[[tuple], tuple] | None:
    """How a call's arguments become the statement's parameters: each argument in its places, the query's
    own constants (a LIMIT, say) in theirs; None when the arguments are the parameters as they come."""
    if [n for n, _ in plan] == list(range(count)):
        return None
    constants = tuple(value for n, value in plan if n is None)
    places, k = [], count
    for n, _ in plan:
        places.append(k if n is None else n)
        k += n is None
    pick = operator.itemgetter(*places)
    if len(places) == 1:
        return lambda args: (pick(args + constants),)
    return lambda args: pick(args + constants)


_AS_STORED = (CharField, TextField, IntegerField, ForeignKeyField)
"""Fields whose value comes back from both drivers as Python needs it (text, whole numbers)."""


def _plain(kind: type) -> bool:
    """Whether a database class runs statements as peewee's base class does (a cursor of its connection)."""
    return all(getattr(kind, name) is getattr(Database, name) for name in ("execute_sql", "_execute_cursor", "cursor"))


_PLAIN: dict[type, bool] = {}


def _run(sql: str, params: tuple | list):
    """``database.execute_sql`` without its per-statement bookkeeping (debug logging, query hooks), which the
    hot path's small statements felt; errors still become peewee's (IntegrityError and the rest)."""
    db = database.obj
    plain = _PLAIN.get(type(db))
    if plain is None:
        plain = _PLAIN[type(db)] = _plain(type(db))
    state = db._state
    if not plain or state.closed or db.query_hooks:
        return db.execute_sql(sql, params)
    cursor = state.conn.cursor()
    try:
        cursor.execute(sql, params)
    except Exception:
        with __exception_wrapper__:  # the driver's error as peewee's, as execute_sql raises it
            raise
    return cursor


def _converter(field: Field):
    """The field's ``python_value``, or None where the driver's value is already right (most columns)."""
    if isinstance(field, _AS_STORED) and not isinstance(field, BooleanField):
        return None
    return _date_of(field.python_value) if type(field) is DateField else field.python_value


def _date_of(python_value):
    """A date column's converter: SQLite's ``YYYY-MM-DD`` text read directly (peewee's general path, which
    tries several formats, takes two and a half times as long; a device row has three dates), anything else
    as before."""

    def convert(value):
        if value.__class__ is str and len(value) == 10:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        return python_value(value)

    return convert


def _instances(fields: tuple) -> Callable[[tuple], list]:
    """A function from a whole row to one instance per model, each as peewee's cursor wrapper makes one
    (nothing dirty, no related rows), its columns put in by name in a dict display. Written out once per
    query instead of zipping names and values for each model of each row: a device read with its model and
    sites went from 193,000 to 162,000 instructions (the statement alone takes 102,000)."""
    namespace: dict[str, Any] = {"new": object.__new__}
    lines, made, start = ["def instances(row):"], [], 0
    for m, (kind, names, converts) in enumerate(fields):
        namespace[f"M{m}"] = kind
        convert = dict(converts)
        items = []
        for n, name in enumerate(names):
            at = start + n
            if n in convert:
                namespace[f"c{m}_{n}"] = convert[n]
                items.append(f"{name!r}: None if row[{at}] is None else c{m}_{n}(row[{at}])")
            else:
                items.append(f"{name!r}: row[{at}]")
        start += len(names)
        lines += [f"    i{m} = new(M{m})", f"    i{m}.__data__ = {{{', '.join(items)}}}",
                  f"    i{m}._dirty = set()", f"    i{m}.__rel__ = {{}}"]  # fmt: skip
        made.append(f"i{m}")
    lines.append(f"    return [{', '.join(made)}]")
    exec("\n".join(lines), namespace)  # noqa: S102 -- only the models' own field names, quoted, go in
    return namespace["instances"]


class Prepared:
    """A peewee query as a function of its arguments, its SQL built once per database kind."""

    def __init__(self, build: Callable[..., Query], related: tuple[str, ...] = (), beside: tuple = ()) -> None:
        self.build = build
        self.beside = beside
        """Models the query joins and selects whole after its own (and any related) columns though no foreign
        key leads to them: ``first_each()`` hands back one instance of each, side by side."""
        self.related = related
        """Foreign keys whose rows the query joins and selects whole, after the model's own columns, in this
        order (an outer join, or an alias when two keys point at one table, will do): ``first()`` and ``all()``
        fill them in, so reading them costs no second query, and a site or catalog item read so serves the
        rest of the transaction (``SHARED_MODELS``)."""
        self._compiled: dict[tuple[type, int], tuple[Query, str, Callable[[tuple], tuple] | None]] = {}
        """Per database kind and argument count: the query, its SQL, and how the arguments become its
        parameters (None: the arguments are the parameters, in order)."""
        self._fields: tuple | None = None
        """Per model (the query's, then each related one): the model, its column names, and (position,
        python_value) of the columns the driver's value needs converting, when the query selects whole rows."""
        self._maker: Callable[[tuple], list] | None = None
        """Made from ``_fields``: one clean instance per model from a whole row (``_instances``)."""

    def _compile(self, count: int) -> tuple[Query, str, Callable[[tuple], tuple] | None]:
        key = (type(database.obj), count)
        found = self._compiled.get(key)
        if found is None:
            query = self.build(*(_Slot(n) for n in range(count)))
            sql, params = query.sql()
            plan = tuple((_position(p, count), p) for p in params)
            used = {n for n, _ in plan if n is not None}
            if used != set(range(count)):
                raise TypeError(f"prepared query {self.build.__qualname__}: arguments {sorted(set(range(count)) - used)} "
                                "never reach the SQL (a field that does not convert them to text or a number?)")  # fmt: skip
            found = self._compiled[key] = (query, sql, _parameters(plan, count))
            if isinstance(query, ModelSelect):
                models = [query.model, *(getattr(query.model, name).rel_model for name in self.related),
                          *self.beside]  # fmt: skip
                selected = [(f.name, f.model.model if isinstance(f.model, ModelAlias) else f.model)
                            for f in query._returning or ()]  # fmt: skip
                if selected == [(f.name, m) for m in models for f in m._meta.sorted_fields]:
                    self._fields = tuple(
                        (m, tuple(f.name for f in m._meta.sorted_fields),
                         tuple((n, _converter(f)) for n, f in enumerate(m._meta.sorted_fields) if _converter(f)))
                        for m in models
                    )  # fmt: skip
                    self._maker = _instances(self._fields)
                elif self.related or self.beside:
                    raise TypeError(f"prepared query {self.build.__qualname__}: select the model, then "
                                    f"{', '.join([*self.related, *(m.__name__ for m in self.beside)])}, whole")  # fmt: skip
        return found

    def _instance(self, row: tuple):
        """A model instance from a whole row, as peewee's cursor wrapper makes one (nothing dirty), with the
        related rows that follow its columns already in place."""
        return self._made(row)[0]

    def _made(self, row: tuple) -> list:
        """One instance per model selected whole, the first with its related rows in place."""
        made = self._maker(row)
        main = made[0]
        shared = None
        for name, rel in zip(self.related, made[1 : 1 + len(self.related)], strict=True):
            key = main.__data__[name]
            if key is None:  # an outer join found nothing to point at: the key reads as None anyway
                continue
            main.__rel__[name] = rel
            if type(rel) in SHARED_MODELS:
                shared = _shared_rows() if shared is None else shared
                if shared is not None:
                    rel = shared.setdefault((type(rel), key), rel)
                    main.__rel__[name] = rel
        return made

    def _bind(self, args: tuple) -> tuple[Query, str, tuple]:
        query, sql, parameters = self._compile(len(args))
        return query, sql, args if parameters is None else parameters(args)

    def first(self, *args):
        """The first row as a model instance (of the query's model), or None."""
        query, sql, params = self._bind(args)
        if self._fields is not None:
            cursor = _run(sql, params)
            row = cursor.fetchone()
            cursor.close()
            return None if row is None else self._instance(row)
        return next(iter(query.model.raw(sql, *params)), None)

    def first_each(self, *args) -> tuple | None:
        """The first row as one instance of the query's model and one of each ``beside`` model (None where an
        outer join found nothing: its primary key is NULL), or None when there is no row."""
        _, sql, params = self._bind(args)
        cursor = _run(sql, params)
        row = cursor.fetchone()
        cursor.close()
        if row is None:
            return None
        made = self._made(row)
        tail = made[1 + len(self.related) :]
        return (made[0], *(m if m.__data__.get(m._meta.primary_key.name) is not None else None for m in tail))

    def all(self, *args) -> list:
        """Every row as a model instance."""
        query, sql, params = self._bind(args)
        if self._fields is not None:
            return [self._instance(row) for row in _run(sql, params).fetchall()]
        return list(query.model.raw(sql, *params))

    def tuples(self, *args) -> list[tuple]:
        """Every row as a tuple of the selected columns."""
        _, sql, params = self._bind(args)
        return _run(sql, params).fetchall()

    def scalar(self, *args):
        """The first column of the first row, or None."""
        cursor = _run(*self._bind(args)[1:])
        row = cursor.fetchone()
        cursor.close()
        return row[0] if row else None

    def insert(self, *args) -> int:
        """Run an INSERT; the new row's id (RETURNING where peewee asks for it, else the cursor's rowid)."""
        _, sql, params = self._bind(args)
        cursor = _run(sql, params)
        return cursor.fetchone()[0] if " RETURNING " in sql else cursor.lastrowid

    def execute(self, *args) -> int:
        """Run an INSERT, UPDATE or DELETE; the number of rows it touched."""
        return _run(*self._bind(args)[1:]).rowcount


_shared = threading.local()
"""Per thread (each station's worker has its own connection and transaction): the outermost transaction
and the reference rows read in it, by (model, id)."""
SHARED_MODELS: set = set()
"""Models whose rows one transaction reads once however many foreign keys point at them (sites, catalog
items: an issue reached the student's school three times). Filled by ``models``."""


def _shared_rows() -> dict | None:
    """The reference rows of the transaction this thread is in; None outside a transaction."""
    transactions = database.obj._state.transactions
    if not transactions:
        return None
    if getattr(_shared, "owner", None) is not transactions[0]:  # a new transaction remembers nothing
        _shared.owner, _shared.rows = transactions[0], {}
    return _shared.rows


class _LazyForeignKey(ForeignKeyAccessor):
    """``device.item`` and the like: the first read loads the row through a prepared query by primary key."""

    def __init__(self, model, field, name) -> None:
        super().__init__(model, field, name)
        rel_model, rel_field = field.rel_model, field.rel_field
        self._load = Prepared(lambda key: rel_model.select().where(rel_field == key))

    def __get__(self, instance, instance_type=None):
        if instance is not None:
            found = instance.__rel__.get(self.name)  # the row already there: what peewee would hand back
            return found if found is not None else self.get_rel_instance(instance)
        return self.field

    def get_rel_instance(self, instance):
        value = instance.__data__.get(self.name)
        if value is not None and self.name not in instance.__rel__ and self.field.lazy_load:
            shared = _shared_rows() if self.rel_model in SHARED_MODELS else None
            obj = shared.get((self.rel_model, value)) if shared is not None else None
            if obj is None:
                obj = self._load.first(value)
                if obj is None:
                    raise self.rel_model.DoesNotExist(f"{self.rel_model.__name__} {value} does not exist")
                if shared is not None:
                    shared[(self.rel_model, value)] = obj
            instance.__rel__[self.name] = obj
            return obj
        return super().get_rel_instance(instance)


def prepare_foreign_keys(models) -> None:
    """Give every foreign key of ``models`` the prepared lazy load (called once, when the models are defined)."""
    for model in models:
        for field in model._meta.refs:
            setattr(model, field.name, _LazyForeignKey(model, field, field.name))
