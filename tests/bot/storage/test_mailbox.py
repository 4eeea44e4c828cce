"""The inbox and outbox tables: dedupe by platform message, answer and enqueue atomically."""

from __future__ import annotations

import pytest

from bot.domain import Platform, UserRef
from bot.storage.mailbox import NewOutbound
from bot.storage.repository import Repository
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)


async def test_an_update_is_stored_once_and_not_after_it_was_answered(
    repository: Repository,
) -> None:
    inbox = repository.mailbox(Platform.TELEGRAM)
    first = await inbox.receive("10", "1", "10", '{"update_id": 1}')
    assert first is not None
    assert await inbox.receive("10", "1", "10", '{"update_id": 2}') is None  # redelivery
    other = repository.mailbox(Platform.DISCORD)
    assert await other.receive("10", "1", "10", "{}") is not None  # another platform's key
    user = await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "10"))
    await repository.mark_processed(user.id, Platform.TELEGRAM, "10", "2")
    assert await inbox.receive("10", "2", "10", "{}") is None  # answered before
    assert [item.id for item in await inbox.pending()] == [first]


async def test_answering_removes_the_updates_and_stores_the_reply_in_one_step(
    repository: Repository,
) -> None:
    box = repository.mailbox(Platform.TELEGRAM)
    a = await box.receive("10", "1", "10", "{}")
    b = await box.receive("11", "1", "11", "{}")
    assert a is not None and b is not None
    (outbox_id,) = await box.answered([a], [NewOutbound("10", "10", '{"text": "hi"}')])
    assert [item.id for item in await box.pending()] == [b]
    (item,) = await box.outbound()
    assert (item.id, item.chat_id, item.progress) == (outbox_id, "10", 0)
    await box.progressed(outbox_id, 2)
    assert (await box.outbound())[0].progress == 2
    await box.sent(outbox_id)
    assert await box.outbound() == []
    await box.discard("11", "1")
    assert await box.pending() == []
