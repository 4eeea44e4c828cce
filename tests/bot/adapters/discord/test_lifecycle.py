"""Start, the message content intent fallback, failures to send, stop — and what the logs
may never contain (the token, anything a user wrote)."""

from __future__ import annotations

import asyncio
import logging

import discord
import pytest
import simcord

from bot.adapters.discord import INTENT_LINE, DiscordAdapter
from bot.adapters.discord_bot import AttuneBot
from bot.adapters.discord_send import DM_CLOSED
from bot.core import Core
from bot.domain import Platform
from bot.storage.repository import Repository

from .conftest import MAX_IMAGE_BYTES
from .test_conversation import bot_messages

TOKEN = "MTIzNDU2Nzg5.fake-secret-token-for-tests"
SECRET_TEXT = "zanzibar quokka marmalade"


async def test_intent_refused_logs_one_line_and_keeps_serving(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    envs: list[simcord.Env] = []
    running = asyncio.Event()

    async def runner(bot: AttuneBot) -> None:
        # Stands in for bot.start(token): a Discord whose portal has the intent switched off.
        env = simcord.Env(bot, approved_intents=discord.Intents.default())
        await env.start()  # raises PrivilegedIntentsRequired while the intent is requested
        envs.append(env)
        running.set()
        try:
            await bot.closed.wait()
        finally:
            await env.shutdown()

    adapter = DiscordAdapter(core, TOKEN, max_image_bytes=MAX_IMAGE_BYTES, runner=runner)
    await adapter.start()
    await running.wait()
    env = envs[0]
    assert adapter.bot is not None and not adapter.bot.intents.message_content
    assert [r.getMessage() for r in caplog.records].count(INTENT_LINE) == 1

    with env.time_context():
        alice = env.create_user("alice")
        await alice.send_dm(SECRET_TEXT)
        assert len(bot_messages(alice.dm_channel, env.bot)) == 1
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        member = guild.add_member(alice)
        mention = env.bot.user.mention if env.bot.user else ""
        await member.send(channel, f"{mention} {SECRET_TEXT} again")
        assert len(bot_messages(channel, env.bot)) == 1  # mentions carry their text anyway
        result = await member.slash(channel, "history")
        assert result.ephemeral and result.response is not None
        assert SECRET_TEXT in result.response.content

    await adapter.stop()
    assert adapter.bot.is_closed()
    await adapter.stop()  # twice is harmless
    assert TOKEN not in caplog.text
    for word in SECRET_TEXT.split():
        assert word not in caplog.text


async def test_with_the_intent_granted_it_starts_once_and_stops(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    starts: list[AttuneBot] = []
    running = asyncio.Event()

    async def runner(bot: AttuneBot) -> None:
        starts.append(bot)
        env = simcord.Env(bot)  # every intent approved
        await env.start()
        running.set()
        try:
            await bot.closed.wait()
        finally:
            await env.shutdown()

    adapter = DiscordAdapter(core, TOKEN, max_image_bytes=MAX_IMAGE_BYTES, runner=runner)
    await adapter.start()
    await running.wait()
    assert len(starts) == 1 and starts[0].intents.message_content
    assert starts[0].is_ready()
    await adapter.stop()
    assert starts[0].is_closed()
    assert INTENT_LINE not in caplog.text and TOKEN not in caplog.text


async def test_start_raises_what_stopped_the_connection(core: Core) -> None:
    async def runner(bot: AttuneBot) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    adapter = DiscordAdapter(core, TOKEN, max_image_bytes=MAX_IMAGE_BYTES, runner=runner)
    with pytest.raises(discord.LoginFailure):
        await adapter.start()
    await adapter.stop()


async def test_closed_dms_are_logged_and_the_server_is_told(
    simcord_env: simcord.Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    dm = alice.user.dm_channel
    simcord_env.inject_error(
        "POST",
        f"/channels/{dm.id}/messages",
        status=403,
        code=50007,
        message="Cannot send messages to this user",
    )
    mention = simcord_env.bot.user.mention if simcord_env.bot.user else ""
    await alice.send(channel, f"{mention} /history")

    assert bot_messages(channel, simcord_env.bot)[-1].content == DM_CLOSED
    assert "HTTP 403, code 50007" in caplog.text
    assert dm.history() == []


async def test_a_failed_send_is_retried_until_delivered_and_the_next_message_answered(
    simcord_env: simcord.Env, caplog: pytest.LogCaptureFixture, repository: Repository
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    alice = simcord_env.create_user("alice")
    dm = alice.dm_channel
    simcord_env.inject_error("POST", f"/channels/{dm.id}/messages", status=500, code=0, times=2)
    await alice.send_dm(SECRET_TEXT)
    deadline = asyncio.get_running_loop().time() + 30
    while len(bot_messages(dm, simcord_env.bot)) < 1:  # the outbox retries with backoff
        assert asyncio.get_running_loop().time() < deadline, "the reply was never delivered"
        await asyncio.sleep(0.2)
    await alice.send_dm("hello again")
    assert len(bot_messages(dm, simcord_env.bot)) == 2
    assert "could not be sent yet" in caplog.text
    assert not any(word in caplog.text for word in SECRET_TEXT.split())
    assert await repository.mailbox(Platform.DISCORD).outbound() == []
