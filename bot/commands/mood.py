"""The mood family: /feel (and corrections in words), /mood and /export.

/mood and /export are thin wrappers over a function that takes the repository, the user and the
clock explicitly, so the behaviour is testable without the whole core. Replies are private:
they show the user's own data.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands.table import Command, CommandContext
from bot.domain import Reply, UserRecord
from bot.mood.chart import render_chart_async
from bot.mood.export import ExportData, build_export_async
from bot.mood.report import NO_HISTORY, describe, empty_period
from bot.mood.summary import parse_period, summarise, window
from bot.mood.timezones import resolve_zone, zone_or_utc
from bot.storage.repository import Repository
from emotion.labels import Emotion
from responses import corrections

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
    return await mood_reply(ctx.repository, ctx.user, ctx.args, ctx.clock())


async def export(ctx: CommandContext) -> Reply:
    if ctx.user is None:
        return Reply(NOTHING_TO_EXPORT, private=True)
    return await export_reply(ctx.repository, ctx.user, ctx.clock())


async def correct(ctx: CommandContext, label: Emotion) -> Reply:
    """Record ``label`` as what the user really felt in their newest entry: /feel, and a
    correction in words ("that's wrong, I'm anxious"), which the core routes here."""
    user = ctx.user
    entries = await ctx.repository.recent_entries(user.id, 1) if user else []
    if user is None or not entries:
        return Reply("Thanks for telling me. There's nothing to correct yet — how are you now?")
    before = entries[0].correction
    await ctx.repository.set_correction(user.id, entries[0].id, label)
    if before is label:
        # The same correction twice in a row ("no, I'm anxious", then /feel fear): say it is
        # already kept instead of repeating the whole thank-you word for word.
        return Reply(f"I already have that down as {label.value} — thanks for making sure.")
    if before is not None:
        return Reply(f"Updated: I've changed it from {before.value} to {label.value}.")
    return Reply(
        f"Thank you for correcting me — I've noted that you feel {label.value}. "
        "I'll keep that in mind. Do you want to tell me more?"
    )


async def feel(ctx: CommandContext) -> Reply:
    label = corrections.parse_feel_argument(ctx.args)
    if label is None:
        names = ", ".join(e.value for e in Emotion)
        return Reply(f"Tell me which feeling fits: /feel LABEL, one of {names}.")
    return await correct(ctx, label)


MOOD = (
    Command("feel", "correct my reading of your last message", feel, True, "LABEL"),
    Command("mood", "your mood summary and chart", mood, True, "[week|month|all]"),
    Command("export", "all your data as JSON and CSV files", export, True),
)
