"""The only door to the database: each method is one unit of work returning plain dataclasses.

Every method opens its own ``AsyncSession`` (never shared between tasks) and commits or rolls
back before returning, so callers cannot leak transactions or ORM rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain import (
    DueReminder,
    MediaKind,
    MoodEntry,
    MoodPoints,
    NewEntry,
    Platform,
    TimelinePoint,
    UserRecord,
    UserRef,
    UserSettings,
)
from bot.storage import queries
from bot.storage.engine import read_session_factory, retry_checkpoint, scrub
from bot.storage.erasure import Account, erase_statements
from bot.storage.mailbox import Mailbox
from bot.storage.models import (
    Base,
    EntryRow,
    ProcessedMessageRow,
    RiskStateRow,
    UserRow,
    UserSettingsRow,
)
from bot.storage.types import as_utc
from emotion.labels import Emotion, Source

log = logging.getLogger(__name__)


class DuplicateMessage(Exception):
    """This platform message was already answered."""


@dataclass(frozen=True, slots=True)
class ForgetResult:
    """How many rows /forget deleted: the common tables by name, and every table in ``rows``."""

    entries: int
    processed_messages: int
    settings: int = 0
    rows: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TurnContext:
    """What the core reads before answering a message, fetched in one read transaction.

    ``user`` is ``None`` for someone new; ``seen`` says the message id was answered before;
    ``recent`` holds the user's newest entries since the asked instant, oldest first;
    ``risk_state`` is the stored conversation risk state (JSON text) or ``None``.
    """

    user: UserRecord | None
    seen: bool
    recent: list[MoodEntry]
    risk_state: str | None = None


def _user(row: UserRow) -> UserRecord:
    return UserRecord(
        id=row.id,
        platform=Platform(row.platform),
        platform_user_id=row.platform_user_id,
        display_name=row.display_name,
        created_at=row.created_at,
    )


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _parse_hhmm(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _settings(row: UserSettingsRow) -> UserSettings:
    return UserSettings(
        user_id=row.user_id,
        timezone=row.timezone,
        remind_at=_parse_hhmm(row.remind_at),
        remind_platform=Platform(row.remind_platform) if row.remind_platform else None,
        remind_chat_id=row.remind_chat_id,
        reminder_next_at=row.reminder_next_at,
        reminder_last_sent_on=row.reminder_last_sent_on,
        reminders_opted_in_at=row.reminders_opted_in_at,
        updated_at=row.updated_at,
    )


def timeline_json(points: Sequence[TimelinePoint] | None) -> list[list[object]] | None:
    """A video timeline as stored: [[seconds, label or None, confidence], ...]."""
    if points is None:
        return None
    return [
        [round(p.at_s, 2), p.label.value if p.label else None, round(p.confidence, 3)]
        for p in points
    ]


def timeline_from_json(value: Sequence[Sequence[Any]] | None) -> tuple[TimelinePoint, ...] | None:
    """The inverse of ``timeline_json``."""
    if value is None:
        return None
    return tuple(
        TimelinePoint(float(at), Emotion(label) if label else None, float(confidence))
        for at, label, confidence in value
    )


#: How the entries table's columns differ from ``MoodEntry``'s fields (enums by value, the
#: video timeline as JSON); every other field is its column as it is.
_FROM_COLUMN: dict[str, Callable[[Any], Any]] = {
    "fused_label": Emotion,
    "dominant": Source,
    "correction": lambda value: Emotion(value) if value else None,
    "media_kind": lambda value: MediaKind(value) if value else None,
    "media_timeline": timeline_from_json,
}
_TO_COLUMN: dict[str, Callable[[Any], Any]] = {
    "fused_label": lambda label: label.value,
    "dominant": lambda source: source.value,
    "media_kind": lambda kind: kind.value if kind else None,
    "media_timeline": timeline_json,
}
_ENTRY_FIELDS = tuple(f.name for f in fields(MoodEntry))
_NEW_ENTRY_FIELDS = tuple(f.name for f in fields(NewEntry))


def _entry(row: EntryRow | Row[Any] | SimpleNamespace) -> MoodEntry:
    """From anything with the entries table's column names as attributes: an ORM row, a plain
    result row, or the values just inserted (``_entry_columns``' inverse)."""
    values = {name: getattr(row, name) for name in _ENTRY_FIELDS}
    for name, convert in _FROM_COLUMN.items():
        values[name] = convert(values[name])
    return MoodEntry(**values)


def _entry_columns(user_id: int, entry: NewEntry, created_at: datetime) -> dict[str, Any]:
    """The entries row for ``entry``: each field as its column, no correction yet."""
    values = {name: getattr(entry, name) for name in _NEW_ENTRY_FIELDS}
    for name, convert in _TO_COLUMN.items():
        values[name] = convert(values[name])
    return {**values, "user_id": user_id, "created_at": created_at, "correction": None}


class Repository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._reads = read_session_factory(sessions)
        #: The background WAL truncation after an erasure a reader held up (SQLite).
        self._scrub_retry: asyncio.Task[bool] | None = None

    async def close(self) -> None:
        """Stop background work (a pending WAL retry); call before disposing the engine,
        whose last connection closing checkpoints the WAL itself."""
        if self._scrub_retry is not None:
            self._scrub_retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._scrub_retry

    @property
    def single_writer(self) -> bool:
        """Whether the database takes one writer at a time (SQLite)."""
        bind = self._sessions.kw.get("bind")
        return isinstance(bind, AsyncEngine) and bind.dialect.name == "sqlite"

    def mailbox(self, platform: Platform) -> Mailbox:
        """The durable inbox and outbox of ``platform``, on this repository's database."""
        return Mailbox(self._sessions, platform)

    async def turn_context(
        self,
        ref: UserRef,
        chat_id: str,
        message_id: str | None,
        *,
        since: datetime | None,
        limit: int = 200,
    ) -> TurnContext:
        """Who wrote, whether this message was answered already, and their recent entries.

        Every message needs these three; one read transaction instead of three is most of
        the database time a message costs. ``since=None`` skips the entries (commands).
        At most ``limit`` entries come back, the newest: enough for the history prior and the
        no-repeat window; someone who wrote more than that in a day has the day-over-days
        trend judged on today's entries only (their older days fall outside the limit).
        """
        async with self._reads() as session:
            row = await self._find_user(session, ref)
            user = _user(row) if row else None
            seen = False
            if user is not None and message_id is not None:
                query = select(ProcessedMessageRow.id).where(
                    ProcessedMessageRow.platform == ref.platform.value,
                    ProcessedMessageRow.chat_id == chat_id,
                    ProcessedMessageRow.message_id == message_id,
                )
                seen = (await session.execute(query)).first() is not None
            recent: list[MoodEntry] = []
            risk_state: str | None = None
            if user is not None and not seen:
                if since is not None:
                    recent = await self._newest_entries(session, user.id, since, limit)
                state_query = select(RiskStateRow.state).where(RiskStateRow.user_id == user.id)
                risk_state = (await session.execute(state_query)).scalar_one_or_none()
            return TurnContext(user, seen, recent, risk_state)

    @staticmethod
    async def _newest_entries(
        session: AsyncSession, user_id: int, since: datetime, limit: int
    ) -> list[MoodEntry]:
        """The newest ``limit`` entries from ``since`` on, oldest first, as plain rows.

        Plain rows skip the ORM's identity map and object state: several times cheaper per
        entry, and these are only read.
        """
        table = EntryRow.__table__
        query = (
            select(table)
            .where(table.c.user_id == user_id, table.c.created_at >= since)
            .order_by(table.c.created_at.desc(), table.c.id.desc())
            .limit(limit)
        )
        rows = (await session.execute(query)).all()
        return [_entry(row) for row in reversed(rows)]

    async def get_or_create_user(self, ref: UserRef, known: UserRecord | None = None) -> UserRecord:
        """The user's record; takes the write lock only to create it or rename it.

        Every message starts here, so the common case (known user, same name) is a read, or
        nothing at all when the caller already read the record (``known``).
        """
        known = known or await self.find_user(ref)
        if known is not None and (not ref.display_name or known.display_name == ref.display_name):
            return known
        try:
            return await self._create_or_rename_user(ref)
        except IntegrityError:
            # Another transaction created this user between our read and our insert
            # (PostgreSQL runs writers side by side; SQLite's BEGIN IMMEDIATE queues them):
            # their row exists now, so this pass reads it (and renames it if need be).
            return await self._create_or_rename_user(ref)

    async def _create_or_rename_user(self, ref: UserRef) -> UserRecord:
        async with self._sessions.begin() as session:
            row = await self._find_user(session, ref)
            if row is None:
                row = UserRow(
                    platform=ref.platform.value,
                    platform_user_id=ref.user_id,
                    display_name=ref.display_name,
                    created_at=datetime.now(UTC),
                )
                session.add(row)
                await session.flush()
            elif ref.display_name and row.display_name != ref.display_name:
                row.display_name = ref.display_name
            return _user(row)

    async def find_user(self, ref: UserRef) -> UserRecord | None:
        async with self._reads() as session:
            row = await self._find_user(session, ref)
            return _user(row) if row else None

    @staticmethod
    async def _find_user(session: AsyncSession, ref: UserRef) -> UserRow | None:
        query = select(UserRow).where(
            UserRow.platform == ref.platform.value, UserRow.platform_user_id == ref.user_id
        )
        return (await session.execute(query)).scalar_one_or_none()

    async def mark_processed(
        self, user_id: int, platform: Platform, chat_id: str, message_id: str
    ) -> None:
        """Remember a message answered without an entry (a command); raise if seen before."""
        try:
            async with self._sessions.begin() as session:
                await session.execute(
                    insert(ProcessedMessageRow).values(
                        **self._processed(user_id, platform, chat_id, message_id)
                    )
                )
        except IntegrityError as error:
            raise DuplicateMessage(message_id) from error

    @staticmethod
    def _processed(
        user_id: int, platform: Platform, chat_id: str, message_id: str
    ) -> dict[str, Any]:
        """The processed-messages row for a message answered now."""
        return dict(
            platform=platform.value,
            chat_id=chat_id,
            message_id=message_id,
            user_id=user_id,
            processed_at=datetime.now(UTC),
        )

    async def add_entry(
        self,
        user_id: int,
        entry: NewEntry,
        *,
        platform: Platform,
        message_id: str | None,
    ) -> MoodEntry:
        """Store the entry and its message id in one transaction; a repeat raises."""
        created_at = as_utc(entry.created_at or datetime.now(UTC))
        values = _entry_columns(user_id, entry, created_at)
        try:
            # Plain INSERTs: the ORM's unit of work costs more than the writes themselves.
            async with self._sessions.begin() as session:
                result = await session.execute(
                    insert(EntryRow).values(**values).returning(EntryRow.id)
                )
                entry_id = result.scalar_one()
                if message_id is not None:
                    processed = self._processed(user_id, platform, entry.chat_id, message_id)
                    await session.execute(insert(ProcessedMessageRow).values(**processed))
        except IntegrityError as error:
            raise DuplicateMessage(message_id or "") from error
        return _entry(SimpleNamespace(id=entry_id, **values))

    async def recent_entries(self, user_id: int, limit: int) -> list[MoodEntry]:
        """The user's last ``limit`` entries, newest first."""
        async with self._reads() as session:
            query = (
                select(EntryRow)
                .where(EntryRow.user_id == user_id)
                .order_by(EntryRow.created_at.desc(), EntryRow.id.desc())
                .limit(limit)
            )
            return [_entry(row) for row in (await session.execute(query)).scalars()]

    async def latest_media_entry(
        self, user_id: int, kinds: Collection[MediaKind] = tuple(MediaKind)
    ) -> MoodEntry | None:
        """The user's newest entry read from a recording of one of ``kinds``, or None."""
        async with self._reads() as session:
            query = (
                select(EntryRow)
                .where(
                    EntryRow.user_id == user_id,
                    EntryRow.media_kind.in_([kind.value for kind in kinds]),
                )
                .order_by(EntryRow.created_at.desc(), EntryRow.id.desc())
                .limit(1)
            )
            row = (await session.execute(query)).scalar_one_or_none()
            return _entry(row) if row is not None else None

    async def entries_since(self, user_id: int, since: datetime) -> list[MoodEntry]:
        """The user's entries from ``since`` on, oldest first."""
        async with self._reads() as session:
            query = (
                select(EntryRow)
                .where(EntryRow.user_id == user_id, EntryRow.created_at >= since)
                .order_by(EntryRow.created_at, EntryRow.id)
            )
            return [_entry(row) for row in (await session.execute(query)).scalars()]

    async def set_correction(self, user_id: int, entry_id: int, label: Emotion) -> bool:
        """Record the user's own reading of an entry; only their own entries can be changed."""
        async with self._sessions.begin() as session:
            row = await session.get(EntryRow, entry_id)
            if row is None or row.user_id != user_id:
                return False
            row.correction = label.value
            return True

    async def risk_state(self, user_id: int) -> str | None:
        """A user's stored conversation risk state (JSON text), or None."""
        async with self._reads() as session:
            query = select(RiskStateRow.state).where(RiskStateRow.user_id == user_id)
            return (await session.execute(query)).scalar_one_or_none()

    async def save_risk_state(self, user_id: int, state: str, now: datetime) -> None:
        """Store a user's conversation risk state (JSON text), replacing the previous one."""
        try:
            await self._save_risk_state(user_id, state, now)
        except IntegrityError:
            # A concurrent first save inserted the row (PostgreSQL): now the update finds it.
            await self._save_risk_state(user_id, state, now)

    async def _save_risk_state(self, user_id: int, state: str, now: datetime) -> None:
        async with self._sessions.begin() as session:
            updated = await session.execute(
                update(RiskStateRow)
                .where(RiskStateRow.user_id == user_id)
                .values(state=state, updated_at=now)
            )
            if _rowcount(updated) == 0:
                await session.execute(
                    insert(RiskStateRow).values(user_id=user_id, state=state, updated_at=now)
                )

    async def forget_user(self, user_id: int) -> ForgetResult:
        """Erase everything held about the user with this row id (see ``forget``)."""
        async with self._reads() as session:
            row = await session.get(UserRow, user_id)
            ref = UserRef(Platform(row.platform), row.platform_user_id) if row else None
        if ref is None:
            return ForgetResult(entries=0, processed_messages=0)
        return await self.forget(ref)

    async def forget(self, ref: UserRef) -> ForgetResult:
        """Erase every row of this account in every table, then leave no copy on disk.

        The tables come from the schema (``bot.storage.erasure``): every table linked to the
        user by a foreign key, and every table keyed by the platform account, children
        first, the user row last, in one transaction. SQLite overwrites deleted content
        (``secure_delete``, set on every connection) and the WAL, which still holds the old
        page images, is checkpointed and truncated. PostgreSQL: the rows are gone for every
        query once this commits, but their dead versions stay in the table files until
        (auto)vacuum reuses the space, and in the WAL and backups (see README). Works
        without a user row too (rows keyed by the account).
        """
        async with self._sessions.begin() as session:
            row = await self._find_user(session, ref)
            account = Account(
                user_id=row.id if row is not None else None,
                platform=ref.platform.value,
                platform_user_id=ref.user_id,
            )
            counts: dict[str, int] = {}
            for table, statement in erase_statements(Base.metadata, account):
                result = await session.execute(
                    statement.execution_options(synchronize_session=False)
                )
                counts[table] = _rowcount(result)
        bind = self._sessions.kw.get("bind")
        # PostgreSQL: the DELETEs above are all attune does; its dead row versions and WAL
        # are the server's to reclaim (README: VACUUM, WAL and backup retention).
        if self.single_writer and isinstance(bind, AsyncEngine) and not await scrub(bind):
            log.warning("erased a user's rows, but their old bytes could not all be scrubbed")
            if self._scrub_retry is None or self._scrub_retry.done():
                # A reader in another process holds the WAL: truncate it once it lets go.
                self._scrub_retry = asyncio.create_task(retry_checkpoint(bind))
        return ForgetResult(
            entries=counts.get(EntryRow.__tablename__, 0),
            processed_messages=counts.get(ProcessedMessageRow.__tablename__, 0),
            settings=counts.get(UserSettingsRow.__tablename__, 0),
            rows=counts,
        )

    # --- mood history -------------------------------------------------------------------

    async def mood_points(self, user_id: int, start: datetime | None, end: datetime) -> MoodPoints:
        """Time, effective label and valence of the user's entries in [start, end)."""
        async with self._reads() as session:
            result = await session.execute(queries.mood_points_query(user_id, start, end))
            return queries.to_points(result)

    async def first_entry_at(self, user_id: int) -> datetime | None:
        async with self._reads() as session:
            first = (await session.execute(queries.first_entry_query(user_id))).scalar()
            return first

    # --- settings and reminders ---------------------------------------------------------

    async def get_settings(self, user_id: int) -> UserSettings | None:
        async with self._reads() as session:
            row = await session.get(UserSettingsRow, user_id)
            return _settings(row) if row is not None else None

    async def update_settings(
        self, user_id: int, change: Callable[[UserSettings], UserSettings]
    ) -> UserSettings:
        """Read, change (a pure function) and write the user's settings in one locked
        transaction, so a reminder claimed meanwhile is never overwritten with stale values.

        A user's first settings written twice at once (PostgreSQL runs both transactions
        side by side, and ``FOR UPDATE`` locks no row that does not exist yet) meet the
        primary key: the loser runs again and then reads, locks and changes the winner's row.
        """
        try:
            return await self._update_settings(user_id, change)
        except IntegrityError:
            return await self._update_settings(user_id, change)

    async def _update_settings(
        self, user_id: int, change: Callable[[UserSettings], UserSettings]
    ) -> UserSettings:
        async with self._sessions.begin() as session:
            query = (
                select(UserSettingsRow).where(UserSettingsRow.user_id == user_id).with_for_update()
            )
            row = (await session.execute(query)).scalar_one_or_none()
            current = _settings(row) if row is not None else UserSettings(user_id=user_id)
            new = replace(change(current), user_id=user_id, updated_at=datetime.now(UTC))
            if row is None:
                row = UserSettingsRow(user_id=user_id)
                session.add(row)
            row.timezone = new.timezone
            row.remind_at = _hhmm(new.remind_at)
            row.remind_platform = new.remind_platform.value if new.remind_platform else None
            row.remind_chat_id = new.remind_chat_id
            row.reminder_next_at = new.reminder_next_at
            row.reminder_last_sent_on = new.reminder_last_sent_on
            row.reminders_opted_in_at = new.reminders_opted_in_at
            row.updated_at = datetime.now(UTC)
            return new

    async def due_reminders(
        self, now: datetime, platforms: Iterable[Platform], limit: int = 100
    ) -> list[DueReminder]:
        """Reminders due by ``now`` on the given platforms (index on reminder_next_at)."""
        names = [p.value for p in platforms]
        if not names:
            return []
        async with self._reads() as session:
            rows = await session.execute(queries.due_reminders_query(now, names, limit))
            due = []
            for user_id, zone, remind_at, platform, chat_id, next_at, last_sent_on in rows:
                if remind_at is None or platform is None or chat_id is None or next_at is None:
                    continue
                due.append(
                    DueReminder(
                        user_id=user_id,
                        timezone=zone,
                        remind_at=time.fromisoformat(remind_at),
                        platform=Platform(platform),
                        chat_id=chat_id,
                        next_at=next_at,
                        last_sent_on=last_sent_on,
                    )
                )
            return due

    async def claim_reminder(
        self, user_id: int, expected_next_at: datetime, sent_on: date | None, next_at: datetime
    ) -> bool:
        """Atomically move a due reminder on: compare-and-set on ``reminder_next_at``.

        With ``sent_on`` (the user's local date) it also records the send and refuses when that
        day was already claimed. True means this caller won and may send; a second scheduler
        tick or process that saw the same due row gets False.
        """
        conditions = [
            UserSettingsRow.user_id == user_id,
            UserSettingsRow.reminder_next_at == expected_next_at,
            UserSettingsRow.remind_at.is_not(None),
        ]
        values: dict[str, object] = {"reminder_next_at": next_at}
        if sent_on is not None:
            conditions.append(
                (UserSettingsRow.reminder_last_sent_on.is_(None))
                | (UserSettingsRow.reminder_last_sent_on != sent_on)
            )
            values["reminder_last_sent_on"] = sent_on
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(UserSettingsRow)
                .where(*conditions)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return _rowcount(result) == 1


def _rowcount(result: object) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if isinstance(count, int) and count > 0 else 0


__all__: Sequence[str] = ("DuplicateMessage", "ForgetResult", "Repository", "TurnContext")
