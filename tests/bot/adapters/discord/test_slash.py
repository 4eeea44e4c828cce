"""Slash commands generated from the core's table: each one answers, answers in a server are
ephemeral (only the user sees their data), and /forget's buttons confirm or cancel."""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.adapters.discord_interactions import NOT_YOURS
from bot.adapters.discord_render import choice_view
from bot.adapters.discord_send import DM_SENT
from bot.commands import Command, CommandContext
from bot.core import Core
from bot.domain import Attachment, Choice, Platform, Reply, UserRef
from bot.storage.repository import Repository

from .conftest import make_bot, texts_of

#: A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def response_text(result: simcord.InteractionResult) -> str:
    assert result.response is not None
    return "\n".join([result.response.content, *(f.content for f in result.followups)])


async def test_every_visible_core_command_is_a_slash_command(
    simcord_env: simcord.Env, core: Core
) -> None:
    alice = simcord_env.create_user("alice")
    expected = {command.name for command in core.commands.visible()}
    assert set(alice.available_commands()) == expected
    assert {"history", "forget", "privacy", "help", "why", "feel"} <= expected


@pytest.mark.parametrize("name", ["help", "privacy", "history", "why", "start"])
async def test_each_simple_command_answers_in_a_dm(simcord_env: simcord.Env, name: str) -> None:
    alice = simcord_env.create_user("alice")
    if name not in alice.available_commands():
        pytest.skip(f"/{name} is not in the core's command table")
    await alice.send_dm("I'm feeling great today!")  # something for /history and /why
    result = await alice.slash(name)
    assert result.acknowledged and not result.ephemeral
    assert response_text(result)


async def test_in_a_server_answers_are_ephemeral(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    await alice.user.send_dm("so tired of everything at work")

    privacy = await alice.slash(channel, "privacy")
    assert privacy.ephemeral and response_text(privacy)
    history = await alice.slash(channel, "history", n="3")
    assert history.ephemeral
    assert "so tired of everything at work" in response_text(history)
    # Nothing landed in the public channel.
    assert channel.history() == []


async def test_feel_corrects_the_last_reading(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    alice = simcord_env.create_user("alice")
    await alice.send_dm("the meeting went fine I guess")
    result = await alice.slash("feel", label="sad")
    assert "sad" in response_text(result)
    user = await repository.find_user(UserRef(Platform.DISCORD, str(alice.id)))
    assert user is not None
    [entry] = await repository.recent_entries(user.id, 1)
    assert entry.correction is not None and entry.correction.value == "sad"


async def test_forget_cancel_keeps_and_confirm_erases(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    await alice.user.send_dm("remember this please")

    prompt = await alice.slash(channel, "forget")
    assert prompt.ephemeral and prompt.response is not None
    labels = [c["label"] for row in prompt.response.components for c in row["components"]]
    assert len(labels) == 2

    cancelled = await alice.click(prompt.response, custom_id="/forget cancel")
    assert cancelled.response is not None and cancelled.response.components == []
    assert await texts_of(repository, alice.id) == ["remember this please"]

    prompt = await alice.slash(channel, "forget")
    assert prompt.response is not None
    confirmed = await alice.click(prompt.response, custom_id="/forget confirm")
    assert confirmed.response is not None and confirmed.response.components == []
    assert await texts_of(repository, alice.id) == []


async def test_forget_by_mention_prompts_in_dm_and_buttons_work_there(
    simcord_env: simcord.Env, repository: Repository
) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    mention = simcord_env.bot.user.mention if simcord_env.bot.user else ""
    await alice.send(channel, f"{mention} a quiet sad evening")
    await alice.send(channel, f"{mention} /forget")

    prompt = alice.user.dm_channel.last_message
    assert prompt is not None and prompt.components
    await alice.user.click(prompt, custom_id="/forget confirm")
    assert await texts_of(repository, alice.id) == []
    edited = alice.user.dm_channel.last_message
    assert edited is not None and edited.id == prompt.id and not edited.components


async def test_public_buttons_only_work_for_their_owner(simcord_env: simcord.Env) -> None:
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    mallory = guild.add_member(simcord_env.create_user("mallory"))
    bot_user = simcord_env.bot.user
    assert bot_user is not None
    asked = await alice.send(channel, f"{bot_user.mention} hello")
    # A public prompt answering alice, as a later command with choices might send one.
    target = simcord_env.bot.get_channel(channel.id)
    assert isinstance(target, discord.TextChannel)
    view = choice_view((Choice("Yes", "/forget confirm"),))
    assert view is not None
    public = await target.send("Sure?", view=view, reference=asked)
    await simcord_env.settle()

    result = await mallory.click(public, custom_id="/forget confirm")
    assert result.ephemeral and result.response is not None
    assert result.response.content == NOT_YOURS


async def test_a_guild_id_syncs_the_commands_to_that_server_only(core: Core) -> None:
    guild_id = 424242424242424242
    env = simcord.Env(make_bot(core, guild_id=guild_id))
    guild = env.create_guild(id=guild_id)
    await env.start()
    try:
        with env.time_context():
            channel = guild.create_text_channel("testing")
            alice = guild.add_member(env.create_user("alice"))
            assert "history" in alice.available_commands(channel)
            assert env.create_user("bob").available_commands() == ()  # not global, not in DMs
            result = await alice.slash(channel, "help")
            assert result.ephemeral and response_text(result)
    finally:
        await env.shutdown()


async def test_a_command_added_to_the_core_appears_and_its_reply_is_rendered(
    core: Core,
) -> None:
    """Later issues add commands to the core table; Discord needs no code for them. Long
    text is split at 2,000 characters, pictures and files arrive as attachments."""

    async def report(ctx: CommandContext) -> Reply:
        return Reply(
            f"report for {ctx.args or 'all time'}\n" + "line of the report\n" * 150,
            image_png=PNG,
            files=(Attachment("export.csv", b"when,mood\n", "text/csv"),),
        )

    core.commands.add(Command("report", "your mood report", report, True, "[DAYS]"))
    async with simcord.run(make_bot(core)) as env:
        alice = env.create_user("alice")
        result = await alice.slash("report", days="7")
        assert result.response is not None
        messages = [result.response, *result.followups]
        assert len(messages) == 2 and all(len(m.content) <= 2000 for m in messages)
        assert messages[0].content.startswith("report for 7")
        assert [a.filename for a in messages[-1].attachments] == ["attune.png", "export.csv"]

        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        member = guild.add_member(alice)
        mention = env.bot.user.mention if env.bot.user else ""
        await member.send(channel, f"{mention} /report 30")  # private: goes to the DM
        dm = [m for m in alice.dm_channel.history() if m.author.id != alice.id]
        assert dm[-2].content.startswith("report for 30") and len(dm[-1].attachments) == 2
        public = [m for m in channel.history() if m.author.id != alice.id]
        assert [m.content for m in public] == [DM_SENT]
