"""The schema exists only through migrations, and the ORM models match it, on every backend."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import inspect

from bot.storage import migrate
from bot.storage.engine import create_engine
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)

TABLES = {
    "users",
    "entries",
    "processed_messages",
    "user_settings",
    "inbox",
    "outbox",
    "risk_states",
    "chat_leases",
}


async def _read_tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


def _tables(url: str) -> set[str]:
    return asyncio.run(_read_tables(url))


def test_upgrade_check_and_downgrade(blank_db_url: str) -> None:
    migrate.upgrade(blank_db_url)  # also creates a missing SQLite folder
    assert _tables(blank_db_url) == TABLES
    migrate.check(blank_db_url)  # raises if the models and the migrated schema differ
    migrate.downgrade(blank_db_url, "base")
    assert _tables(blank_db_url) == set()
    migrate.upgrade(blank_db_url)
    assert _tables(blank_db_url) == TABLES
    migrate.check(blank_db_url)


@pytest.mark.backends("sqlite")
def test_sqlite_runs_in_wal_with_indexes(db_url: str) -> None:
    path = db_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM entries WHERE user_id = 1 ORDER BY created_at DESC"
        ).fetchall()
    assert any("ix_entries_user_id_created_at" in str(row) for row in plan)
