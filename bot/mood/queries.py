"""The SQL behind /mood: lean column selects over ``ix_entries_user_id_created_at``.

Only what the summary needs leaves the database: the time, the label the user would agree
with (their correction wins) and that label's valence (a corrected entry takes the corrected
label's ``VALENCE``; otherwise the stored fused valence). The repository executes these
statements; ``explain_sql`` renders them for ``EXPLAIN QUERY PLAN`` in tests and the bench.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.dialects import sqlite

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


@dataclass(frozen=True, slots=True, eq=False)
class MoodPoints:
    """One row per entry, oldest first, as parallel numpy arrays (cheap to aggregate)."""

    times: npt.NDArray[np.float64]  # POSIX seconds, UTC
    labels: npt.NDArray[np.int64]  # index into LABELS
    valence: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @classmethod
    def empty(cls) -> MoodPoints:
        return cls(np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0))


def mood_points_query(
    user_id: int, start: datetime | None, end: datetime
) -> Select[datetime, str, float]:
    """Entries of one user in [start, end), oldest first; ``start=None`` means from the first."""
    conditions = [EntryRow.user_id == user_id, EntryRow.created_at < _utc(end)]
    if start is not None:
        conditions.append(EntryRow.created_at >= _utc(start))
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
            UserSettingsRow.reminder_next_at <= _utc(now),
            UserSettingsRow.remind_platform.in_(sorted(platforms)),
        )
        .order_by(UserSettingsRow.reminder_next_at)
        .limit(limit)
    )


def to_points(rows: Iterable[tuple[datetime, str, float]]) -> MoodPoints:
    times: list[float] = []
    labels: list[int] = []
    valence: list[float] = []
    for created_at, label, value in rows:
        times.append(utc(created_at).timestamp())
        labels.append(LABEL_INDEX[label])
        valence.append(float(value))
    if not times:
        return MoodPoints.empty()
    return MoodPoints(
        np.asarray(times, dtype=np.float64),
        np.asarray(labels, dtype=np.int64),
        np.asarray(valence, dtype=np.float64),
    )


def utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _utc(value: datetime) -> datetime:
    """Bind UTC only: SQLite stores the wall time and drops the zone."""
    return value.astimezone(UTC)


def explain_sql(statement: Select[*tuple[Any, ...]]) -> str:
    """The statement as literal SQLite SQL, ready to prefix with EXPLAIN QUERY PLAN."""
    return str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
