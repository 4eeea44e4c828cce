"""The only door to the database: each method is one unit of work returning plain dataclasses.

Every method opens its own ``AsyncSession`` (never shared between tasks) and commits or rolls
back before returning, so callers cannot leak transactions or ORM rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import MoodEntry, Platform, UserRecord, UserRef
from bot.storage.models import EntryRow, ProcessedMessageRow, UserRow
from emotion.labels import Emotion, Source


class DuplicateMessage(Exception):
    """This platform message was already answered."""


@dataclass(frozen=True, slots=True)
class NewEntry:
    """What the core wants stored for one analysed message."""

    chat_id: str
    text: str
    text_probs: dict[str, float] | None
    face_probs: dict[str, float] | None
    fused_probs: dict[str, float]
    history_probs: dict[str, float] | None
    weights: dict[str, float] | None
    fused_label: Emotion
    valence: float
    dominant: Source
    disagreement: bool
    crisis: bool
    face_count: int
    tone: str | None
    reply_id: str | None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ForgetResult:
    entries: int
    processed_messages: int


def _utc(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; everything we store is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _user(row: UserRow) -> UserRecord:
    return UserRecord(
        id=row.id,
        platform=Platform(row.platform),
        platform_user_id=row.platform_user_id,
        display_name=row.display_name,
        created_at=_utc(row.created_at),
    )


def _entry(row: EntryRow) -> MoodEntry:
    return MoodEntry(
        id=row.id,
        user_id=row.user_id,
        created_at=_utc(row.created_at),
        text=row.text,
        text_probs=row.text_probs,
        face_probs=row.face_probs,
        fused_probs=row.fused_probs,
        history_probs=row.history_probs,
        weights=row.weights,
        fused_label=Emotion(row.fused_label),
        valence=row.valence,
        dominant=Source(row.dominant),
        disagreement=row.disagreement,
        crisis=row.crisis,
        face_count=row.face_count,
        correction=Emotion(row.correction) if row.correction else None,
        tone=row.tone,
        reply_id=row.reply_id,
    )


class Repository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get_or_create_user(self, ref: UserRef) -> UserRecord:
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
        async with self._sessions() as session:
            row = await self._find_user(session, ref)
            return _user(row) if row else None

    @staticmethod
    async def _find_user(session: AsyncSession, ref: UserRef) -> UserRow | None:
        query = select(UserRow).where(
            UserRow.platform == ref.platform.value, UserRow.platform_user_id == ref.user_id
        )
        return (await session.execute(query)).scalar_one_or_none()

    async def was_processed(self, platform: Platform, chat_id: str, message_id: str) -> bool:
        async with self._sessions() as session:
            query = select(ProcessedMessageRow.id).where(
                ProcessedMessageRow.platform == platform.value,
                ProcessedMessageRow.chat_id == chat_id,
                ProcessedMessageRow.message_id == message_id,
            )
            return (await session.execute(query)).first() is not None

    async def mark_processed(
        self, user_id: int, platform: Platform, chat_id: str, message_id: str
    ) -> None:
        """Remember a message answered without an entry (a command); raise if seen before."""
        try:
            async with self._sessions.begin() as session:
                session.add(self._processed(user_id, platform, chat_id, message_id))
        except IntegrityError as error:
            raise DuplicateMessage(message_id) from error

    @staticmethod
    def _processed(
        user_id: int, platform: Platform, chat_id: str, message_id: str
    ) -> ProcessedMessageRow:
        return ProcessedMessageRow(
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
        row = EntryRow(
            user_id=user_id,
            chat_id=entry.chat_id,
            created_at=entry.created_at or datetime.now(UTC),
            text=entry.text,
            text_probs=entry.text_probs,
            face_probs=entry.face_probs,
            fused_probs=entry.fused_probs,
            history_probs=entry.history_probs,
            weights=entry.weights,
            fused_label=entry.fused_label.value,
            valence=entry.valence,
            dominant=entry.dominant.value,
            disagreement=entry.disagreement,
            crisis=entry.crisis,
            face_count=entry.face_count,
            tone=entry.tone,
            reply_id=entry.reply_id,
        )
        try:
            async with self._sessions.begin() as session:
                session.add(row)
                if message_id is not None:
                    session.add(self._processed(user_id, platform, entry.chat_id, message_id))
                await session.flush()
                return _entry(row)
        except IntegrityError as error:
            raise DuplicateMessage(message_id or "") from error

    async def recent_entries(self, user_id: int, limit: int) -> list[MoodEntry]:
        """The user's last ``limit`` entries, newest first."""
        async with self._sessions() as session:
            query = (
                select(EntryRow)
                .where(EntryRow.user_id == user_id)
                .order_by(EntryRow.created_at.desc(), EntryRow.id.desc())
                .limit(limit)
            )
            return [_entry(row) for row in (await session.execute(query)).scalars()]

    async def entries_since(self, user_id: int, since: datetime) -> list[MoodEntry]:
        """The user's entries from ``since`` on, oldest first."""
        async with self._sessions() as session:
            query = (
                select(EntryRow)
                .where(EntryRow.user_id == user_id, EntryRow.created_at >= since)
                .order_by(EntryRow.created_at, EntryRow.id)
            )
            return [_entry(row) for row in (await session.execute(query)).scalars()]

    async def recent_reply_ids(self, user_id: int, limit: int = 10) -> list[str]:
        return [e.reply_id for e in await self.recent_entries(user_id, limit) if e.reply_id]

    async def set_correction(self, user_id: int, entry_id: int, label: Emotion) -> bool:
        """Record the user's own reading of an entry; only their own entries can be changed."""
        async with self._sessions.begin() as session:
            row = await session.get(EntryRow, entry_id)
            if row is None or row.user_id != user_id:
                return False
            row.correction = label.value
            return True

    async def forget_user(self, user_id: int) -> ForgetResult:
        """Erase everything held about a user: entries, processed ids, the user row itself."""
        async with self._sessions.begin() as session:
            entries = await session.execute(delete(EntryRow).where(EntryRow.user_id == user_id))
            processed = await session.execute(
                delete(ProcessedMessageRow).where(ProcessedMessageRow.user_id == user_id)
            )
            await session.execute(delete(UserRow).where(UserRow.id == user_id))
        return ForgetResult(entries=_rowcount(entries), processed_messages=_rowcount(processed))


def _rowcount(result: object) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if isinstance(count, int) and count > 0 else 0


__all__: Sequence[str] = ("DuplicateMessage", "ForgetResult", "NewEntry", "Repository")
