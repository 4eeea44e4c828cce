"""The SQL behind /mood and the reminder scheduler: lean column selects over the indexes.

Only what the summary needs leaves the database: the time, the label the user would agree
with (their correction wins) and that label's valence (a corrected entry takes the corrected
label's ``VALENCE``; otherwise the stored fused valence). The repository executes these
statements (nothing outside ``bot.storage`` builds SQL); ``explain_sql`` renders them for
``EXPLAIN QUERY PLAN`` in tests and the bench. Instants are bound and read as UTC by the
``UtcDateTime`` columns themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.dialects import sqlite

from bot.domain import MoodPoints
from bot.storage.models import EntryRow, UserSettingsRow
from emotion.labels import LABELS, VALENCE

#: Label index (in ``LABELS`` order) for each stored label string.
LABEL_INDEX: dict[str, int] = {label.value: i for i, label in enumerate(LABELS)}

EFFECTIVE_LABEL: ColumnElement[str] = func.coalesce(EntryRow.correction, EntryRow.fused_label)
EFFECTIVE_VALENCE: ColumnElement[float] = case(
    {label.value: VALENCE[label] for label in LABELS},
    value=EntryRow.correction,
    else_=EntryRow.valence,
)


def mood_points_query(
    user_id: int, start: datetime | None, end: datetime
) -> Select[datetime, str, float]:
    """Entries of one user in [start, end), oldest first; ``start=None`` means from the first."""
    conditions = [EntryRow.user_id == user_id, EntryRow.created_at < end]
    if start is not None:
        conditions.append(EntryRow.created_at >= start)
    return (
        select(EntryRow.created_at, EFFECTIVE_LABEL, EFFECTIVE_VALENCE)
        .where(*conditions)
        .order_by(EntryRow.created_at)
    )


def first_entry_query(user_id: int) -> Select[datetime]:
    """When the user's history starts (a MIN over the index, no table scan)."""
    return select(func.min(EntryRow.created_at)).where(EntryRow.user_id == user_id)


def due_reminders_query(
    now: datetime, platforms: Iterable[str], limit: int
) -> Select[int, str | None, str | None, str | None, str | None, datetime | None, date | None]:
    """Reminders whose precomputed next instant has come, earliest first."""
    return (
        select(
            UserSettingsRow.user_id,
            UserSettingsRow.timezone,
            UserSettingsRow.remind_at,
            UserSettingsRow.remind_platform,
            UserSettingsRow.remind_chat_id,
            UserSettingsRow.reminder_next_at,
            UserSettingsRow.reminder_last_sent_on,
        )
        .where(
            UserSettingsRow.reminder_next_at <= now,
            UserSettingsRow.remind_platform.in_(sorted(platforms)),
        )
        .order_by(UserSettingsRow.reminder_next_at)
        .limit(limit)
    )


def to_points(rows: Iterable[tuple[datetime, str, float]]) -> MoodPoints:
    """``mood_points_query``'s rows as ``MoodPoints`` (parallel arrays, oldest first)."""
    times: list[float] = []
    labels: list[int] = []
    valence: list[float] = []
    for created_at, label, value in rows:
        times.append(created_at.timestamp())  # aware UTC: a UtcDateTime column
        labels.append(LABEL_INDEX[label])
        valence.append(float(value))
    if not times:
        return MoodPoints.empty()
    return MoodPoints(
        np.asarray(times, dtype=np.float64),
        np.asarray(labels, dtype=np.int64),
        np.asarray(valence, dtype=np.float64),
    )


def explain_sql(statement: Select[*tuple[Any, ...]]) -> str:
    """The statement as literal SQLite SQL, ready to prefix with EXPLAIN QUERY PLAN."""
    return str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
