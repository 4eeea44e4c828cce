"""Discord objects in, core messages out: pure functions, testable without a connection.

Everything here only reads attributes of discord.py objects (no I/O), so each rule — when
the bot is addressed in a server, which attachment is a selfie, how a mention is stripped —
can be checked on its own and the adapter stays a thin shell of awaits around them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import discord

from bot.domain import Message, Platform, UserRef
from emotion.photo import PhotoProblem
from emotion.video import VideoProblem
from emotion.voice import VoiceProblem

#: Discord's limit for one message's content (UTF-16 units, as ``text_split`` counts).
MAX_MESSAGE_CHARS = 2000

_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".heic", ".heif")
_AUDIO_EXTENSIONS = (".ogg", ".oga", ".opus", ".mp3", ".m4a", ".wav", ".flac", ".aac")
_VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi")
#: Content types that say nothing about the bytes: such files are sniffed after download.
_UNTYPED = ("", "application/octet-stream", "binary/octet-stream")


def user_ref(user: discord.abc.User) -> UserRef:
    """One person across DMs and every server: keyed by the account id, not the nickname."""
    return UserRef(Platform.DISCORD, str(user.id), display_name=user.global_name or user.name)


def own_role_ids(message: discord.Message) -> frozenset[int]:
    """The bot's own managed role in this server: clients often offer it when people type
    "@attune", and a mention of it means the bot just as much."""
    me = message.guild.me if message.guild is not None else None
    return (
        frozenset(role.id for role in me.roles if role.managed) if me is not None else frozenset()
    )


def is_addressed(message: discord.Message, bot_id: int) -> bool:
    """DMs always; in servers only a mention of the bot (or its role) or a reply to it."""
    if message.guild is None:
        return True
    if any(user.id == bot_id for user in message.mentions):
        return True
    if own_role_ids(message).intersection(message.raw_role_mentions):
        return True
    reference = message.reference
    if reference is None:
        return False
    resolved = reference.resolved or reference.cached_message
    return isinstance(resolved, discord.Message) and resolved.author.id == bot_id


def strip_mentions(text: str, bot_id: int, role_ids: Iterable[int] = ()) -> str:
    """Remove the bot's own mention ("<@id>", "<@!id>" or its role's "<@&id>") so that
    "@attune /history" is a command."""
    ids = "|".join([f"!?{bot_id}", *(f"&{role}" for role in role_ids)])
    return re.sub(rf"\s*<@(?:{ids})>", "", text).strip()


def to_message(
    message: discord.Message,
    bot_id: int,
    *,
    photo: bytes | None = None,
    photo_problem: PhotoProblem | None = None,
    voice: bytes | None = None,
    voice_problem: VoiceProblem | None = None,
    video: bytes | None = None,
    video_problem: VideoProblem | None = None,
) -> Message:
    """The core's view of a Discord message; the message id lets the core answer it once."""
    return Message(
        user=user_ref(message.author),
        chat_id=str(message.channel.id),
        text=strip_mentions(message.content, bot_id, own_role_ids(message)),
        message_id=str(message.id),
        photo=photo,
        photo_problem=photo_problem,
        is_private_chat=message.guild is None,
        voice=voice,
        voice_problem=voice_problem,
        video=video,
        video_problem=video_problem,
    )


def interaction_message(interaction: discord.Interaction, text: str) -> Message:
    """A slash command or a pressed button, as if the user had typed ``text``.

    The interaction id is unique per delivery of that press, so a redelivered interaction is
    answered once, like a message.
    """
    return Message(
        user=user_ref(interaction.user),
        chat_id=str(interaction.channel_id),
        text=text,
        message_id=f"interaction:{interaction.id}",
        is_private_chat=interaction.guild_id is None,
    )


@dataclass(frozen=True, slots=True)
class AttachmentPlan:
    """What to do with a message's attachments before anything is downloaded.

    ``photo`` is the first attachment declared an image and small enough; ``sniff`` holds
    untyped ones (no content type, or octet-stream) to download and recognise by their first
    bytes; ``photo_problem`` is set when the only image was refused by its reported size;
    ``skipped`` names the rest, which get one short line.
    """

    photo: discord.Attachment | None = None
    sniff: tuple[discord.Attachment, ...] = ()
    photo_problem: PhotoProblem | None = None
    skipped: tuple[str, ...] = field(default=())
    #: The first audio attachment (a voice message or audio file) when no photo was chosen.
    voice: discord.Attachment | None = None
    voice_problem: VoiceProblem | None = None
    #: The first video attachment when no photo was chosen (it wins over a recording).
    video: discord.Attachment | None = None
    video_problem: VideoProblem | None = None


def _declared_image(attachment: discord.Attachment) -> bool:
    content_type = (attachment.content_type or "").split(";", 1)[0].strip().lower()
    if content_type.startswith("image/"):
        return True
    return content_type in _UNTYPED and attachment.filename.lower().endswith(_IMAGE_EXTENSIONS)


def _untyped(attachment: discord.Attachment) -> bool:
    content_type = (attachment.content_type or "").split(";", 1)[0].strip().lower()
    return content_type in _UNTYPED


def _declared_audio(attachment: discord.Attachment) -> bool:
    content_type = (attachment.content_type or "").split(";", 1)[0].strip().lower()
    if content_type.startswith("audio/") or attachment.is_voice_message():
        return True
    return content_type in _UNTYPED and attachment.filename.lower().endswith(_AUDIO_EXTENSIONS)


def _declared_video(attachment: discord.Attachment) -> bool:
    content_type = (attachment.content_type or "").split(";", 1)[0].strip().lower()
    if content_type.startswith("video/"):
        return True
    return content_type in _UNTYPED and attachment.filename.lower().endswith(_VIDEO_EXTENSIONS)


def plan_attachments(
    attachments: Sequence[discord.Attachment],
    max_image_bytes: int,
    max_voice_bytes: int = 25 * 1024 * 1024,
) -> AttachmentPlan:
    """Pick the selfie (or else the first video, or else the first recording) by declared type
    and the size Discord reports, never by downloading."""
    photo: discord.Attachment | None = None
    problem: PhotoProblem | None = None
    voice: discord.Attachment | None = None
    voice_problem: VoiceProblem | None = None
    video: discord.Attachment | None = None
    video_problem: VideoProblem | None = None
    sniff: list[discord.Attachment] = []
    skipped: list[str] = []
    for attachment in attachments:
        if _declared_video(attachment) and video is None and video_problem is None:
            if attachment.size > max_voice_bytes:
                video_problem = VideoProblem.TOO_LARGE
            else:
                video = attachment
        elif _declared_audio(attachment) and voice is None and voice_problem is None:
            if attachment.size > max_voice_bytes:
                voice_problem = VoiceProblem.TOO_LARGE
            else:
                voice = attachment
        elif _declared_image(attachment):
            if photo is not None:
                skipped.append(attachment.filename)
            elif attachment.size > max_image_bytes:
                problem = problem or PhotoProblem.TOO_LARGE
            else:
                photo = attachment
        elif _untyped(attachment) and attachment.size <= max_image_bytes:
            sniff.append(attachment)
        else:
            skipped.append(attachment.filename)
    # One medium a message: a selfie first, then a video, then a recording; the rest is named.
    if photo is not None or sniff:
        skipped.extend(a.filename for a in (video, voice) if a is not None)
        video, video_problem, voice, voice_problem = None, None, None, None
    elif video is not None or video_problem is not None:
        skipped.extend([voice.filename] if voice is not None else [])
        voice, voice_problem = None, None
    return AttachmentPlan(
        photo=photo,
        sniff=tuple(sniff),
        photo_problem=None if photo is not None else problem,
        skipped=tuple(skipped),
        voice=voice,
        voice_problem=voice_problem,
        video=video,
        video_problem=video_problem,
    )


def looks_like_image(data: bytes) -> bool:
    """Magic bytes of the formats people send as photos (the reader checks the rest)."""
    return (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
        or data[:6] in (b"GIF87a", b"GIF89a")
    )


def skipped_line(names: Sequence[str]) -> str:
    """The one short line for attachments that are not read (only the first photo is)."""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"(I only read photos, one per message — I left {shown} unopened.)"


def prompt_owner(message: discord.Message | None) -> int | None:
    """Whose buttons these are, for a prompt posted publicly in a server (None: no one else
    can see it — a DM or an ephemeral answer — or unknown).

    In a public channel anyone could press a button, and the payload would then act on the
    presser's own data; the adapter lets only the person the prompt answered press it.
    """
    if message is None or message.guild is None or message.flags.ephemeral:
        return None
    metadata = message.interaction_metadata
    if metadata is not None:
        return metadata.user.id
    reference = message.reference
    resolved = reference.resolved if reference is not None else None
    return resolved.author.id if isinstance(resolved, discord.Message) else None


def http_error(error: discord.HTTPException) -> str:
    """A failed Discord call for the logs: status and Discord's code, never the body."""
    return f"HTTP {error.status}, code {error.code}"
