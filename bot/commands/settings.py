"""The settings family: /timezone and /remind, the user's zone and their opt-in daily check-in.

Changes go through ``Repository.update_settings`` with a pure function from
``bot.reminders``, in one locked transaction, so a reminder the scheduler claims at the same
moment is never overwritten with stale state.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime, time

from bot.commands.table import Command, CommandContext
from bot.domain import Message, Reply, UserRecord, UserSettings
from bot.mood.timezones import UnknownZone, local_date, resolve_zone, zone_or_utc
from bot.reminders import with_reminder, with_timezone, without_reminder
from bot.storage.repository import Repository

_HHMM = re.compile(r"^(\d{1,2})[:.h](\d{2})$")

TIMEZONE_HELP = (
    "Tell me your time zone as an IANA name, e.g. /timezone Europe/Berlin or "
    "/timezone America/New_York."
)
REMIND_HELP = (
    "Use /remind HH:MM for a daily check-in at that time (your time zone, 24-hour clock, "
    "e.g. /remind 20:30), or /remind off to stop."
)
GROUP_REFUSAL = "Let's set reminders in a private chat with me, so your check-ins reach only you."


def parse_time(text: str) -> time | None:
    """``HH:MM`` (also ``H:MM``, ``HH.MM``, ``HHhMM``), 24-hour; None if not a time."""
    match = _HHMM.match(text.strip().lower())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _either(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _zone_label(settings: UserSettings | None) -> str:
    return settings.timezone if settings and settings.timezone else "UTC"


async def _row(
    user: UserRecord | None, user_row: Callable[[], Awaitable[UserRecord]] | None
) -> UserRecord:
    """The user's row to store settings in: the one given, else created by ``user_row``."""
    if user is not None:
        return user
    if user_row is None:
        raise ValueError("no user row and no way to create one")
    return await user_row()


async def timezone_reply(
    repository: Repository,
    user: UserRecord | None,
    args: str,
    now: datetime,
    user_row: Callable[[], Awaitable[UserRecord]] | None = None,
) -> Reply:
    """/timezone; ``user`` is None when no row exists, ``user_row`` creates it to store."""
    if not args:
        settings = await repository.get_settings(user.id) if user else None
        if settings is None or settings.timezone is None:
            return Reply(f"No time zone set, so I use UTC. {TIMEZONE_HELP}", private=True)
        return Reply(f"Your time zone is {settings.timezone}. {TIMEZONE_HELP}", private=True)
    try:
        zone = resolve_zone(args)
    except UnknownZone as error:
        hint = f" Did you mean {_either(error.suggestions)}?" if error.suggestions else ""
        return Reply(
            f"I don't know the time zone “{error.name}”.{hint} {TIMEZONE_HELP}", private=True
        )
    user = await _row(user, user_row)
    settings = await repository.update_settings(
        user.id, lambda current: with_timezone(current, zone.key, now)
    )
    local = now.astimezone(zone).strftime("%H:%M")
    text = f"Done: your days now follow {zone.key} (it's {local} there)."
    if settings.remind_at is not None:
        text += f" Your daily check-in stays at {settings.remind_at:%H:%M} your time."
    return Reply(text, private=True)


async def remind_reply(
    repository: Repository,
    user: UserRecord | None,
    message: Message,
    args: str,
    now: datetime,
    user_row: Callable[[], Awaitable[UserRecord]] | None = None,
) -> Reply:
    """/remind; ``user`` is None when no row exists, ``user_row`` creates it to store."""
    action = args.strip().lower()
    if not action:
        settings = await repository.get_settings(user.id) if user else None
        if settings is None or settings.remind_at is None:
            return Reply(f"No daily check-in is set. {REMIND_HELP}", private=True)
        return Reply(
            f"Your daily check-in is at {settings.remind_at:%H:%M} ({_zone_label(settings)}). "
            "/remind off stops it.",
            private=True,
        )
    if action in ("off", "stop", "none"):
        before = await repository.get_settings(user.id) if user else None
        if user is None or before is None or before.remind_at is None:
            return Reply("There's no check-in reminder to stop.", private=True)
        await repository.update_settings(user.id, without_reminder)
        return Reply(
            "Okay, no more daily check-ins. /remind HH:MM starts them again.", private=True
        )
    at = parse_time(action)
    if at is None:
        return Reply(REMIND_HELP, private=True)
    if not message.is_private_chat:
        return Reply(GROUP_REFUSAL, private=True)
    user = await _row(user, user_row)
    settings = await repository.update_settings(
        user.id,
        lambda current: with_reminder(current, at, message.user.platform, message.chat_id, now),
    )
    zone = zone_or_utc(settings.timezone)
    assert settings.reminder_next_at is not None
    first = (
        "today"
        if local_date(settings.reminder_next_at, zone) == local_date(now, zone)
        else "tomorrow"
    )
    text = (
        f"Okay, I'll check in here every day at {at:%H:%M} ({_zone_label(settings)}), "
        f"starting {first}. /remind off stops it."
    )
    if settings.timezone is None:
        text += " That's UTC: set your own zone with /timezone, e.g. /timezone Europe/Berlin."
    return Reply(text, private=True)


async def timezone(ctx: CommandContext) -> Reply:
    return await timezone_reply(ctx.repository, ctx.user, ctx.args, ctx.clock(), ctx.user_row)


async def remind(ctx: CommandContext) -> Reply:
    return await remind_reply(
        ctx.repository, ctx.user, ctx.message, ctx.args, ctx.clock(), ctx.user_row
    )


SETTINGS = (
    Command("timezone", "set your time zone (IANA name)", timezone, True, "ZONE"),
    Command("remind", "a daily check-in at your time", remind, True, "HH:MM|off"),
)
