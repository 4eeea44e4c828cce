"""The command table and the context a command runs in: every adapter registers and routes
commands from one table.

A command added once (name, description, handler, whether its answer is private) works in
the console, Telegram (setMyCommands) and Discord (app commands) alike.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import Message, Reply, UserRecord, UserRef
from bot.storage.repository import Repository
from bot.unread import UnreadRecordings
from responses import safety

#: Called after /forget erased the database rows of an account, to erase what an adapter
#: keeps elsewhere (the console's exported files and charts). It returns a line for the user
#: when something could not be erased (None when all went), so /forget never claims too much.
ForgetHook = Callable[[UserRef], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class CommandContext:
    """One command call and what its handler may use — never the core itself.

    ``user`` is None for someone attune holds no row for: a command only reads or answers
    then, and ``user_row()`` creates the row when one must store something (a time zone, a
    reminder), so /help or /start after /forget keep nothing. ``commands`` is the table being
    served (for /help), ``clock`` gives the current instant (zone-aware UTC), ``on_forget``
    the adapters' erasure hooks, ``unread`` the recordings that gave nothing to read.
    """

    repository: Repository
    commands: CommandTable
    clock: Callable[[], datetime]
    user: UserRecord | None
    message: Message
    args: str
    on_forget: Sequence[ForgetHook] = ()
    unread: UnreadRecordings = field(default_factory=UnreadRecordings)

    async def user_row(self) -> UserRecord:
        """The user's row, created now if there is none."""
        if self.user is not None:
            return self.user
        return await self.repository.get_or_create_user(self.message.user)


#: A command's code: the call's context in, the answer out (never a platform object).
Handler = Callable[[CommandContext], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str
    handler: Handler
    #: The answer shows the user's own data: deliver it privately (DM / ephemeral).
    private: bool = False
    #: Usage shown in /help, e.g. "[N]".
    usage: str = ""
    #: Hidden commands (button payloads) are routed but not advertised.
    hidden: bool = False


class CommandTable:
    """Commands by name, in the order they were added (the order /help lists them)."""

    def __init__(self, commands: Iterable[Command] = ()) -> None:
        self._commands: dict[str, Command] = {}
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        if command.name in self._commands:
            raise ValueError(f"command /{command.name} registered twice")
        self._commands[command.name] = command

    def get(self, name: str) -> Command | None:
        return self._commands.get(name.lower())

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def visible(self) -> list[Command]:
        return [c for c in self._commands.values() if not c.hidden]


#: After the slash, whitespace then one or two words: a command typed with a stray space.
_GARBLED = re.compile(r"/+\s+([A-Za-z0-9_]+(?:@\w+)?)(?:\s+\S+)?")


def parse_command(text: str) -> tuple[str, str] | None:
    """Split "/name@botname args" into ("name", "args"); None when text is no command.

    Crisis language is never a command (None), so "/suicide" reaches the safety screen and
    its helpline reply instead of "unknown command". "/ history" (a stray space; at most one
    argument) comes back as the garbled name " history", which no command has, so it is
    answered as an unknown command rather than stored as words. Text of slashes alone is
    made empty by ``clean_text`` before it gets here.
    """
    if not text.startswith("/") or len(text) < 2 or safety.screen(text).flagged:
        return None
    garbled = _GARBLED.fullmatch(text)
    if garbled is not None:
        return " " + garbled.group(1).split("@", 1)[0].lower(), ""
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name or not name.replace("_", "").isalnum():
        return None
    return name, args.strip()
