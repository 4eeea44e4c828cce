"""Column types of our own: every stored instant is UTC, on every backend.

SQLite keeps a ``DATETIME`` as text without an offset: it drops the zone of what it is given
(storing the wall time) and gives back naive values. PostgreSQL's ``timestamptz`` keeps the
instant but gives it back in the session's zone. ``UtcDateTime`` makes both behave alike, in
one place (SQLAlchemy's ``TypeDecorator`` extension point): values go in as UTC and come back
as zone-aware UTC, in inserts, updates, comparisons and result rows alike. The schema is that
of ``DateTime(timezone=True)``: the decorator changes no DDL, so no migration follows from it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def as_utc(value: datetime) -> datetime:
    """``value`` as a zone-aware UTC instant; a naive value is read as UTC already (what
    SQLite gives back, and the only thing attune ever stores)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC and reads zone-aware UTC (see module)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value) if value is not None else None
