"""The default command table: every family's commands, in the order /help lists them.

The composition root (``bot.app.build_app``) builds it and hands it to the core; a core built
without one (tests, benches) builds the same table.
"""

from __future__ import annotations

from bot.commands.account import ACCOUNT
from bot.commands.history import HISTORY
from bot.commands.mood import MOOD
from bot.commands.settings import SETTINGS
from bot.commands.table import Command, CommandTable

#: How /help (and Telegram's and Discord's command menus) list them.
ORDER = (
    "start",
    "help",
    "history",
    "why",
    "heard",
    "timeline",
    "feel",
    "privacy",
    "forget",
    "mood",
    "export",
    "timezone",
    "remind",
)


def default_commands() -> CommandTable:
    """A new table of every family's commands (a command no ``ORDER`` names comes last)."""
    every: list[Command] = [*ACCOUNT, *HISTORY, *MOOD, *SETTINGS]
    rank = {name: index for index, name in enumerate(ORDER)}
    return CommandTable(sorted(every, key=lambda command: rank.get(command.name, len(ORDER))))
