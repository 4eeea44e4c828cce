"""Engine and session factory, with SQLite made safe for two processes writing at once.

SQLite gets WAL (readers never block the writer), foreign keys, a busy timeout, and
``BEGIN IMMEDIATE`` for every writing transaction: taking the write lock up front means a
second writer waits for the busy timeout instead of failing with "database is locked" when a
read transaction tries to upgrade. Sessions made by ``read_session_factory`` only read, so
they begin DEFERRED and never queue behind writers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

BUSY_TIMEOUT_MS = 15_000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout can start with no set-up."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let us issue BEGIN ourselves (the driver's implicit BEGIN is DEFERRED).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


#: Execution option marking an engine whose transactions only read.
READ_ONLY = "attune_read_only"


def _begin(connection: Any) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def add_sqlite_pragmas(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin)


def create_engine(url: str) -> AsyncEngine:
    ensure_sqlite_folder(url)
    engine = create_async_engine(url, pool_pre_ping=not is_sqlite(url))
    if is_sqlite(url):
        add_sqlite_pragmas(engine)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def read_session_factory(
    sessions: async_sessionmaker[AsyncSession],
) -> async_sessionmaker[AsyncSession]:
    """Sessions on the same engine whose transactions only read (plain, deferred BEGIN)."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        return sessions
    return async_sessionmaker(bind.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
