"""Shard ranges per process: parsing them, what discord.py sends Discord for them (a local
gateway on 127.0.0.1 records IDENTIFY), which messages a process receives (simcord routes
events by Discord's formula) and which stored messages it recovers after a restart."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import discord
import pytest
import simcord
import yarl

from bot import outbox
from bot.__main__ import _parser, _shard_plan, main
from bot.adapters.discord import DiscordAdapter
from bot.adapters.discord_bot import AttuneBot, ShardedAttuneBot, attune_intents, build_bot
from bot.adapters.discord_shards import ShardPlan, ShardSpecError, format_ranges, parse_shards
from bot.core import Core
from bot.domain import Platform, Reply
from bot.storage.mailbox import NewOutbound
from bot.storage.repository import Repository
from tests.backends import BACKENDS

from .conftest import MAX_IMAGE_BYTES
from .fake_gateway import FakeDiscordGateway
from .test_conversation import bot_messages

TOKEN = "MTIzNDU2Nzg5.fake-secret-token-for-tests"
MESSAGE_CONTENT = 1 << 15


# ------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("spec", "count", "ids"),
    [
        ("0-3", 8, (0, 1, 2, 3)),
        ("5", 8, (5,)),
        ("0,2,5-7", 8, (0, 2, 5, 6, 7)),
        (" 7 , 1-2 ", 8, (1, 2, 7)),
        ("0-0", 1, (0,)),
    ],
)
def test_shard_ranges_parse(spec: str, count: int, ids: tuple[int, ...]) -> None:
    assert parse_shards(spec, count) == ShardPlan(ids, count)


@pytest.mark.parametrize(
    ("spec", "count", "says"),
    [
        ("0-8", 8, "shard 8 does not exist with --shard-count 8 (shards are 0-7)"),
        ("3-1", 8, "the range 3-1 runs backwards"),
        ("0-2,2", 8, "shard 2 is named twice"),
        ("a", 8, "'a' is not a shard or range"),
        ("", 8, "'' is not a shard or range"),
        ("1-", 8, "'1-' is not a shard or range"),
        ("-1", 8, "'-1' is not a shard or range"),
        ("0", 0, "--shard-count must be at least 1"),
    ],
)
def test_bad_shard_ranges_are_one_clear_line(spec: str, count: int, says: str) -> None:
    with pytest.raises(ShardSpecError) as caught:
        parse_shards(spec, count)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_process_owns_its_shards_servers_and_dms_go_to_shard_zero() -> None:
    first, second = parse_shards("0-1", 4), parse_shards("2-3", 4)
    for shard in range(4):
        guild_id = (1_000_000 << 22) + shard * (1 << 22)  # (id >> 22) % 4 == shard
        assert first.shard_of(guild_id) == shard
        assert first.owns(guild_id) != second.owns(guild_id)  # exactly one process owns it
    assert first.owns(None) and first.receives_dms
    assert not second.owns(None) and not second.receives_dms
    assert format_ranges((0, 1, 2, 5, 7, 8)) == "0-2,5,7-8"
    assert parse_shards("0-3,6", 8).describe() == "shards 0-3,6 of 8"


def test_the_discord_command_refuses_a_bad_range_before_anything_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["discord", "--shards", "0-9", "--shard-count", "8"]) == 2
    error = capsys.readouterr().err
    assert (
        error
        == "attune: --shards '0-9': shard 9 does not exist with --shard-count 8 (shards are 0-7)\n"
    )
    assert main(["discord", "--shards", "0-3"]) == 2
    assert "--shards needs --shard-count" in capsys.readouterr().err


def test_the_discord_command_reads_its_shards() -> None:
    def plan(*argv: str) -> ShardPlan | None:
        return _shard_plan(_parser().parse_args(["discord", *argv]))

    assert plan() is None  # one unsharded connection, as python -m bot
    assert plan("--shard-count", "4") == ShardPlan((0, 1, 2, 3), 4)  # all four, one process
    assert plan("--shards", "4-7", "--shard-count", "8") == ShardPlan((4, 5, 6, 7), 8)
    assert _shard_plan(_parser().parse_args(["run"])) is None


# ------------------------------------------------------ what discord.py sends Discord


@pytest.fixture()
async def gateway(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscordGateway]:
    fake = FakeDiscordGateway()
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    local = yarl.URL(f"ws://127.0.0.1:{fake.port}/gateway")
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", local)
    yield fake
    await fake.stop()


async def test_a_process_given_shards_1_and_3_of_4_identifies_with_exactly_those(
    core: Core, gateway: FakeDiscordGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    plan = parse_shards("1,3", 4)
    adapter = DiscordAdapter(core, TOKEN, max_image_bytes=MAX_IMAGE_BYTES, shards=plan)
    await adapter.start()
    try:
        assert [identify["shard"] for identify in gateway.identified] == [[1, 4], [3, 4]]
        assert all(identify["intents"] & MESSAGE_CONTENT for identify in gateway.identified)
        bot = adapter.bot
        assert isinstance(bot, ShardedAttuneBot)
        assert sorted(bot.shards) == [1, 3] and bot.shard_count == 4
        assert gateway.command_syncs == []  # shard 0's process syncs the slash commands
        assert "on shards 1,3 of 4" in caplog.text
    finally:
        await adapter.stop()
    assert TOKEN not in caplog.text


async def test_the_process_with_shard_0_syncs_the_slash_commands_once(
    core: Core, gateway: FakeDiscordGateway
) -> None:
    adapter = DiscordAdapter(
        core, TOKEN, max_image_bytes=MAX_IMAGE_BYTES, shards=parse_shards("0", 2)
    )
    await adapter.start()
    try:
        assert [identify["shard"] for identify in gateway.identified] == [[0, 2]]
        assert gateway.command_syncs == ["global"]
    finally:
        await adapter.stop()


async def test_without_shards_it_is_one_unsharded_connection_as_before(
    core: Core, gateway: FakeDiscordGateway
) -> None:
    adapter = DiscordAdapter(core, TOKEN, max_image_bytes=MAX_IMAGE_BYTES)
    await adapter.start()
    try:
        assert len(gateway.identified) == 1 and "shard" not in gateway.identified[0]
        assert type(adapter.bot) is AttuneBot
        assert gateway.command_syncs == ["global"]
    finally:
        await adapter.stop()


# ------------------------------------- which messages a process receives and recovers


def sharded(core: Core, spec: str, count: int = 4) -> AttuneBot:
    return build_bot(
        core,
        intents=attune_intents(message_content=True),
        max_image_bytes=MAX_IMAGE_BYTES,
        shards=parse_shards(spec, count),
    )


@pytest.fixture()
async def shard_env(core: Core) -> AsyncIterator[simcord.Env]:
    """One Discord with 4 shards; the bot attached is the process for shards 0-1."""
    env = simcord.Env(sharded(core, "0-1"))
    await env.start()
    yield env
    await env.shutdown()


@pytest.mark.backends(*BACKENDS)
async def test_each_process_answers_only_its_own_shards_servers_and_dms_on_shard_0(
    shard_env: simcord.Env, core: Core
) -> None:
    near = shard_env.create_guild("near", shard_id=1)
    far = shard_env.create_guild("far", shard_id=2)
    near_channel, far_channel = (g.create_text_channel("general") for g in (near, far))
    alice = shard_env.create_user("alice")
    at_near, at_far = near.add_member(alice), far.add_member(alice)
    mention = shard_env.bot.user.mention if shard_env.bot.user else ""

    await at_near.send(near_channel, f"{mention} a long day at work")
    await at_far.send(far_channel, f"{mention} a long day at work")
    await alice.send_dm("and a quiet evening")
    assert len(bot_messages(near_channel, shard_env.bot)) == 1
    assert bot_messages(far_channel, shard_env.bot) == []  # shard 2: not this process
    assert len(bot_messages(alice.dm_channel, shard_env.bot)) == 1

    await shard_env.restart_bot(sharded(core, "2-3"))  # the other process's view
    await at_far.send(far_channel, f"{mention} still tired")
    await alice.send_dm("hello?")
    assert len(bot_messages(far_channel, shard_env.bot)) == 1
    assert len(bot_messages(alice.dm_channel, shard_env.bot)) == 1  # DMs come on shard 0


@pytest.mark.backends(*BACKENDS)
async def test_after_a_restart_each_process_recovers_only_its_own_shards_messages(
    shard_env: simcord.Env, core: Core, repository: Repository
) -> None:
    near = shard_env.create_guild("near", shard_id=1)
    far = shard_env.create_guild("far", shard_id=2)
    near_channel, far_channel = (g.create_text_channel("general") for g in (near, far))
    alice = shard_env.create_user("alice")
    near.add_member(alice)
    far.add_member(alice)
    mention = shard_env.bot.user.mention if shard_env.bot.user else ""
    backend = shard_env.backend
    box = repository.mailbox(Platform.DISCORD)
    # Received and stored by processes that died before answering.
    for guild, channel in ((near, near_channel), (far, far_channel)):
        lost = backend.create_message(
            channel.id, alice.id, f"{mention} nobody answered", broadcast=False
        )
        payload = json.dumps({"channel": channel.id, "message": lost.id, "guild": guild.id})
        assert await box.receive(str(channel.id), str(lost.id), str(alice.id), payload)
    # A reply stored before server ids were kept (a DM): shard 0's process sends it.
    legacy = outbox.encode(Reply("still here"), {"channel": alice.dm_channel.id, "reference": None})
    far_reply = outbox.encode(
        Reply("and here"), {"channel": far_channel.id, "reference": None, "guild": far.id}
    )
    await box.answered(
        [],
        [
            NewOutbound(str(alice.dm_channel.id), str(alice.id), legacy),
            NewOutbound(str(far_channel.id), str(alice.id), far_reply),
        ],
    )

    await shard_env.restart_bot(sharded(core, "2-3"))
    await shard_env.settle()
    far_said = [m.content for m in bot_messages(far_channel, shard_env.bot)]
    assert "and here" in far_said and len(far_said) == 2  # the stored reply and the answer
    assert bot_messages(near_channel, shard_env.bot) == []
    assert bot_messages(alice.dm_channel, shard_env.bot) == []
    assert [item.chat_id for item in await box.pending()] == [str(near_channel.id)]
    assert [row.chat_id for row in await box.outbound()] == [str(alice.dm_channel.id)]

    await shard_env.restart_bot(sharded(core, "0-1"))
    await shard_env.settle()
    assert len(bot_messages(near_channel, shard_env.bot)) == 1
    assert [m.content for m in bot_messages(alice.dm_channel, shard_env.bot)] == ["still here"]
    assert len(bot_messages(far_channel, shard_env.bot)) == 2  # not answered twice
    assert await box.pending() == [] and await box.outbound() == []
