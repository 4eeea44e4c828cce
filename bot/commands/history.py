"""The history family: /history, /why, /heard and /timeline — what attune kept of a person's
messages and recordings, shown only to them.

/heard and /timeline read the newest entry that came from a recording
(``MoodEntry.media_kind``): the words are the stored entry text after any caption
(``heard_from``), the chart is drawn from the per-frame readings kept with a video's entry — no
recording is ever kept. A recording that gave nothing to read is stored nowhere; when it came
after the entry a command would show, the command says what happened to it instead
(``bot.unread``, through ``CommandContext.unread``).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from bot.commands.table import Command, CommandContext
from bot.domain import MediaKind, MoodEntry, Reply
from bot.entry_text import entry_row, local_time
from bot.explain import why_text
from bot.mood.timeline_chart import render_timeline_async
from bot.mood.timezones import resolve_zone
from responses.risk_state import RiskState

HISTORY_DEFAULT = 5
HISTORY_MAX = 50


async def _zone(ctx: CommandContext) -> tuple[tzinfo, str | None]:
    """The user's zone for showing times, and its name when they set one (UTC otherwise)."""
    if ctx.user is not None:
        settings = await ctx.repository.get_settings(ctx.user.id)
        if settings is not None and settings.timezone:
            return resolve_zone(settings.timezone), settings.timezone
    return UTC, None


def _format_entry(entry: MoodEntry, zone: tzinfo = UTC) -> str:
    row = entry_row(entry, zone)
    sources = []
    if row.words:
        sources.append(f"words: {row.words}")
    if row.face:
        sources.append(f"face: {row.face}")
    sources.append(f"overall: {row.overall}")
    if row.correction:
        sources.append(f"you said: {row.correction}")
    return f"{row.when}  “{row.text}”\n   " + ", ".join(sources)


HISTORY_USAGE = "Use /history or /history N, with N a number like 10."
NO_HISTORY_YET = "There's no history yet — tell me how you are, and it starts here."


def parse_count(args: str) -> int | None:
    """A positive count typed as ASCII digits ("10"); None for anything else.

    ``str.isdigit`` is true for "²" and "①", which ``int`` refuses: only 0-9 count here.
    """
    if not args.isascii() or not args.isdigit() or int(args) < 1:
        return None
    return int(args)


async def history(ctx: CommandContext) -> Reply:
    count = HISTORY_DEFAULT
    if ctx.args:
        parsed = parse_count(ctx.args)
        if parsed is None:
            return Reply(HISTORY_USAGE, private=True)
        count = min(parsed, HISTORY_MAX)
    if ctx.user is None:
        return Reply(NO_HISTORY_YET)
    entries = await ctx.repository.recent_entries(ctx.user.id, count)
    if not entries:
        return Reply(NO_HISTORY_YET)
    header = f"Your last {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}, newest first:"
    zone, zone_name = await _zone(ctx)
    if zone_name is not None:
        header = header[:-1] + f" (times in {zone_name}):"
    return Reply("\n".join([header, *(_format_entry(e, zone) for e in entries)]))


UNREAD_WHY = "so I read nothing from it and kept nothing of it."


async def why(ctx: CommandContext) -> Reply:
    entries = await ctx.repository.recent_entries(ctx.user.id, 1) if ctx.user else []
    missed = await unread_since(ctx, entries[0] if entries else None, UNREAD_WHY)
    if missed is not None:  # a newer recording gave nothing to read: say what happened to it
        return Reply(missed)
    if not entries:
        return Reply("I haven't read anything from you yet, so there's nothing to explain.")
    # The conversation's risk state shapes replies for hours: /why says so while it does.
    state = RiskState.from_json(await ctx.repository.risk_state(entries[0].user_id))
    return Reply(why_text(entries[0], state, ctx.clock()))


NO_RECORDING = (
    "You haven't sent me a voice message or video yet, so there's nothing I heard to repeat."
)
NO_VIDEO = "You haven't sent me a video yet, so there's no timeline to draw."
NO_FACE_TIMELINE = (
    "I couldn't see a face in your last video ({when}), so there's no timeline to draw."
)
_NAMES = {MediaKind.VOICE: "voice message", MediaKind.VIDEO: "video"}


async def _when(ctx: CommandContext, at: datetime) -> str:
    """``at`` in the user's zone ("2026-11-29 21:30"), as /history shows times."""
    zone, _ = await _zone(ctx)
    return local_time(at, zone)


async def unread_since(
    ctx: CommandContext, entry: MoodEntry | None, ending: str, *, videos_only: bool = False
) -> str | None:
    """What happened to the user's last recording that gave nothing to read, when it came
    after ``entry`` (their newest entry the command would otherwise show; None: none):
    "Your last video (2026-11-29 21:30) had no face I could see in its 38 frames, {ending}".
    None when there is no such recording."""
    since = entry.created_at if entry is not None else None
    missed = ctx.unread.last(ctx.message.user, since)
    if missed is None or (videos_only and missed.kind is not MediaKind.VIDEO):
        return None
    when = await _when(ctx, missed.at)
    return f"Your last {missed.name} ({when}) {missed.what_happened()}, {ending}"


async def heard(ctx: CommandContext) -> Reply:
    """The words heard in the user's last voice message or video (private)."""
    entry = None
    if ctx.user is not None:
        entry = await ctx.repository.latest_media_entry(ctx.user.id)
    missed = await unread_since(ctx, entry, "so I have no words from it to repeat.")
    if missed is not None:
        return Reply(missed, private=True)
    if entry is None or entry.media_kind is None:
        return Reply(NO_RECORDING, private=True)
    name, when = _NAMES[entry.media_kind], await _when(ctx, entry.created_at)
    words = entry.heard_text
    if words is None:
        return Reply(f"I couldn't hear any words in your last {name} ({when}).", private=True)
    return Reply(f"In your last {name} ({when}) I heard: “{words}”", private=True)


async def timeline(ctx: CommandContext) -> Reply:
    """A chart of the face's emotions over the user's last video (private)."""
    entry = None
    if ctx.user is not None:
        entry = await ctx.repository.latest_media_entry(ctx.user.id, (MediaKind.VIDEO,))
    ending = "so there's no timeline to draw."
    missed = await unread_since(ctx, entry, ending, videos_only=True)
    if missed is not None:
        return Reply(missed, private=True)
    if entry is None:
        return Reply(NO_VIDEO, private=True)
    when = await _when(ctx, entry.created_at)
    if not entry.media_timeline:
        return Reply(NO_FACE_TIMELINE.format(when=when), private=True)
    png = await render_timeline_async(entry.media_timeline, f"Your face in your video of {when}")
    text = entry.media_summary or "Your face over your last video."
    return Reply(f"{text} Each dot is one frame I read.", image_png=png, private=True)


HISTORY = (
    Command("history", "your last entries and their emotions", history, True, "[N]"),
    Command("why", "why I read your last message the way I did", why, True),
    Command("heard", "what I heard in your last voice message or video", heard, True),
    Command("timeline", "a chart of your face over your last video", timeline, True),
)
