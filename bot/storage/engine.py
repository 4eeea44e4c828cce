"""Engine and session factory, with SQLite made safe for two processes writing at once.

SQLite gets WAL (readers never block the writer), foreign keys, a busy timeout,
``secure_delete`` (deleted content is overwritten with zeros, so an erased message does not
live on in free pages: Debian's SQLite is built with it on, most others are not), and
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
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


#: Execution option marking an engine whose transactions only read.
READ_ONLY = "attune_read_only"


def _begin(connection: Any) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def add_sqlite_pragmas(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    event.listen(engine.sync_engine, "begin", _begin)


#: How often ``truncate_wal`` asks again when readers keep the WAL busy.
CHECKPOINT_TRIES = 3


async def truncate_wal(engine: AsyncEngine) -> bool:
    """Copy the WAL into the database file and truncate it to zero bytes (SQLite only).

    After an erasure the deleted rows' old page images still sit in the WAL until a
    checkpoint, and an ordinary (passive) checkpoint leaves the WAL file's bytes in place;
    ``PRAGMA wal_checkpoint(TRUNCATE)`` waits (busy timeout) for readers, copies every frame
    back and truncates the file (https://sqlite.org/pragma.html#pragma_wal_checkpoint).
    Runs outside any transaction. True when the checkpoint completed; False when readers
    kept it busy every try, or the database is not SQLite (PostgreSQL: see README, VACUUM).
    """
    if engine.dialect.name != "sqlite":
        return False

    def checkpoint(sync_connection: Any) -> bool:
        # The pooled DBAPI connection directly: SQLAlchemy would open a transaction (our
        # "begin" hook issues BEGIN IMMEDIATE), and a checkpoint cannot run inside one.
        cursor = sync_connection.connection.cursor()
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = cursor.fetchone()
        finally:
            cursor.close()
        return row is not None and int(row[0]) == 0

    for _ in range(CHECKPOINT_TRIES):
        async with engine.connect() as connection:
            if await connection.run_sync(checkpoint):
                return True
    return False


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
