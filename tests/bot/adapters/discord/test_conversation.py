"""Conversations through real discord.py: where the bot talks, whose history is whose, and
that a message is answered once even when it is delivered again (also after a reconnect)."""

from __future__ import annotations

import json

import discord
import pytest
import simcord

from bot import outbox
from bot.adapters.discord_bot import AttuneBot
from bot.adapters.discord_send import DM_SENT
from bot.core import Core
from bot.domain import Platform, Reply
from bot.storage.mailbox import NewOutbound
from bot.storage.repository import Repository
from tests.backends import BACKENDS

from .conftest import make_bot, texts_of

pytestmark = pytest.mark.backends(*BACKENDS)


def bot_messages(channel: simcord.ChannelHandle, bot: discord.Client) -> list[discord.Message]:
    assert bot.user is not None
    return [m for m in channel.history() if m.author.id == bot.user.id]


async def test_dm_conversation(simcord_env: simcord.Env, repository: Repository) -> None:
    alice = simcord_env.create_user("alice")
    await alice.send_dm("I had a wonderful day and I feel so happy!")
    await alice.send_dm("but now I'm worried about the exam tomorrow")

    replies = bot_messages(alice.dm_channel, simcord_env.bot)
    assert len(replies) == 2 and all(r.content for r in replies)
    assert replies[0].reference is None  # a DM needs no reply thread
    assert await texts_of(repository, alice.id) == [
        "I had a wonderful day and I feel so happy!",
        "but now I'm worried about the exam tomorrow",
    ]


async def test_server_messages_only_when_mentioned_or_replied_to(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    bot_user = simcord_env.bot.user
    assert bot_user is not None

    await alice.send(channel, "talking to my friends, not the bot")
    assert bot_messages(channel, simcord_env.bot) == []

    asked = await alice.send(channel, f"{bot_user.mention} I feel a bit lonely today")
    replies = bot_messages(channel, simcord_env.bot)
    assert len(replies) == 1
    assert replies[0].reference is not None and replies[0].reference.message_id == asked.id

    await alice.send(channel, "thanks, that helps", reply_to=replies[0])
    assert len(bot_messages(channel, simcord_env.bot)) == 2
    # The mention is not part of what the core reads.
    assert await texts_of(repository, alice.id) == [
        "I feel a bit lonely today",
        "thanks, that helps",
    ]


async def test_a_mention_of_the_bots_own_role_counts(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    cached = simcord_env.bot.get_guild(guild.id)
    assert cached is not None and cached.me is not None
    [role] = [r for r in cached.me.roles if r.managed]

    await alice.send(channel, f"<@&{role.id}> feeling a bit off today")
    assert len(bot_messages(channel, simcord_env.bot)) == 1
    assert await texts_of(repository, alice.id) == ["feeling a bit off today"]


async def test_history_is_per_person_across_dms_and_servers(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice_user, bob_user = simcord_env.create_user("alice"), simcord_env.create_user("bob")
    alice, bob = guild.add_member(alice_user), guild.add_member(bob_user)
    mention = simcord_env.bot.user.mention if simcord_env.bot.user else ""

    await alice_user.send_dm("alice in a DM")
    await bob.send(channel, f"{mention} bob in the server")
    await alice.send(channel, f"{mention} alice in the server")
    await bob_user.send_dm("bob in a DM")

    assert await texts_of(repository, alice.id) == ["alice in a DM", "alice in the server"]
    assert await texts_of(repository, bob.id) == ["bob in the server", "bob in a DM"]

    # /history in a server goes to the DM, and shows only the asker's own entries.
    await bob.send(channel, f"{mention} /history")
    assert bot_messages(channel, simcord_env.bot)[-1].content == DM_SENT
    private = bot_messages(bob_user.dm_channel, simcord_env.bot)[-1].content
    assert "bob in the server" in private and "bob in a DM" in private
    assert "alice" not in private


async def test_a_message_delivered_twice_is_answered_once_also_after_a_restart(
    simcord_env: simcord.Env, core: Core, repository: Repository
) -> None:
    alice = simcord_env.create_user("alice")
    sent = await alice.send_dm("a rough morning, honestly")
    stored = simcord_env.backend.get_message(sent.channel.id, sent.id)

    simcord_env.backend.announce_message_create(stored)  # the gateway delivers it again
    await simcord_env.settle()
    assert len(bot_messages(alice.dm_channel, simcord_env.bot)) == 1

    await simcord_env.restart_bot(make_bot(core))  # a new connection, same database
    simcord_env.backend.announce_message_create(stored)
    await simcord_env.settle()
    assert isinstance(simcord_env.bot, AttuneBot)
    assert len(bot_messages(alice.dm_channel, simcord_env.bot)) == 1
    assert await texts_of(repository, alice.id) == ["a rough morning, honestly"]


async def test_other_bots_and_empty_server_messages_are_ignored(
    simcord_env: simcord.Env,
) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    other_bot = guild.add_member(simcord_env.create_user("helper", bot=True))
    mention = simcord_env.bot.user.mention if simcord_env.bot.user else ""
    await other_bot.send(channel, f"{mention} beep boop")
    assert bot_messages(channel, simcord_env.bot) == []


async def test_one_persons_messages_are_answered_in_order(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    alice = simcord_env.create_user("alice")
    channel = alice.dm_channel
    texts = [f"message number {n}, feeling okay" for n in range(4)]
    for text in texts:  # all arrive before the bot has answered any
        simcord_env.backend.create_message(channel.id, alice.id, text)
    await simcord_env.settle()

    assert await texts_of(repository, alice.id) == texts
    assert len(bot_messages(channel, simcord_env.bot)) == 4


async def test_check_in_reaches_the_dm_it_was_set_from(simcord_env: simcord.Env) -> None:
    from bot.reminders import reminder_reply

    alice = simcord_env.create_user("alice")
    await alice.send_dm("hello")
    bot = simcord_env.bot
    assert isinstance(bot, AttuneBot)
    before = len(bot_messages(alice.dm_channel, bot))
    check_in: Reply = reminder_reply()
    await bot.deliver(str(alice.dm_channel.id), check_in)
    sent = bot_messages(alice.dm_channel, bot)
    assert len(sent) == before + 1
    assert sent[-1].content == check_in.text


async def test_a_message_stored_but_not_answered_before_a_restart_is_answered_after(
    simcord_env: simcord.Env, core: Core, repository: Repository
) -> None:
    alice = simcord_env.create_user("alice")
    channel = alice.dm_channel
    # Received and stored by a process that died before answering: in the inbox, unanswered.
    lost = simcord_env.backend.create_message(
        channel.id, alice.id, "nobody answered me yesterday", broadcast=False
    )
    inbox = repository.mailbox(Platform.DISCORD)
    payload = json.dumps({"channel": channel.id, "message": lost.id})
    assert await inbox.receive(str(channel.id), str(lost.id), str(alice.id), payload)

    await simcord_env.restart_bot(make_bot(core))
    await simcord_env.settle()
    assert len(bot_messages(channel, simcord_env.bot)) == 1
    assert await texts_of(repository, alice.id) == ["nobody answered me yesterday"]
    assert await inbox.pending() == []
    simcord_env.backend.announce_message_create(lost)  # and a late gateway copy: still once
    await simcord_env.settle()
    assert len(bot_messages(channel, simcord_env.bot)) == 1


async def test_a_reply_stored_but_not_sent_before_a_restart_is_sent_after(
    simcord_env: simcord.Env, core: Core, repository: Repository
) -> None:
    alice = simcord_env.create_user("alice")
    channel = alice.dm_channel
    box = repository.mailbox(Platform.DISCORD)
    to = {"channel": channel.id, "reference": None}
    payload = outbox.encode(Reply("I'm still here for you."), to)
    await box.answered([], [NewOutbound(str(channel.id), str(alice.id), payload)])

    await simcord_env.restart_bot(make_bot(core))
    await simcord_env.settle()
    assert [m.content for m in bot_messages(channel, simcord_env.bot)] == [
        "I'm still here for you."
    ]
    assert await box.outbound() == []


async def test_an_edit_into_crisis_language_gets_help_once(simcord_env: simcord.Env) -> None:
    fay = simcord_env.create_user("fay")
    sent = await fay.send_dm("I'm fine, just a long day")
    assert len(bot_messages(fay.dm_channel, simcord_env.bot)) == 1
    await fay.edit(sent, "I'm fine, just a long day. I'm going to end my life tonight")
    replies = bot_messages(fay.dm_channel, simcord_env.bot)
    assert len(replies) == 2
    assert "findahelpline" in replies[-1].content or "988" in replies[-1].content
    await fay.edit(sent, "I'm going to end my life tonight, I've decided")
    assert len(bot_messages(fay.dm_channel, simcord_env.bot)) == 2  # once per message


async def test_an_edit_without_risk_stays_silent(simcord_env: simcord.Env) -> None:
    gus = simcord_env.create_user("gus")
    sent = await gus.send_dm("had pasta for dinner")
    await gus.edit(sent, "had pasta and salad for dinner")
    assert len(bot_messages(gus.dm_channel, simcord_env.bot)) == 1
