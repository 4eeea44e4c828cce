"""Chat leases: the one claim that lets any number of workers share one inbox and outbox.

A worker may answer a chat (its inbox rows, in order) and send its outbox only while it holds
that chat's lease: a ``chat_leases`` row naming the worker, valid until ``expires_at``. The
worker renews it while it works (a heartbeat) and deletes it when the chat has no work left;
a worker that dies simply stops renewing, and once the lease has run out any worker takes the
chat over and finishes what is left (outbox first, then inbox, both in id order).

Taking a lease is one statement, atomic on both databases: an upsert that inserts the row,
or overwrites it only if it has run out (or is already ours) —
``INSERT … ON CONFLICT (platform, chat_id) DO UPDATE … WHERE expires_at < now OR
worker_id = me RETURNING chat_id``. PostgreSQL locks the conflicting row for the statement,
so of two workers racing for one chat exactly one gets a row back; SQLite has one writer.
No lock is held while the chat is answered (a lease, not a long transaction), so a worker's
crash costs at most one lease of delay, and its connection is not needed to release it.
``SELECT … FOR UPDATE SKIP LOCKED`` would only spread workers over candidates; shuffling
the candidates does that here without a second statement.

Why not a job-queue library (procrastinate and the like, with per-key locks): they are
PostgreSQL-only, while the same inbox serves the single process on SQLite; and they would be a
second queue beside the inbox table that already is one (dedupe, order, /forget erasure).

Time is the workers' clocks (UTC): machines sharing a database must agree within a small
part of the lease (NTP does). Source of the pattern: leases (Gray and Cheriton, 1989).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain import Platform
from bot.storage.engine import read_session_factory
from bot.storage.models import ChatLeaseRow, InboxRow, OutboxRow


class ChatLeases:
    """The chat leases of one platform for one worker (``worker_id``, unique per process).

    ``lease_s``: how long a claim or renewal holds, in seconds. A worker that stops renewing
    loses its chats that long after its last renewal.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platform: Platform,
        worker_id: str,
        lease_s: float,
    ) -> None:
        if lease_s <= 0:
            raise ValueError("a lease must last more than 0 seconds")
        self._sessions = sessions
        self._reads = read_session_factory(sessions)
        self.platform = platform
        self.worker_id = worker_id
        self.lease_s = lease_s
        bind = sessions.kw.get("bind")
        self._postgres = isinstance(bind, AsyncEngine) and bind.dialect.name == "postgresql"

    async def waiting(self, limit: int) -> list[str]:
        """Chats with stored work (inbox or outbox rows) and no live lease (this worker's own
        included: a chat it holds is already being answered), oldest work first; at most
        ``limit``."""
        platform = self.platform.value
        work = union(
            select(InboxRow.chat_id, InboxRow.id.label("row")).where(InboxRow.platform == platform),
            select(OutboxRow.chat_id, OutboxRow.id.label("row")).where(
                OutboxRow.platform == platform
            ),
        ).subquery()
        free = or_(ChatLeaseRow.chat_id.is_(None), ChatLeaseRow.expires_at < datetime.now(UTC))
        query = (
            select(work.c.chat_id)
            .outerjoin(
                ChatLeaseRow,
                and_(ChatLeaseRow.platform == platform, ChatLeaseRow.chat_id == work.c.chat_id),
            )
            .where(free)
            .group_by(work.c.chat_id)
            .order_by(func.min(work.c.row))
            .limit(limit)
        )
        async with self._reads() as session:
            return [str(row[0]) for row in (await session.execute(query)).all()]

    async def claim(self, limit: int, exclude: Collection[str] = ()) -> list[str]:
        """Take up to ``limit`` waiting chats, none of ``exclude``; the ones now ours (each
        taken atomically).

        Candidates are the oldest ``4 * limit`` waiting chats in random order, so workers
        polling at the same moment mostly try different chats.
        """
        if limit <= 0:
            return []
        candidates = [c for c in await self.waiting(4 * limit + len(exclude)) if c not in exclude]
        random.shuffle(candidates)
        taken: list[str] = []
        for chat_id in candidates:
            if len(taken) >= limit:
                break
            if await self.take(chat_id):
                taken.append(chat_id)
        return taken

    async def take(self, chat_id: str) -> bool:
        """Take or renew this chat's lease: True if it is ours until ``lease_s`` from now,
        False while another worker's lease on it is live. (A lease of ours that a /forget
        erased is simply taken again.)"""
        now = datetime.now(UTC)
        values = {
            "platform": self.platform.value,
            "chat_id": chat_id,
            "worker_id": self.worker_id,
            "expires_at": now + timedelta(seconds=self.lease_s),
        }
        dialect = postgresql if self._postgres else sqlite
        statement = dialect.insert(ChatLeaseRow).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[ChatLeaseRow.platform, ChatLeaseRow.chat_id],
            set_={"worker_id": self.worker_id, "expires_at": values["expires_at"]},
            where=or_(ChatLeaseRow.expires_at < now, ChatLeaseRow.worker_id == self.worker_id),
        ).returning(ChatLeaseRow.chat_id)
        async with self._sessions.begin() as session:
            return (await session.execute(statement)).first() is not None

    async def release(self, chat_ids: Sequence[str]) -> None:
        """Give these chats up (only where the lease is still ours)."""
        if not chat_ids:
            return
        async with self._sessions.begin() as session:
            await session.execute(
                delete(ChatLeaseRow).where(
                    ChatLeaseRow.platform == self.platform.value,
                    ChatLeaseRow.chat_id.in_(list(chat_ids)),
                    ChatLeaseRow.worker_id == self.worker_id,
                )
            )
