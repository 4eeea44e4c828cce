"""The commands every adapter offers, and the table they are registered in.

Handlers get a ``CommandContext`` and return a ``Reply``; they never see platform objects.
Button payloads are commands too ("/forget confirm"), so a choice works the same in every
adapter: the console types it, Telegram sends it as callback data, Discord as a custom id.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from bot import recordings
from bot.commands import Command, CommandContext, CommandTable
from bot.domain import Choice, MoodEntry, Reply, UserRecord
from bot.entry_text import entry_row
from bot.mood import checkin
from bot.mood import commands as mood_commands
from bot.mood.timezones import resolve_zone
from bot.textclean import visible_text
from emotion.labels import Emotion
from responses import corrections
from responses.risk_state import RiskState

if TYPE_CHECKING:
    from bot.core import Core

HISTORY_DEFAULT = 5
HISTORY_MAX = 50

WELCOME = (
    "Hi{name}, I'm attune. I'm here to listen — write to me about your day, and send a selfie "
    "with your message if you like.\n\n"
    "How I work: I read how you might feel from your words and, if you send one, from the "
    "expression on your face. I remember those readings so you can look back at your mood "
    "(/mood for a chart, /history for the entries, /export for a copy of everything). "
    "I keep your messages and the emotions I read; photos are read in memory and never "
    "stored. /forget deletes everything I hold about you, /privacy says more.\n\n"
    "I'm a companion, not a therapist, and I can get things wrong — tell me when I do "
    "(/feel LABEL). If you are in danger, please contact local emergency services."
)

PRIVACY = (
    "What I keep: your messages (text), the emotions I read from them and from your photos, "
    "the replies I chose, corrections you make, and your settings (time zone, daily "
    "check-in time if you turned it on with /remind). Photos, voice messages and videos are "
    "read in memory and never stored or logged; I keep the words I heard in them (/heard) "
    "and, for a video, the emotions I read frame by frame (/timeline). Your data is only "
    "ever shown to you — in group chats I answer these commands privately. /export gives "
    "you a copy of all of it, /forget erases it."
)


async def start(ctx: CommandContext) -> Reply:
    shown = visible_text(ctx.message.user.display_name or "")
    name = f" {shown}" if shown else ""
    return Reply(WELCOME.format(name=name))


async def help_(ctx: CommandContext) -> Reply:
    lines = ["Just write to me, or send a photo with your message. Commands:"]
    for command in ctx.core.commands.visible():
        usage = f" {command.usage}" if command.usage else ""
        lines.append(f"/{command.name}{usage} — {command.description}")
    return Reply("\n".join(lines))


async def privacy(ctx: CommandContext) -> Reply:
    return Reply(PRIVACY)


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
    entries = await ctx.core.repository.recent_entries(ctx.user.id, count)
    if not entries:
        return Reply(NO_HISTORY_YET)
    header = f"Your last {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}, newest first:"
    settings = await ctx.core.repository.get_settings(ctx.user.id)
    zone: tzinfo = UTC
    if settings is not None and settings.timezone:
        zone = resolve_zone(settings.timezone)
        header = header[:-1] + f" (times in {settings.timezone}):"
    return Reply("\n".join([header, *(_format_entry(e, zone) for e in entries)]))


FORGET_CONFIRM = "/forget confirm"
FORGET_CANCEL = "/forget cancel"
NOTHING_TO_FORGET = "I don't hold anything about you, so there's nothing to erase."


async def forget(ctx: CommandContext) -> Reply:
    action = ctx.args.lower()
    if action == "confirm":
        result = await ctx.core.repository.forget(ctx.message.user)
        recordings.forget_unread(ctx)
        problems = [await hook(ctx.message.user) for hook in ctx.core.on_forget]
        count = f"{result.entries} entr{'y' if result.entries == 1 else 'ies'}"
        left = [problem for problem in problems if problem]
        done = (
            f"Done. I erased everything I held about you ({count})."
            if not left
            else f"I erased everything I held about you in my database ({count}), but not all "
            "of your files: " + " ".join(left)
        )
        return Reply(f"{done} If you write again, I'll start fresh.")
    if action == "cancel":
        return Reply("Okay, nothing was deleted.")
    if ctx.user is None:
        return Reply(NOTHING_TO_FORGET)
    return Reply(
        "This erases all your messages, moods and settings here, for good. Are you sure?",
        choices=(
            Choice("Yes, delete everything", FORGET_CONFIRM),
            Choice("Cancel", FORGET_CANCEL),
        ),
    )


async def apply_correction(core: Core, user: UserRecord | None, label: Emotion) -> Reply:
    entries = await core.repository.recent_entries(user.id, 1) if user else []
    if user is None or not entries:
        return Reply("Thanks for telling me. There's nothing to correct yet — how are you now?")
    before = entries[0].correction
    await core.repository.set_correction(user.id, entries[0].id, label)
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
    return await apply_correction(ctx.core, ctx.user, label)


UNREAD_WHY = "so I read nothing from it and kept nothing of it."


async def why(ctx: CommandContext) -> Reply:
    from bot.explain import why_text

    entries = await ctx.core.repository.recent_entries(ctx.user.id, 1) if ctx.user else []
    missed = await recordings.unread_since(ctx, entries[0] if entries else None, UNREAD_WHY)
    if missed is not None:  # a newer recording gave nothing to read: say what happened to it
        return Reply(missed)
    if not entries:
        return Reply("I haven't read anything from you yet, so there's nothing to explain.")
    # The conversation's risk state shapes replies for hours: /why says so while it does.
    state = RiskState.from_json(await ctx.core.repository.risk_state(entries[0].user_id))
    return Reply(why_text(entries[0], state, datetime.now(UTC)))


def default_commands() -> CommandTable:
    return CommandTable(
        [
            Command("start", "what attune does and what it keeps", start),
            Command("help", "the commands", help_),
            Command("history", "your last entries and their emotions", history, True, "[N]"),
            Command("why", "why I read your last message the way I did", why, True),
            Command(
                "heard", "what I heard in your last voice message or video", recordings.heard, True
            ),
            Command(
                "timeline", "a chart of your face over your last video", recordings.timeline, True
            ),
            Command("feel", "correct my reading of your last message", feel, True, "LABEL"),
            Command("privacy", "what I store and how to delete it", privacy),
            Command("forget", "erase everything I hold about you", forget, True),
            Command(
                "mood", "your mood summary and chart", mood_commands.mood, True, "[week|month|all]"
            ),
            Command("export", "all your data as JSON and CSV files", mood_commands.export, True),
            Command("timezone", "set your time zone (IANA name)", checkin.timezone, True, "ZONE"),
            Command("remind", "a daily check-in at your time", checkin.remind, True, "HH:MM|off"),
        ]
    )
