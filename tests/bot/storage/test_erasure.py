"""/forget at the storage level: every table is covered, on SQLite and PostgreSQL no row of
the person is left in any table, and on SQLite no byte of the text stays on disk (database
file, WAL, shared memory) while the engine keeps running."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, create_engine, text
from sqlalchemy.engine import make_url

from bot.domain import Platform, UserRef
from bot.reminders import with_reminder, with_timezone
from bot.storage import engine as engine_module
from bot.storage.engine import _configure_sqlite_connection, session_factory
from bot.storage.engine import create_engine as create_async_engine
from bot.storage.erasure import (
    ERASE_BY,
    PERSONAL_DATA,
    Account,
    erase_statements,
    uncovered_tables,
)
from bot.storage.mailbox import NewOutbound
from bot.storage.models import Base
from bot.storage.repository import Repository
from emotion.labels import Emotion
from tests.backends import BACKENDS
from tests.bot.mood.conftest import new_entry

CANARY = "canary-9b1f3e77-erase-me-please"
KEEP = "keeper-52c0aa19-other-user-text"


def test_every_table_is_erased_or_declares_it_holds_no_personal_data() -> None:
    """A table someone adds (inbox, outbox, risk state...) must be reachable by /forget:
    a foreign key to users, ``info[ERASE_BY]``, or ``info[PERSONAL_DATA] = False``."""
    assert uncovered_tables(Base.metadata) == []


def _schema() -> MetaData:
    """Tables like the ones other work adds: reached by key chains, by account, or not."""
    metadata = MetaData()
    Table("users", metadata, Column("id", Integer, primary_key=True))
    Table(
        "inbox",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("platform", String),
        Column("sender", String),
        Column("body", String),
        info={ERASE_BY: {"platform": "platform", "user": "sender"}},
    )
    Table(
        "outbox",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("inbox_id", ForeignKey("inbox.id")),
        Column("body", String),
    )
    Table(
        "risk",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("user_id", ForeignKey("users.id")),
        Column("level", String),
    )
    Table(
        "risk_notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("risk_id", ForeignKey("risk.id")),
        Column("body", String),
    )
    Table("schema_facts", metadata, Column("k", String), info={PERSONAL_DATA: False})
    return metadata


def test_the_coverage_check_names_a_table_nobody_declared() -> None:
    metadata = _schema()
    assert uncovered_tables(metadata) == []
    Table("notes", metadata, Column("id", Integer, primary_key=True), Column("body", String))
    assert uncovered_tables(metadata) == ["notes"]


def test_erasure_follows_key_chains_and_account_keys() -> None:
    metadata = _schema()
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as db:
        db.execute(text("INSERT INTO users (id) VALUES (1), (2)"))
        db.execute(
            text(
                "INSERT INTO inbox (id, platform, sender, body) VALUES "
                "(1, 'telegram', '111', 'mine'), (2, 'telegram', '222', 'theirs'), "
                "(3, 'discord', '111', 'same id, other platform')"
            )
        )
        db.execute(text("INSERT INTO outbox (inbox_id, body) VALUES (1, 'mine'), (2, 'x')"))
        db.execute(text("INSERT INTO risk (id, user_id, level) VALUES (1, 1, 'a'), (2, 2, 'b')"))
        db.execute(text("INSERT INTO risk_notes (risk_id, body) VALUES (1, 'mine'), (2, 'x')"))
        db.execute(text("INSERT INTO schema_facts (k) VALUES ('v')"))
        account = Account(user_id=1, platform="telegram", platform_user_id="111")
        order = []
        for name, statement in erase_statements(metadata, account):
            order.append(name)
            db.execute(statement)
        assert order.index("outbox") < order.index("inbox")
        assert order.index("risk_notes") < order.index("risk") < order.index("users")
        assert order[-1] == "users"
        left = {
            name: db.execute(text(f"SELECT count(*) FROM {name}")).scalar()
            for name in metadata.tables
        }
    assert left == {
        "users": 1,
        "inbox": 2,
        "outbox": 1,
        "risk": 1,
        "risk_notes": 1,
        "schema_facts": 1,
    }


def test_every_connection_turns_secure_delete_on() -> None:
    raw = sqlite3.connect(":memory:")
    raw.execute("PRAGMA secure_delete = OFF")  # as most SQLite builds start (not Debian's)
    _configure_sqlite_connection(raw, None)
    assert raw.execute("PRAGMA secure_delete").fetchone() == (1,)


async def _fill(repository: Repository, owner: UserRef, other: UserRef, count: int = 300) -> None:
    """Entries (many, so pages split and merge), processed ids, settings and a reminder."""
    mine = await repository.get_or_create_user(owner)
    theirs = await repository.get_or_create_user(other)
    now = datetime.now(UTC)
    for n in range(count):
        for user, word in ((mine, CANARY), (theirs, KEEP)):
            entry = new_entry(now, Emotion.SAD, text=f"{word} number {n} " + "x" * (n % 90))
            await repository.add_entry(
                user.id, entry, platform=owner.platform, message_id=f"{word}-{n}"
            )
    await repository.update_settings(mine.id, lambda s: with_timezone(s, "Europe/Berlin", now))
    await repository.update_settings(
        mine.id, lambda s: with_reminder(s, time(9), owner.platform, CANARY, now)
    )


async def _every_row(repository: Repository) -> str:
    """Every row of every table, as text (what a person with database access would read)."""
    bind = repository._sessions.kw["bind"]
    parts = []
    async with bind.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = (await connection.execute(table.select())).all()
            parts.append(f"{table.name}: {rows!r}")
    return "\n".join(parts)


@pytest.mark.backends(*BACKENDS)
async def test_forget_leaves_no_row_of_the_person_in_any_table(
    repository: Repository, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    owner = UserRef(Platform.TELEGRAM, "owner-1", display_name="Owner")
    other = UserRef(Platform.TELEGRAM, "other-2", display_name="Other")
    await _fill(repository, owner, other, count=20)
    in_flight: dict[str, int] = {}
    for ref, word in ((owner, CANARY), (other, KEEP)):
        user = await repository.get_or_create_user(ref)
        await repository.save_risk_state(user.id, f'{{"said": "{word}"}}', datetime.now(UTC))
        box = repository.mailbox(ref.platform)
        answered = await box.receive(word, "in-1", ref.user_id, f'{{"text": "{word}"}}')
        waiting = await box.receive(word, "in-2", ref.user_id, f'{{"text": "{word} 2"}}')
        assert answered is not None and waiting is not None
        await box.answered([answered], [NewOutbound(word, ref.user_id, f'{{"r": "{word}"}}')])
        in_flight[ref.user_id] = waiting
    before = await _every_row(repository)
    assert before.count(CANARY) > 20 and "owner-1" in before

    with caplog.at_level(logging.WARNING, logger="bot"):
        result = await repository.forget(owner)
    assert result.entries == 20 and result.processed_messages == 20
    assert result.rows["risk_states"] == 1 and result.settings == 1
    # Work in flight is left to finish: a message sent right after /forget (a crisis message
    # among them) is still answered, an undelivered reply still delivered.
    assert "inbox" not in result.rows and "outbox" not in result.rows
    box = repository.mailbox(owner.platform)
    assert [item.id for item in await box.pending()] == list(in_flight.values())
    owner_replies = [r for r in await box.outbound() if r.chat_id == CANARY]
    assert len(owner_replies) == 1
    # ... and gone once done, as every answered message and sent reply is.
    await box.answered([in_flight[owner.user_id]], [])
    await box.sent(owner_replies[0].id)

    after = await _every_row(repository)
    assert CANARY not in after and "owner-1" not in after
    assert after.count(KEEP) == before.count(KEEP)  # the other person's rows are all there
    # Nothing to warn about: SQLite scrubbed its files, PostgreSQL has nothing to scrub in
    # process (README: VACUUM and WAL retention are the operator's).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def _bytes_on_disk(database: Path) -> dict[str, bytes]:
    return {
        path.name: path.read_bytes()
        for path in database.parent.iterdir()
        if path.name.startswith(database.name)
    }


# Byte-level checks read SQLite's files; PostgreSQL's are the server's (see README).
async def test_no_byte_of_an_erased_text_stays_on_disk_while_running(db_url: str) -> None:
    database = Path(str(make_url(db_url).database))
    engine = create_async_engine(db_url)
    repository = Repository(session_factory(engine))
    owner = UserRef(Platform.TELEGRAM, "owner-1", display_name="Owner")
    other = UserRef(Platform.TELEGRAM, "other-2", display_name="Other")
    try:
        await _fill(repository, owner, other)
        before = b"".join(_bytes_on_disk(database).values())
        assert CANARY.encode() in before and KEEP.encode() in before

        result = await repository.forget(owner)
        assert result.entries == 300 and result.processed_messages == 300
        assert result.settings == 1 and result.rows["users"] == 1

        # The engine is still open (the bot keeps running); the files are read as they are.
        files = _bytes_on_disk(database)
        assert files.get(database.name + "-wal", b"") == b""  # checkpointed and truncated
        for name, data in files.items():
            assert CANARY.encode() not in data, name
            assert b"owner-1" not in data, name
        assert KEEP.encode() in b"".join(files.values())  # the other user's data is intact
        assert await repository.find_user(owner) is None
        theirs = await repository.find_user(other)
        assert theirs is not None and len(await repository.recent_entries(theirs.id, 500)) == 300
    finally:
        await engine.dispose()


def _holds_canary(path: Path) -> bool:
    return path.exists() and CANARY.encode() in path.read_bytes()


async def test_a_reader_holding_the_wal_delays_its_truncation_but_not_for_ever(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short waits so the test is quick; the logic is the one the bot runs.
    monkeypatch.setattr(engine_module, "CHECKPOINT_WAIT_MS", 100)
    monkeypatch.setattr(engine_module, "RETRY_FIRST_S", 0.1)
    monkeypatch.setattr(engine_module, "RETRY_MOST_S", 0.5)
    database = Path(str(make_url(db_url).database))
    wal = database.with_name(database.name + "-wal")
    engine = create_async_engine(db_url)
    repository = Repository(session_factory(engine))
    owner = UserRef(Platform.TELEGRAM, "owner-1", display_name="Owner")
    mine = await repository.get_or_create_user(owner)
    for n in range(20):
        entry = new_entry(datetime.now(UTC), Emotion.SAD, text=f"{CANARY} number {n}")
        await repository.add_entry(mine.id, entry, platform=owner.platform, message_id=str(n))
    # Another process's long read transaction (a backup, a DB browser) on the same file.
    reader = sqlite3.connect(database, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM entries").fetchone() == (20,)
        assert (await repository.forget(owner)).entries == 20
        await asyncio.sleep(0.5)
        assert _holds_canary(wal)  # the reader keeps the old pages alive
        reader.execute("COMMIT")
        for _ in range(100):
            if not _holds_canary(wal):
                break
            await asyncio.sleep(0.2)
        assert not _holds_canary(wal) and not _holds_canary(database)
    finally:
        reader.close()
        await repository.close()
        await engine.dispose()
