"""attune's commands: the table and the context they run in (``table``), one module a family
(``account``, ``history``, ``mood``, ``settings``), and the default table (``catalog``), which
the composition root (``bot.app``) builds and hands to the core.

Handlers get a ``CommandContext`` (the repository, the table, a clock, the caller) and return
a ``Reply``; they never see platform objects or the core. Button payloads are commands too
("/forget confirm"), so a choice works the same in every adapter: the console types it,
Telegram sends it as callback data, Discord as a custom id.
"""

from bot.commands.table import (
    Command,
    CommandContext,
    CommandTable,
    ForgetHook,
    Handler,
    parse_command,
)

__all__ = ["Command", "CommandContext", "CommandTable", "ForgetHook", "Handler", "parse_command"]
