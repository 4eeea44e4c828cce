"""The database servers the storage and core tests run against: SQLite always, PostgreSQL when
one answers.

The PostgreSQL server is the one the development and CI machines start before work begins
(127.0.0.1:5432, trust auth); ``ATTUNE_TEST_POSTGRES_URL`` names another (a plain
``postgresql://user@host:port/maintenance_db`` URL for asyncpg, as a user that may create
databases and roles).

Every test gets a schema of its own, dropped afterwards, in one database the session creates
(``attune_test_<random hex>``) and drops: a login role and a schema of the same name, which
PostgreSQL's default ``search_path`` (``"$user", public``) makes that role's only schema, so
the test's URL (``postgresql+asyncpg://<role>@host/<database>``) is all the code under test
needs. The schema is built by the Alembic migrations' own SQL (offline mode, rendered once a
session), ahead of the test, in a worker thread (``SchemaPool``): building and dropping one
took 0.2-0.35 s here, a database per test (``CREATE DATABASE``, even copied from a migrated
template, and ``DROP DATABASE``) 0.5-2.5 s. The migrations test itself gets a whole empty
database (``create_database``) and runs Alembic online.
"""

from __future__ import annotations

import asyncio
import io
import os
import secrets
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import URL, make_url

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
BACKENDS = (SQLITE, POSTGRESQL)

#: Where the development and CI machines run PostgreSQL; users tried in this order.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5432
DEFAULT_USERS = ("postgres", "root")
CONNECT_TIMEOUT_S = 3.0
URL_VARIABLE = "ATTUNE_TEST_POSTGRES_URL"
#: The fixtures' own DDL does not wait for the WAL flush: a throwaway schema needs no crash
#: durability. The tests' own transactions keep the server's setting.
NO_FLUSH = "SET synchronous_commit = off"


@dataclass(frozen=True, slots=True)
class Server:
    """A PostgreSQL server that answered: its maintenance-database URL and version string."""

    url: URL
    version: str

    def database_url(self, name: str) -> str:
        """The async SQLAlchemy URL of database ``name`` on this server (what attune is given)."""
        url = self.url.set(drivername="postgresql+asyncpg", database=name)
        return url.render_as_string(hide_password=False)


def _candidates() -> list[URL]:
    given = os.environ.get(URL_VARIABLE)
    if given:
        return [make_url(given)]
    return [
        URL.create(
            "postgresql", username=user, host=DEFAULT_HOST, port=DEFAULT_PORT, database="postgres"
        )
        for user in DEFAULT_USERS
    ]


def _dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def where(url: URL) -> str:
    return f"{url.host or 'localhost'}:{url.port or DEFAULT_PORT}"


async def _probe(url: URL) -> str:
    import asyncpg

    connection = await asyncpg.connect(_dsn(url), timeout=CONNECT_TIMEOUT_S)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def find_server() -> Server | str:
    """The first candidate server that accepts a connection, or why none did (one line:
    ``PostgreSQL not reachable at HOST:PORT: <error>``)."""
    candidates = _candidates()
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return (
            f"PostgreSQL not reachable at {where(candidates[0])}: asyncpg is not installed "
            "(pip install '.[postgres]')"
        )
    errors: list[str] = []
    for url in candidates:
        try:
            return Server(url, asyncio.run(_probe(url)))
        except Exception as error:  # refused, timed out, unknown role...: a reason to skip
            errors.append(f"{url.username}: {type(error).__name__}: {error}".strip())
    return f"PostgreSQL not reachable at {where(candidates[0])}: " + "; ".join(errors)


def new_database_name() -> str:
    return f"attune_test_{secrets.token_hex(6)}"


def migration_sql(server: Server) -> str:
    """The Alembic migrations to head as PostgreSQL SQL (``alembic upgrade head --sql``)."""
    from alembic import command

    from bot.storage.migrate import alembic_config

    config = alembic_config(server.database_url("unused"))
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    return config.output_buffer.getvalue()


async def _connect(server: Server, database: str, user: str | None = None) -> Any:
    import asyncpg

    url = server.url.set(database=database)
    if user is not None:
        url = url.set(username=user, password=None)
    return await asyncpg.connect(_dsn(url), timeout=CONNECT_TIMEOUT_S)


async def _create_schema(server: Server, database: str, name: str, sql: str) -> None:
    admin = await _connect(server, database)
    try:
        await admin.execute(
            f'{NO_FLUSH}; CREATE ROLE "{name}" LOGIN; CREATE SCHEMA "{name}" AUTHORIZATION "{name}"'
        )
    finally:
        await admin.close()
    owner = await _connect(server, database, user=name)  # so it owns what the SQL creates
    try:
        await owner.execute(f"{NO_FLUSH}; {sql}")
    finally:
        await owner.close()


def create_schema(server: Server, database: str, sql: str) -> str:
    """A new role and its schema in ``database``, built by ``sql`` (``migration_sql``) run
    as that role; returns the async SQLAlchemy URL that connects as it."""
    name = new_database_name()
    asyncio.run(_create_schema(server, database, name, sql))
    url = server.url.set(
        drivername="postgresql+asyncpg", username=name, password=None, database=database
    )
    return url.render_as_string(hide_password=False)


async def _drop_schema(server: Server, database: str, name: str) -> None:
    admin = await _connect(server, database)
    try:
        # Connections a test left open would keep the role; end them first.
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", name
        )
        await admin.execute(
            f'{NO_FLUSH}; DROP SCHEMA IF EXISTS "{name}" CASCADE; DROP ROLE IF EXISTS "{name}"'
        )
    finally:
        await admin.close()


def drop_schema(server: Server, database: str, url: str) -> None:
    """Drop the schema and role ``create_schema`` made for ``url``."""
    name = make_url(url).username
    assert name is not None and name.startswith("attune_test_"), url
    asyncio.run(_drop_schema(server, database, name))


class SchemaPool:
    """Test schemas built ahead and dropped after use in one worker thread, so a test waits
    for neither: building and dropping one took about as long as a short test here.

    ``take`` hands out a schema's URL (``create_schema``) and queues the next; ``give_back``
    queues its drop; ``close`` drops the ones built ahead and raises the first error any
    background build or drop met (a leftover role would otherwise go unnoticed).
    """

    AHEAD = 2

    def __init__(self, server: Server, database: str, sql: str) -> None:
        self._server, self._database, self._sql = server, database, sql
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-schemas")
        self._ahead: deque[Future[str]] = deque()
        self._drops: list[Future[None]] = []

    def _build_next(self) -> None:
        self._ahead.append(
            self._worker.submit(create_schema, self._server, self._database, self._sql)
        )

    def take(self) -> str:
        while len(self._ahead) <= self.AHEAD:
            self._build_next()
        url = self._ahead.popleft().result()
        self._build_next()
        return url

    def give_back(self, url: str) -> None:
        self._drops.append(self._worker.submit(drop_schema, self._server, self._database, url))

    def close(self) -> None:
        for built in self._ahead:
            self._drops.append(
                self._worker.submit(drop_schema, self._server, self._database, built.result())
            )
        self._ahead.clear()
        self._worker.shutdown(wait=True)
        for drop in self._drops:
            drop.result()


async def _admin(server: Server, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_dsn(server.url), timeout=CONNECT_TIMEOUT_S)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_database(server: Server, name: str, template: str | None = None) -> None:
    """``CREATE DATABASE name`` (a copy of ``template`` when given). Names are ours
    (``new_database_name``), never user input, so they are quoted, not bound."""
    copy = f' TEMPLATE "{template}"' if template else ""
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"{copy}'))


def drop_database(server: Server, name: str) -> None:
    """``DROP DATABASE``, ending any connection a test left open (PostgreSQL 13+ ``FORCE``)."""
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
