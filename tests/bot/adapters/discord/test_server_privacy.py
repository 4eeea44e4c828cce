"""Through real discord.py (simcord): a reply in a server channel never carries the person's
private history. Alice was sad in DMs over the last days; in a server channel she mentions
the bot with cheerful news, and the reply there says nothing drawn from those days. The
reply wording is random (seeded); the stored readings show deterministically that no history
went into them.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
import simcord

from bot.core import Core, CoreOptions
from bot.domain import Platform, UserRef
from bot.inference import EmotionService
from bot.storage.repository import Repository
from tests.backends import BACKENDS
from tests.bot.private_history import GROUP_TEXTS, add_sad_days, mentions_private_past

from .conftest import MAX_IMAGE_BYTES
from .test_conversation import bot_messages

pytestmark = pytest.mark.backends(*BACKENDS)


@pytest.fixture()
async def core(repository: Repository, emotions: EmotionService) -> AsyncIterator[Core]:
    options = CoreOptions(max_image_bytes=MAX_IMAGE_BYTES)
    yield Core(repository, emotions, options, rng=random.Random(2))


async def test_server_replies_say_nothing_of_private_days(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice_user = simcord_env.create_user("alice")
    alice = guild.add_member(alice_user)
    ref = UserRef(Platform.DISCORD, str(alice_user.id), display_name="alice")
    await add_sad_days(repository, ref, chat_id=str(alice_user.dm_channel.id))
    mention = simcord_env.bot.user.mention if simcord_env.bot.user else ""

    texts = GROUP_TEXTS * 2
    for text in texts:
        await alice.send(channel, f"{mention} {text}")
    replies = bot_messages(channel, simcord_env.bot)
    assert len(replies) == len(texts)
    for reply in replies:
        assert reply.content and not mentions_private_past(reply.content), reply.content
    assert bot_messages(alice_user.dm_channel, simcord_env.bot) == []

    user = await repository.find_user(ref)
    assert user is not None
    in_server = [e for e in await repository.recent_entries(user.id, 50) if e.text in texts]
    assert len(in_server) == len(texts)
    assert all(e.history_probs is None for e in in_server)
