"""The database proxy every model is bound to, and the shared base class."""

from __future__ import annotations

import datetime as dt

from peewee import DatabaseProxy, DateTimeField, Model

database = DatabaseProxy()
"""Bound at start-up by ``kiosk.db.connect`` to SQLite or PostgreSQL."""


def utcnow() -> dt.datetime:
    """Current time in UTC as a naive datetime (the database stores UTC only)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class UTCDateTimeField(DateTimeField):
    """A timestamp stored as naive UTC; aware values are converted on the way in."""

    def db_value(self, value):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        # SQLite hands timestamps back as ISO text: parse it directly (peewee's general path costs five times more)
        if value.__class__ is str:
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                pass
        return super().python_value(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False
