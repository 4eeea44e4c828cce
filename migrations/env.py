"""Alembic environment: async engine, batch mode for SQLite, our naming convention.

The URL comes from the Config that ``bot.storage.migrate`` builds from the settings (or from
``alembic.ini`` / ``ATTUNE_DATABASE_URL`` when alembic is run by hand).
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot.storage.engine import READ_ONLY, create_engine
from bot.storage.migrate import SKIP_WHEN_CURRENT
from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.config import DEFAULT_DATABASE_URL

        url = os.environ.get("ATTUNE_DATABASE_URL", DEFAULT_DATABASE_URL)
    return url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _current_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def run_migrations_online() -> None:
    engine = create_engine(_url())
    try:
        # Whether there is anything to do is found out by a read, which SQLite's WAL never
        # makes wait: a database whose write lock another process holds (a backup, a long
        # erasure, a second tool) must not stop attune from starting and answering — writes
        # wait in the write-behind, the crisis reply never does.
        # Only for an upgrade to head (``bot.storage.migrate.upgrade`` marks it): a downgrade
        # or a named revision always runs.
        if config.attributes.get(SKIP_WHEN_CURRENT):
            async with engine.connect() as probe:
                reader = await probe.execution_options(**{READ_ONLY: True})
                current = await reader.run_sync(_current_heads)
            if current == set(ScriptDirectory.from_config(config).get_heads()):
                return
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
