"""Slash commands generated from the core's command table, and their registration.

Generic on purpose: a command added to the core's table appears on Discord without Discord
code. Each slash command calls one runner (the interactions cog's ``run_slash``) with its name
and its optional text argument.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord_convert import http_error
from bot.commands import CommandTable

log = logging.getLogger(__name__)

SlashRunner = Callable[[discord.Interaction, str, str | None], Awaitable[None]]


def _param_name(usage: str) -> str:
    """ "[N]" -> "n", "LABEL" -> "label": the slash option named after the command's usage."""
    name = "".join(c if c.isalnum() else "_" for c in usage.lower()).strip("_")
    return name[:32] or "argument"


def _plain_callback(
    run: SlashRunner, name: str
) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
    async def callback(interaction: discord.Interaction) -> None:
        await run(interaction, name, None)

    return callback


def _argument_callback(
    run: SlashRunner, name: str
) -> Callable[[discord.Interaction, str | None], Coroutine[Any, Any, None]]:
    async def callback(interaction: discord.Interaction, argument: str | None = None) -> None:
        await run(interaction, name, argument)

    return callback


def app_commands_for(
    table: CommandTable, run: SlashRunner
) -> list[app_commands.Command[Any, Any, None]]:
    """One slash command per visible core command; an optional text option where it has usage.

    Generic on purpose: commands that later issues add to the core table appear here as-is.
    """
    result: list[app_commands.Command[Any, Any, None]] = []
    for command in table.visible():
        description = (command.description or command.name)[:100]
        slash: app_commands.Command[Any, ..., None]
        if command.usage:
            slash = app_commands.Command(
                name=command.name,
                description=description,
                callback=_argument_callback(run, command.name),
            )
            app_commands.rename(argument=_param_name(command.usage))(slash)
            app_commands.describe(argument=f"optional: {command.usage}"[:100])(slash)
        else:
            slash = app_commands.Command(
                name=command.name,
                description=description,
                callback=_plain_callback(run, command.name),
            )
        result.append(slash)
    return result


async def sync_commands(tree: app_commands.CommandTree[Any], guild_id: int | None) -> None:
    """Register the slash commands with Discord: globally, or in one test server (instant).

    A refusal is logged (status and code) and the bot goes on without them.
    """
    try:
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
            where = f"server {guild_id}"
        else:
            synced = await tree.sync()
            where = "all servers and DMs (may take up to an hour to appear)"
    except discord.HTTPException as error:
        log.warning("discord: could not sync slash commands (%s)", http_error(error))
        return
    log.info("discord: %d slash commands synced for %s", len(synced), where)
