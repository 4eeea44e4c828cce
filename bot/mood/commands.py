"""/mood and /export: the handlers, kept apart from the command table.

Each handler is a thin wrapper over a function that takes the repository, the user and the
clock explicitly, so the behaviour is testable without the whole core. Replies are private:
they show the user's own data.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands import CommandContext
from bot.domain import Reply, UserRecord
from bot.mood.chart import render_chart_async
from bot.mood.export import ExportData, build_export_async
from bot.mood.report import NO_HISTORY, describe, empty_period
from bot.mood.summary import parse_period, summarise, window
from bot.mood.timezones import resolve_zone, zone_or_utc
from bot.storage.repository import Repository

#: Before any entry can exist; ``entries_since`` from here returns the whole history.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)

MOOD_USAGE = "Use /mood (the last 7 days), /mood month (30 days) or /mood all."
NOTHING_TO_EXPORT = "I hold no data about you, so there is nothing to export."


async def mood_reply(repository: Repository, user: UserRecord, args: str, now: datetime) -> Reply:
    period = parse_period(args)
    if period is None:
        return Reply(MOOD_USAGE, private=True)
    first = await repository.first_entry_at(user.id)
    if first is None:
        return Reply(NO_HISTORY, private=True)
    settings = await repository.get_settings(user.id)
    zone_name = settings.timezone if settings else None
    win = window(period, zone_or_utc(zone_name), now, first)
    points = await repository.mood_points(user.id, win.query_start, win.end)
    summary = summarise(points, win)
    if summary.entries == 0:
        return Reply(empty_period(period), private=True)
    png = await render_chart_async(summary)
    text = describe(summary, zone_is_default=zone_name is None)
    return Reply(text, image_png=png, private=True)


async def export_reply(repository: Repository, user: UserRecord, now: datetime) -> Reply:
    settings = await repository.get_settings(user.id)
    entries = await repository.entries_since(user.id, BEGINNING)
    zone = resolve_zone(settings.timezone) if settings and settings.timezone else None
    files = await build_export_async(ExportData(user, settings, entries, now, zone))
    if not files:
        return Reply(NOTHING_TO_EXPORT, private=True)
    count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
    return Reply(
        f"Here is everything I hold about you ({count}, your settings and consent): "
        "attune-export.json has it all; the CSV files open in a spreadsheet. "
        "/forget erases it from here.",
        files=files,
        private=True,
    )


async def mood(ctx: CommandContext) -> Reply:
    if ctx.user is None:
        return Reply(NO_HISTORY if parse_period(ctx.args) else MOOD_USAGE, private=True)
    return await mood_reply(ctx.core.repository, ctx.user, ctx.args, datetime.now(UTC))


async def export(ctx: CommandContext) -> Reply:
    if ctx.user is None:
        return Reply(NOTHING_TO_EXPORT, private=True)
    return await export_reply(ctx.core.repository, ctx.user, datetime.now(UTC))
