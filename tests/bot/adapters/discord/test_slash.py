"""Slash commands generated from the core's table: each one answers, answers in a server are
ephemeral (only the user sees their data), and /forget's buttons confirm or cancel."""

from __future__ import annotations

import discord
import pytest
import simcord

from bot.adapters.discord import NOT_YOURS
from bot.adapters.discord_render import choice_view
from bot.core import Core
from bot.domain import Choice, Platform, UserRef
from bot.storage.repository import Repository

from .conftest import texts_of


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
