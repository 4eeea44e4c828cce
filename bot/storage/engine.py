"""Engine and session factory, with SQLite made safe for two processes writing at once,
and PostgreSQL (asyncpg) pooled and pinned to READ COMMITTED.

SQLite gets WAL (readers never block the writer), foreign keys, a busy timeout,
``secure_delete`` (deleted content is overwritten with zeros, so an erased message does not
live on in free pages: Debian's SQLite is built with it on, most others are not), and
``BEGIN IMMEDIATE`` for every writing transaction: taking the write lock up front means a
second writer waits for the busy timeout instead of failing with "database is locked" when a
read transaction tries to upgrade. Sessions made by ``read_session_factory`` only read, so
they begin DEFERRED and never queue behind writers.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)

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


#: How long one checkpoint waits for readers (ms): short, because /forget's answer waits for
#: the first try; later tries run in the background (``retry_checkpoint``).
CHECKPOINT_WAIT_MS = 2_000
#: Background checkpoint tries: waits doubling from the first to the most (s), for at most
#: ``RETRY_FOR_S`` in all; after that the next erasure (or the bot's exit) tries again.
RETRY_FIRST_S = 1.0
RETRY_MOST_S = 60.0
RETRY_FOR_S = 3600.0


def _outside_transaction(sync_connection: Any, sql: str) -> tuple[Any, ...] | None:
    # The pooled DBAPI connection directly: SQLAlchemy would open a transaction (our "begin"
    # hook issues BEGIN IMMEDIATE), and neither VACUUM nor a checkpoint runs inside one.
    cursor = sync_connection.connection.cursor()
    try:
        cursor.execute(sql)
        row = cursor.fetchone()
    finally:
        cursor.close()
    return tuple(row) if row is not None else None


def _truncate_wal(sync_connection: Any) -> bool:
    # A TRUNCATE checkpoint waits for readers through the busy handler: shorter here, then
    # the connection's usual timeout back (it returns to the pool).
    _outside_transaction(sync_connection, f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
    try:
        row = _outside_transaction(sync_connection, "PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        _outside_transaction(sync_connection, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return row is not None and int(row[0]) == 0


async def checkpoint(engine: AsyncEngine) -> bool:
    """One ``PRAGMA wal_checkpoint(TRUNCATE)``: True when the WAL was copied back and cut to
    zero bytes, False when a reader (another process's read transaction) kept it busy for
    ``CHECKPOINT_WAIT_MS`` or SQLite refused (https://sqlite.org/pragma.html#pragma_wal_checkpoint).
    """
    try:
        async with engine.connect() as connection:
            return bool(await connection.run_sync(_truncate_wal))
    except OperationalError as error:
        log.warning("a WAL checkpoint failed (%s)", error.orig)
        return False


async def scrub(engine: AsyncEngine) -> bool:
    """After an erasure, leave no copy of the deleted rows in the SQLite files.

    ``secure_delete`` zeroes deleted cells, but a b-tree page rebuilt while rows were
    deleted can keep old cell bytes in its unallocated gap (measured here: a deleted
    message id left in an index page), and the WAL keeps the old page images. So: ``VACUUM``
    (rebuilds every page from the live rows, https://sqlite.org/lang_vacuum.html; time and
    temporary space grow with the database), then one ``checkpoint``, which waits for readers,
    copies every frame back and truncates the WAL to zero bytes. True when both completed;
    False when VACUUM failed (a full disk: it needs room for a copy), a reader kept the WAL
    busy (then ``retry_checkpoint`` in the background), or the database is not SQLite
    (not called then: PostgreSQL's dead row versions are the server's to vacuum, README).
    """
    if engine.dialect.name != "sqlite":
        return False
    vacuumed = True
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_outside_transaction, "VACUUM")
    except OperationalError as error:
        vacuumed = False
        log.warning("VACUUM after an erasure failed (%s); retried at the next one", error.orig)
    return await checkpoint(engine) and vacuumed


async def retry_checkpoint(engine: AsyncEngine) -> bool:
    """Try ``checkpoint`` again until it succeeds: waits doubling from ``RETRY_FIRST_S`` to
    ``RETRY_MOST_S``, for at most ``RETRY_FOR_S`` (monotonic seconds). True once the WAL was
    truncated; False (and a warning) when readers kept it busy all that time."""
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + RETRY_FOR_S
    wait = RETRY_FIRST_S
    while loop.time() + wait <= give_up_at:
        await asyncio.sleep(wait)
        if await checkpoint(engine):
            log.info("the WAL holding erased rows was truncated after a reader let go")
            return True
        wait = min(wait * 2, RETRY_MOST_S)
    log.warning(
        "a reader kept the WAL busy for %.0f s; erased bytes stay in it until it ends "
        "(tried again at the next erasure and when attune exits)",
        RETRY_FOR_S,
    )
    return False


#: What a PostgreSQL connection calls itself in ``pg_stat_activity`` and the server's logs.
APPLICATION_NAME = "attune"


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``: SQLite with the pragmas above, or a server database.

    A server database (PostgreSQL through asyncpg) gets SQLAlchemy's default queue pool (5
    connections, 10 more on demand), a ping before a pooled connection is reused (a server
    restart or a dropped idle connection costs one retry, not a failed message), READ
    COMMITTED, stated so a server default cannot change it (the repository relies on its
    unique constraints, ``SELECT ... FOR UPDATE`` and compare-and-set updates, not on
    serialised writers), and ``application_name`` so operators can tell attune's sessions
    apart. https://docs.sqlalchemy.org/en/20/dialects/postgresql.html#module-sqlalchemy.dialects.postgresql.asyncpg
    """
    ensure_sqlite_folder(url)
    if is_sqlite(url):
        engine = create_async_engine(url)
        add_sqlite_pragmas(engine)
        return engine
    options: dict[str, Any] = {"pool_pre_ping": True, "isolation_level": "READ COMMITTED"}
    if make_url(url).get_driver_name() == "asyncpg":
        options["connect_args"] = {"server_settings": {"application_name": APPLICATION_NAME}}
    return create_async_engine(url, **options)


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
