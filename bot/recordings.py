"""/heard and /timeline: what attune heard in, and saw over, a person's last recording.

Both read the newest entry that came from a recording (``MoodEntry.media_kind``) and answer
privately: the words are the stored entry text after any caption (``heard_from``), the chart
is drawn from the per-frame readings kept with a video's entry — no recording is ever kept.
A recording that gave nothing to read is stored nowhere; when it came after the entry a command
would show, the command says what happened to it instead (``bot.unread``).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from bot.commands import CommandContext
from bot.domain import MediaKind, MoodEntry, Reply
from bot.entry_text import local_time
from bot.mood.timeline_chart import render_timeline_async
from bot.mood.timezones import resolve_zone
from bot.unread import unread_for

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
    zone: tzinfo = UTC
    if ctx.user is not None:
        settings = await ctx.core.repository.get_settings(ctx.user.id)
        if settings is not None and settings.timezone:
            zone = resolve_zone(settings.timezone)
    return local_time(at, zone)


async def unread_since(
    ctx: CommandContext, entry: MoodEntry | None, ending: str, *, videos_only: bool = False
) -> str | None:
    """What happened to the user's last recording that gave nothing to read, when it came
    after ``entry`` (their newest entry the command would otherwise show; None: none):
    "Your last video (2026-11-29 21:30) had no face I could see in its 38 frames, {ending}".
    None when there is no such recording."""
    since = entry.created_at if entry is not None else None
    missed = unread_for(ctx.core.emotions).last(ctx.message.user, since)
    if missed is None or (videos_only and missed.kind is not MediaKind.VIDEO):
        return None
    when = await _when(ctx, missed.at)
    return f"Your last {missed.name} ({when}) {missed.what_happened()}, {ending}"


async def heard(ctx: CommandContext) -> Reply:
    """The words heard in the user's last voice message or video (private)."""
    entry = None
    if ctx.user is not None:
        entry = await ctx.core.repository.latest_media_entry(ctx.user.id)
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
        entry = await ctx.core.repository.latest_media_entry(ctx.user.id, (MediaKind.VIDEO,))
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


def forget_unread(ctx: CommandContext) -> None:
    """/forget: drop what is remembered of the user's last unread recording."""
    unread_for(ctx.core.emotions).forget(ctx.message.user)
