"""The interactions cog: slash commands and confirm/cancel button presses in, replies out.

Slash commands are answered ephemerally in servers (only the person sees them) and in the
open in DMs. A button press goes to the core as that person's message and edits the prompt to
the answer (buttons removed); in a server only the person the prompt answered may press it,
and a private answer to a public prompt goes ephemerally. Both hold the person's lock from
``UserLocks``, shared with the messages cog, so they keep the order of that person's messages.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.adapters.discord_convert import http_error, interaction_message, prompt_owner
from bot.adapters.discord_locks import UserLocks
from bot.adapters.discord_render import Part, parts, send_kwargs
from bot.domain import Reply

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)

NOT_YOURS = "These buttons belong to someone else's conversation with me."


class InteractionsCog(commands.Cog, name="attune-interactions"):
    """Slash commands and button presses, turned into ``Core.handle`` calls."""

    def __init__(self, core: Core, locks: UserLocks) -> None:
        """``locks``: the messages cog's per-user locks (one order per person)."""
        self.core = core
        self.locks = locks

    async def run_slash(
        self, interaction: discord.Interaction, name: str, argument: str | None
    ) -> None:
        """A slash command: answered ephemerally in servers (only the user sees it)."""
        ephemeral = interaction.guild_id is not None
        try:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        except discord.HTTPException as error:
            log.warning(
                "discord: slash command expired before it was answered (%s)", http_error(error)
            )
            return
        text = f"/{name} {argument.strip()}" if argument and argument.strip() else f"/{name}"
        async with self.locks.hold(interaction.user.id):
            reply = await self.core.handle(interaction_message(interaction, text))
        if reply.duplicate:
            with contextlib.suppress(discord.HTTPException):
                await interaction.delete_original_response()
            return
        await self._followups(interaction, reply, parts(reply.text), ephemeral=ephemeral)

    async def press_choice(self, interaction: discord.Interaction, payload: str) -> None:
        """A confirm/cancel press: the payload goes to the core as that user's message, and
        the prompt is edited to the answer (buttons removed, so it cannot be pressed twice).

        The press is acknowledged first (a deferred update), so a slow answer cannot miss
        Discord's three-second window.
        """
        owner = prompt_owner(interaction.message)
        try:
            if owner is not None and owner != interaction.user.id:
                await interaction.response.send_message(NOT_YOURS, ephemeral=True)
                return
            await interaction.response.defer()
            async with self.locks.hold(interaction.user.id):
                reply = await self.core.handle(interaction_message(interaction, payload))
            if reply.duplicate:
                return
            prompt = interaction.message
            ephemeral_prompt = prompt is not None and prompt.flags.ephemeral
            public_prompt = interaction.guild_id is not None and not ephemeral_prompt
            if reply.private and public_prompt:
                await interaction.edit_original_response(view=None)
                await self._followups(interaction, reply, parts(reply.text), ephemeral=True)
                return
            chunks = parts(reply.text)
            await interaction.edit_original_response(content=chunks[0].content or "…", view=None)
        except discord.HTTPException as error:
            log.warning("discord: could not answer a button press (%s)", http_error(error))
            return
        rest = chunks[1:]
        if not rest and (reply.image_png is not None or reply.files or reply.choices):
            rest = [Part(None, last=True)]
        await self._followups(interaction, reply, rest, ephemeral=ephemeral_prompt)

    async def _followups(
        self,
        interaction: discord.Interaction,
        reply: Reply,
        to_send: list[Part],
        *,
        ephemeral: bool,
    ) -> None:
        for part in to_send:
            try:
                await interaction.followup.send(ephemeral=ephemeral, **send_kwargs(part, reply))
            except discord.HTTPException as error:
                log.warning("discord: could not answer an interaction (%s)", http_error(error))
                return
