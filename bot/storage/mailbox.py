"""The durable inbox and outbox tables: what came in and is not yet answered, what goes out
and is not yet accepted by the platform.

Patterns by name: transactional inbox/outbox and idempotent consumer (the dedupe key is the
platform message: platform + chat + message id, shared with ``processed_messages``). Every
method is one short write or read transaction returning plain dataclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import Platform
from bot.storage.engine import read_session_factory
from bot.storage.leases import ChatLeases
from bot.storage.models import InboxRow, OutboxRow, ProcessedMessageRow


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A stored update waiting to be answered; ``payload`` is the platform's JSON."""

    id: int
    chat_id: str
    message_id: str
    payload: str


@dataclass(frozen=True, slots=True)
class NewOutbound:
    """A reply to store: destination chat, the person it answers, and its JSON payload."""

    chat_id: str
    platform_user_id: str
    payload: str


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A stored reply not yet (fully) sent; ``progress`` platform calls of it went out."""

    id: int
    chat_id: str
    payload: str
    progress: int


class Mailbox:
    """Inbox and outbox of one platform, on the application's session factory."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], platform: Platform) -> None:
        self._sessions = sessions
        self._reads = read_session_factory(sessions)
        self.platform = platform

    def leases(self, worker_id: str, lease_s: float) -> ChatLeases:
        """This platform's chat leases, held by ``worker_id`` (``bot.storage.leases``)."""
        return ChatLeases(self._sessions, self.platform, worker_id, lease_s)

    async def receive(
        self, chat_id: str, message_id: str, platform_user_id: str, payload: str
    ) -> int | None:
        """Commit an inbound update; its row id, or ``None`` when this message is already in
        the inbox or was answered before (a platform redelivery)."""
        done = select(ProcessedMessageRow.id).where(
            ProcessedMessageRow.platform == self.platform.value,
            ProcessedMessageRow.chat_id == chat_id,
            ProcessedMessageRow.message_id == message_id,
        )
        try:
            async with self._sessions.begin() as session:
                if (await session.execute(done)).first() is not None:
                    return None
                result = await session.execute(
                    insert(InboxRow)
                    .values(
                        platform=self.platform.value,
                        chat_id=chat_id,
                        message_id=message_id,
                        platform_user_id=platform_user_id,
                        payload=payload,
                        received_at=datetime.now(UTC),
                    )
                    .returning(InboxRow.id)
                )
                return int(result.scalar_one())
        except IntegrityError:
            return None

    async def pending(self, chat_id: str | None = None) -> list[InboxItem]:
        """Updates stored but not answered, in arrival order (per chat order follows); only
        this chat's when ``chat_id`` is given."""
        query = (
            select(InboxRow.id, InboxRow.chat_id, InboxRow.message_id, InboxRow.payload)
            .where(InboxRow.platform == self.platform.value)
            .order_by(InboxRow.id)
        )
        if chat_id is not None:
            query = query.where(InboxRow.chat_id == chat_id)
        async with self._reads() as session:
            return [InboxItem(*row) for row in (await session.execute(query)).all()]

    async def answered(
        self,
        inbox_ids: Sequence[int],
        replies: Sequence[NewOutbound],
        *,
        keys: Sequence[tuple[str, str]] = (),
    ) -> list[int]:
        """In one transaction: the updates are answered (their rows go, by id or by
        (chat id, message id) key) and their replies are stored in the outbox. Returns the
        outbox ids, in the order given."""
        ids: list[int] = []
        now = datetime.now(UTC)
        async with self._sessions.begin() as session:
            for reply in replies:
                result = await session.execute(
                    insert(OutboxRow)
                    .values(
                        platform=self.platform.value,
                        chat_id=reply.chat_id,
                        platform_user_id=reply.platform_user_id,
                        payload=reply.payload,
                        progress=0,
                        created_at=now,
                    )
                    .returning(OutboxRow.id)
                )
                ids.append(int(result.scalar_one()))
            if inbox_ids:
                await session.execute(delete(InboxRow).where(InboxRow.id.in_(list(inbox_ids))))
            for chat_id, message_id in keys:
                await session.execute(
                    delete(InboxRow).where(
                        InboxRow.platform == self.platform.value,
                        InboxRow.chat_id == chat_id,
                        InboxRow.message_id == message_id,
                    )
                )
        return ids

    async def outbound(self, chat_id: str | None = None) -> list[OutboxItem]:
        """Replies stored but not yet accepted by the platform, oldest first; only this
        chat's when ``chat_id`` is given."""
        query = (
            select(OutboxRow.id, OutboxRow.chat_id, OutboxRow.payload, OutboxRow.progress)
            .where(OutboxRow.platform == self.platform.value)
            .order_by(OutboxRow.id)
        )
        if chat_id is not None:
            query = query.where(OutboxRow.chat_id == chat_id)
        async with self._reads() as session:
            return [OutboxItem(*row) for row in (await session.execute(query)).all()]

    async def progressed(self, outbox_id: int, progress: int) -> None:
        """``progress`` platform calls of this reply were accepted."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxRow).where(OutboxRow.id == outbox_id).values(progress=progress)
            )

    async def sent(self, outbox_id: int) -> None:
        """The whole reply was accepted (or refused for good): it leaves the outbox."""
        async with self._sessions.begin() as session:
            await session.execute(delete(OutboxRow).where(OutboxRow.id == outbox_id))

    async def discard(self, chat_id: str, message_id: str) -> None:
        """Drop an inbox row by its message key (one stored late, after it was answered)."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(InboxRow).where(
                    InboxRow.platform == self.platform.value,
                    InboxRow.chat_id == chat_id,
                    InboxRow.message_id == message_id,
                )
            )
