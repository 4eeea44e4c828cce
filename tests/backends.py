"""The database servers the storage and core tests run against: SQLite always, PostgreSQL when
one answers.

The PostgreSQL server is the one the development and CI machines start before work begins
(127.0.0.1:5432, trust auth); ``ATTUNE_TEST_POSTGRES_URL`` names another (a plain
``postgresql://user@host:port/maintenance_db`` URL for asyncpg, which creates and drops the
per-test databases there). Every test gets a database of its own, ``attune_test_<random hex>``,
dropped afterwards: a copy (``CREATE DATABASE ... TEMPLATE``) of one database the session
migrated with Alembic, so each test starts from exactly what ``python -m bot migrate`` builds
without running the migrations again for every test.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from dataclasses import dataclass

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
        except (OSError, TimeoutError, Exception) as error:  # any refusal is a reason to skip
            errors.append(f"{url.username}: {type(error).__name__}: {error}".strip())
    return f"PostgreSQL not reachable at {where(candidates[0])}: " + "; ".join(errors)


def new_database_name() -> str:
    return f"attune_test_{secrets.token_hex(6)}"


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
