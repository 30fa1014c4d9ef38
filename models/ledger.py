"""The append-only ledger."""

from __future__ import annotations

from peewee import SQL, BigAutoField, CharField, IntegerField, TextField

from models.base import BaseModel, UTCDateTimeField


class Event(BaseModel):
    """One state change or one refused scan.

    Events reference devices, people and sites by their printed codes, not by
    row ids, so that a station's events keep their meaning when they are
    carried into another database. ``hash`` chains each event to the previous
    event of the same station.
    """

    id = BigAutoField()
    uuid = CharField(unique=True)
    station = CharField()
    seq = IntegerField()
    at = UTCDateTimeField(index=True)
    operator = CharField(null=True)
    kind = CharField(index=True)
    asset_tag = CharField(null=True, index=True)
    """On SQLite the index is ``event_history`` (migration 0011): the tag, then the columns a device's history
    shows, so a card reads its lines from the index alone."""
    person = CharField(null=True, index=True)
    from_site = CharField(null=True)
    to_site = CharField(null=True)
    details = TextField(default="{}")
    idem_key = CharField(null=True)
    """Unique where given (a partial index: imported and bulk events have none)."""
    prev_hash = CharField()
    hash = CharField()

    class Meta:
        indexes = ((("station", "seq"), True),)


Event.add_index(Event.index(Event.idem_key, unique=True, name="event_idem_key").where(SQL("idem_key IS NOT NULL")))
