"""The account family: /start, /help, /privacy and /forget — what attune is, what it keeps,
and erasing all of it.
"""

from __future__ import annotations

from bot.commands.table import Command, CommandContext
from bot.domain import Choice, Reply
from bot.textclean import visible_text

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
    for command in ctx.commands.visible():
        usage = f" {command.usage}" if command.usage else ""
        lines.append(f"/{command.name}{usage} — {command.description}")
    return Reply("\n".join(lines))


async def privacy(ctx: CommandContext) -> Reply:
    return Reply(PRIVACY)


FORGET_CONFIRM = "/forget confirm"
FORGET_CANCEL = "/forget cancel"
NOTHING_TO_FORGET = "I don't hold anything about you, so there's nothing to erase."


async def forget(ctx: CommandContext) -> Reply:
    action = ctx.args.lower()
    if action == "confirm":
        result = await ctx.repository.forget(ctx.message.user)
        ctx.unread.forget(ctx.message.user)
        problems = [await hook(ctx.message.user) for hook in ctx.on_forget]
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


ACCOUNT = (
    Command("start", "what attune does and what it keeps", start),
    Command("help", "the commands", help_),
    Command("privacy", "what I store and how to delete it", privacy),
    Command("forget", "erase everything I hold about you", forget, True),
)
