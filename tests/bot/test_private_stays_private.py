"""Private stays private: a reply in a group uses only what was written there.

The same person, the same sad private days, the same cheerful words: in their private chat
the reply may compare with those days; in a group it never does, and the reading stored for
the group message is not pulled by their history either.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest

from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, UserRef
from bot.inference import EmotionService
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.text.lexicon import LexiconEstimator
from tests.backends import BACKENDS
from tests.bot.private_history import GROUP_TEXTS, add_sad_days, mentions_private_past

pytestmark = pytest.mark.backends(*BACKENDS)

ANN = UserRef(Platform.TELEGRAM, "501", display_name="Ann")


@pytest.fixture()
async def core(db_url: str) -> AsyncIterator[Core]:
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), None)
    yield Core(Repository(session_factory(engine)), service, CoreOptions(), rng=random.Random(1))
    service.close()
    await engine.dispose()


def said(text: str, *, private: bool, chat: str) -> Message:
    return Message(user=ANN, chat_id=chat, text=text, is_private_chat=private)


async def test_group_replies_never_carry_private_history(core: Core) -> None:
    await add_sad_days(core.repository, ANN, chat_id="501")
    for text in GROUP_TEXTS * 2:
        reply = await core.handle(said(text, private=False, chat="-100777"))
        assert reply.text and not mentions_private_past(reply.text), reply.text
    user = await core.repository.find_user(ANN)
    assert user is not None
    group_entries = [
        e for e in await core.repository.recent_entries(user.id, 50) if e.history_probs
    ]
    assert group_entries == [] or all(e.text.startswith("private") for e in group_entries)


async def test_the_same_words_in_private_may_compare_with_earlier_days(core: Core) -> None:
    """The counterpart that shows the group test can fail: privately, the history is used."""
    await add_sad_days(core.repository, ANN, chat_id="501")
    replies = [
        (await core.handle(said(text, private=True, chat="501"))).text for text in GROUP_TEXTS * 2
    ]
    assert any(mentions_private_past(text) for text in replies)
    user = await core.repository.find_user(ANN)
    assert user is not None
    newest = (await core.repository.recent_entries(user.id, 1))[0]
    assert newest.history_probs is not None
