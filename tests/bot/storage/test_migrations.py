"""The schema exists only through migrations, and the ORM models match it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import migrate


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return {name for (name,) in rows} - {"alembic_version"}


def test_upgrade_check_and_downgrade(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "attune.db"
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url)  # also creates the missing folder
    assert {"users", "entries", "processed_messages"} <= _tables(path)
    migrate.check(url)  # raises if the models and the migrated schema differ
    migrate.downgrade(url, "base")
    assert _tables(path) == set()
    migrate.upgrade(url)
    assert {"users", "entries", "processed_messages"} <= _tables(path)


def test_sqlite_runs_in_wal_with_indexes(db_url: str) -> None:
    path = db_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM entries WHERE user_id = 1 ORDER BY created_at DESC"
        ).fetchall()
    assert any("ix_entries_user_id_created_at" in str(row) for row in plan)
