"""The mood queries on SQLite and PostgreSQL: corrections count, users stay apart, and on
SQLite the index is used."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import Platform, UserRecord, UserRef
from bot.storage.queries import (
    due_reminders_query,
    explain_sql,
    first_entry_query,
    mood_points_query,
)
from bot.storage.repository import Repository
from emotion.labels import LABELS, Emotion
from tests.backends import BACKENDS
from tests.bot.mood.conftest import AddEntry

pytestmark = pytest.mark.backends(*BACKENDS)

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)


async def test_points_use_the_corrected_label_and_its_valence(
    repository: Repository, user: UserRecord, add_entry: AddEntry
) -> None:
    await add_entry(user, T0, Emotion.HAPPY, valence=0.55)
    await add_entry(
        user, T0 + timedelta(hours=1), Emotion.HAPPY, valence=0.55, correction=Emotion.SAD
    )
    await add_entry(user, T0 + timedelta(days=3), Emotion.FEAR)  # outside [T0, T0+2d)
    pts = await repository.mood_points(user.id, T0, T0 + timedelta(days=2))
    assert [LABELS[i] for i in pts.labels] == [Emotion.HAPPY, Emotion.SAD]
    assert pts.valence.tolist() == [0.55, -0.8]
    assert pts.times.tolist() == [T0.timestamp(), (T0 + timedelta(hours=1)).timestamp()]
    assert await repository.first_entry_at(user.id) == T0


async def test_other_users_data_never_appears(
    repository: Repository, user: UserRecord, add_entry: AddEntry
) -> None:
    bob = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "bob"))
    await add_entry(bob, T0, Emotion.ANGRY)
    assert len(await repository.mood_points(user.id, None, T0 + timedelta(days=1))) == 0
    assert await repository.first_entry_at(user.id) is None


def _plan(db_url: str, sql: str) -> str:
    with sqlite3.connect(db_url.split("///", 1)[1]) as conn:
        return " | ".join(str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql))


# SQLite's plans: PostgreSQL's planner picks a sequential scan on a table this small.
@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    "statement",
    [
        mood_points_query(1, T0, T0 + timedelta(days=30)),
        mood_points_query(1, None, T0),
        first_entry_query(1),
    ],
)
def test_mood_queries_use_the_user_time_index(db_url: str, statement: object) -> None:
    plan = _plan(db_url, explain_sql(statement))  # type: ignore[arg-type]
    assert "ix_entries_user_id_created_at" in plan
    assert "TEMP B-TREE" not in plan  # no sort step: the index gives the order


@pytest.mark.backends("sqlite")
def test_due_reminders_use_their_index(db_url: str) -> None:
    plan = _plan(db_url, explain_sql(due_reminders_query(T0, ["telegram", "console"], 100)))
    assert "ix_user_settings_reminder_next_at" in plan
