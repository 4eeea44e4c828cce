"""ORM models. These rows never leave ``bot.storage``: the repository converts them.

Every instant is a ``UtcDateTime`` (stored UTC, read back zone-aware UTC on every backend).
The schema is created only by the Alembic migrations in ``migrations/``; a test checks that
these models and the migrated schema match. Image bytes are never stored.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.storage.erasure import IN_FLIGHT
from bot.storage.types import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    entries: Mapped[list[EntryRow]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class EntryRow(Base):
    """One analysed message with its per-source probabilities and the reply chosen."""

    __tablename__ = "entries"
    __table_args__ = (Index("ix_entries_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    chat_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    text: Mapped[str] = mapped_column(Text)
    text_probs: Mapped[dict[str, float] | None] = mapped_column(JSON)
    face_probs: Mapped[dict[str, float] | None] = mapped_column(JSON)
    fused_probs: Mapped[dict[str, float]] = mapped_column(JSON)
    #: The history prior and each source's weight, kept so /why can explain this entry later.
    history_probs: Mapped[dict[str, float] | None] = mapped_column(JSON)
    weights: Mapped[dict[str, float] | None] = mapped_column(JSON)
    fused_label: Mapped[str] = mapped_column(String(16))
    #: How sure the fused reading was (0..1), for /why; None for entries stored before 0003.
    fused_confidence: Mapped[float | None] = mapped_column(Float)
    valence: Mapped[float] = mapped_column(Float)
    dominant: Mapped[str] = mapped_column(String(16))
    disagreement: Mapped[bool] = mapped_column(Boolean, default=False)
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    face_count: Mapped[int] = mapped_column(Integer, default=0)
    correction: Mapped[str | None] = mapped_column(String(16))
    tone: Mapped[str | None] = mapped_column(String(32))
    reply_id: Mapped[str | None] = mapped_column(String(64))
    #: The recording read ("voice" / "video"; None: typed words or a photo). Since 0006.
    media_kind: Mapped[str | None] = mapped_column(String(8))
    #: Where in ``text`` the words heard in that recording begin (None: none heard).
    heard_from: Mapped[int | None] = mapped_column(Integer)
    #: A video's face timeline in one sentence, made from its readings only (for /why).
    media_summary: Mapped[str | None] = mapped_column(Text)
    #: A video's per-frame readings, [[seconds, label or null, confidence], ...] (at most 40;
    #: for /timeline). Readings only: media bytes are never stored.
    media_timeline: Mapped[list[list[object]] | None] = mapped_column(JSON)

    user: Mapped[UserRow] = relationship(back_populates="entries")


class ProcessedMessageRow(Base):
    """Platform message ids already answered, so a redelivered message is answered once."""

    __tablename__ = "processed_messages"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UserSettingsRow(Base):
    """Per-user settings: the time zone and the opt-in daily check-in reminder.

    A table of its own (one row per user, created on first use) so the users table stays as
    it is. ``reminder_next_at`` is the next reminder instant in UTC, precomputed from the
    local time and zone, so the scheduler finds due reminders with one indexed range query;
    ``reminder_last_sent_on`` (the user's local date) is the claim that stops a second send.
    """

    __tablename__ = "user_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    timezone: Mapped[str | None] = mapped_column(String(64))
    remind_at: Mapped[str | None] = mapped_column(String(5))
    remind_platform: Mapped[str | None] = mapped_column(String(16))
    remind_chat_id: Mapped[str | None] = mapped_column(String(64))
    reminder_next_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    reminder_last_sent_on: Mapped[date | None] = mapped_column(Date)
    #: When the user opted in to reminders (their consent); cleared by ``/remind off``.
    reminders_opted_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InboxRow(Base):
    """An inbound platform update, committed before the platform is told it was received.

    The row lives until the update is answered (its reply is in the outbox), then it is
    deleted in the same transaction; rows still here at start-up are answered then. The
    dedupe key is the platform message (platform + chat + message id), as in
    ``processed_messages``. ``payload`` is the platform's own serialised update (JSON).
    """

    __tablename__ = "inbox"
    # Work in flight: /forget leaves a waiting message to be answered (then deleted as usual).
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "message_id"),
        {"info": {IN_FLIGHT: True}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    #: The sender's platform user id.
    platform_user_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxRow(Base):
    """A reply stored before it is sent; deleted once the platform accepted all of it.

    ``payload`` is the reply and where it goes (JSON, pictures and files base64);
    ``progress`` counts the platform calls of this reply already accepted, so a retry
    resumes after them instead of sending them again.
    """

    __tablename__ = "outbox"
    # Work in flight: /forget leaves a reply to be delivered (then deleted as usual).
    __table_args__ = ({"info": {IN_FLIGHT: True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    platform_user_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RiskStateRow(Base):
    """A user's conversation risk state (``responses.risk_state.RiskState`` as JSON).

    One row per user who ever raised a risk signal; the safety screen reads it with the turn
    context and writes it back after each message. Erased with the user by /forget.
    """

    __tablename__ = "risk_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ChatLeaseRow(Base):
    """A worker's claim on one chat: while ``expires_at`` is ahead, only ``worker_id``
    answers that chat's inbox and sends its outbox (``bot.storage.leases``).

    The row lives only while the chat has work (the worker deletes it when done). /forget
    leaves it alone: erasing a live lease let a second worker answer the same chat.
    """

    __tablename__ = "chat_leases"
    __table_args__ = ({"info": {IN_FLIGHT: True}},)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
