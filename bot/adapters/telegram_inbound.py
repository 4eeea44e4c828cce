"""Telegram message -> core message: pure functions, no network, testable alone.

Everything platform-specific about *reading* a Telegram message lives here: which kinds we
can read, whether a group message is addressed to us, which photo size to fetch, which voice
message, audio file, video note, video or animation to fetch. The bytes themselves are fetched
by the adapter (that needs the network); this module only says which file to fetch, or why none
should be (too large or too long by Telegram's own report).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

from telegram import (
    Animation,
    Audio,
    CallbackQuery,
    Chat,
    Document,
    MessageEntity,
    PhotoSize,
    Video,
    VideoNote,
    Voice,
)
from telegram import Message as TgMessage
from telegram.warnings import PTBDeprecationWarning

from bot.domain import Message, Platform, UserRef
from emotion.photo import PhotoProblem
from emotion.video import VideoProblem
from emotion.voice import VoiceProblem

#: Answer to stickers, voice, video and the like: one short line, nothing stored.
UNSUPPORTED_LINE = (
    "I can read text and photos (a selfie works best) — I can't read {kind} yet. "
    "Could you tell me in words?"
)

_UNSUPPORTED_KINDS = (
    ("sticker", "stickers"),
    ("location", "locations"),
    ("venue", "locations"),
    ("contact", "contacts"),
    ("poll", "polls"),
    ("dice", "dice"),
    ("game", "games"),
    ("story", "stories"),
)


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who we are on Telegram, to tell whether a group message is meant for us."""

    user_id: int
    username: str


@dataclass(frozen=True, slots=True)
class PhotoRef:
    """A file to fetch: Telegram's file id and, when Telegram says, its size in bytes."""

    file_id: str
    file_size: int | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """One Telegram message as the adapter needs it.

    ``message`` is the core message without photo bytes; ``photo`` says what to fetch (None
    when there is nothing to fetch, or ``message.photo_problem`` already says why not).
    ``unsupported`` names a kind we cannot read ("stickers"); such messages get
    ``UNSUPPORTED_LINE`` and never reach the core. ``addressed`` is False for group messages
    that neither mention us, reply to us nor carry a command for us.
    """

    message: Message
    photo: PhotoRef | None = None
    unsupported: str | None = None
    addressed: bool = True
    media_group_id: str | None = None
    reply_to: int | None = None
    #: A voice message or audio file to fetch and transcribe (the core reads its words).
    voice: PhotoRef | None = None
    #: A video note, video or animation to fetch (the core reads its faces and its sound).
    video: PhotoRef | None = None


#: Telegram's Bot API serves files up to 20 MB through getFile (voice and video alike).
MAX_VOICE_BYTES = 20 * 1024 * 1024
#: Longer recordings and videos (by Telegram's own report) are refused before downloading;
#: the same limits as the readers' (emotion.voice.whisper.VoiceSettings, emotion.video.reader).
MAX_VOICE_SECONDS = 300
MAX_VIDEO_SECONDS = 180


def _seconds(media: object) -> float:
    """The length Telegram reports for a voice message, audio file or video (0: not said).

    PTB 22 warns that ``duration`` becomes a timedelta in its next major version; both are
    read, and the warning (about a type we already handle) is not passed on.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        duration = getattr(media, "duration", None)
    if duration is None:
        return 0.0
    return float(duration.total_seconds() if hasattr(duration, "total_seconds") else duration)


def pick_photo_size(
    sizes: Sequence[PhotoSize], max_bytes: int, max_pixels: int
) -> PhotoRef | PhotoProblem:
    """The largest size within the intake limits, or TOO_LARGE when every size is over them.

    Telegram reports ``file_size`` for each size, so a photo over the byte limit is refused
    before a single byte is downloaded. A size with an unknown byte count is allowed here; the
    download checks its real length.
    """
    fitting = [
        s
        for s in sizes
        if (s.file_size is None or s.file_size <= max_bytes) and s.width * s.height <= max_pixels
    ]
    if not fitting:
        return PhotoProblem.TOO_LARGE if sizes else PhotoProblem.EMPTY
    best = max(fitting, key=lambda s: (s.width * s.height, s.file_size or 0))
    return PhotoRef(best.file_id, best.file_size)


def _unsupported_kind(tg: TgMessage) -> str | None:
    for attribute, kind in _UNSUPPORTED_KINDS:
        if getattr(tg, attribute, None):
            return kind
    document = tg.document
    if document is not None and not (document.mime_type or "").startswith("image/"):
        return "files of this kind"
    return None


def _is_addressed(
    tg: TgMessage, bot: BotIdentity, text: str, entities: dict[MessageEntity, str]
) -> bool:
    """Groups: only a mention, a reply to us, or a command for us (bare or /cmd@us)."""
    reply = tg.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot.user_id:
        return True
    me = f"@{bot.username}".lower()
    for entity, value in entities.items():
        if entity.type == MessageEntity.MENTION and value.lower() == me:
            return True
        if (
            entity.type == MessageEntity.TEXT_MENTION
            and entity.user
            and entity.user.id == bot.user_id
        ):
            return True
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            _, at, target = value.partition("@")
            return not at or target.lower() == bot.username.lower()
    return False


def _strip_mention(text: str, bot: BotIdentity) -> str:
    """ "@attune_bot I'm tired" -> "I'm tired"; "/help@attune_bot" is left to the core."""
    stripped = re.sub(rf"(?<![/\w])@{re.escape(bot.username)}\b", "", text, flags=re.IGNORECASE)
    return re.sub(r"[ \t]{2,}", " ", stripped).strip()


def to_message(
    tg: TgMessage, bot: BotIdentity, *, max_image_bytes: int, max_image_pixels: int
) -> Inbound | None:
    """Turn a Telegram message into an ``Inbound``; None for service messages (joins, pins…)
    and for messages without a sender, which carry nothing to answer."""
    sender = tg.from_user
    if sender is None or sender.is_bot:
        return None
    private = tg.chat.type == Chat.PRIVATE
    text = tg.text or tg.caption or ""
    entities = tg.parse_entities() if tg.text else tg.parse_caption_entities()
    addressed = private or _is_addressed(tg, bot, text, entities)
    if not private:
        text = _strip_mention(text, bot)
    name = " ".join(p for p in (sender.first_name, sender.last_name) if p) or sender.username
    message = Message(
        user=UserRef(Platform.TELEGRAM, str(sender.id), display_name=name or None),
        chat_id=str(tg.chat.id),
        text=text,
        message_id=str(tg.message_id),
        is_private_chat=private,
    )

    def inbound(
        msg: Message, photo: PhotoRef | None = None, unsupported: str | None = None
    ) -> Inbound:
        return Inbound(msg, photo, unsupported, addressed, tg.media_group_id, tg.message_id)

    # Video before voice and photo: a video's caption is read as its text, like a photo's.
    clip: VideoNote | Video | Animation | Document | None = tg.video_note or tg.video
    clip = clip or tg.animation  # Telegram sends a GIF as an animation (and a document)
    if clip is None and tg.document and (tg.document.mime_type or "").startswith("video/"):
        clip = tg.document
    if clip is not None:
        if clip.file_size is not None and clip.file_size > MAX_VOICE_BYTES:
            return inbound(replace(message, video_problem=VideoProblem.TOO_LARGE))
        if _seconds(clip) > MAX_VIDEO_SECONDS:
            return inbound(replace(message, video_problem=VideoProblem.TOO_LONG))
        return Inbound(
            message,
            addressed=addressed,
            media_group_id=tg.media_group_id,
            reply_to=tg.message_id,
            video=PhotoRef(clip.file_id, clip.file_size),
        )
    recording: Voice | Audio | Document | None = tg.voice or tg.audio
    document = tg.document
    if recording is None and document and (document.mime_type or "").startswith("audio/"):
        recording = document  # audio sent as a file
    if recording is not None:
        size = recording.file_size
        if size is not None and size > MAX_VOICE_BYTES:
            return inbound(replace(message, voice_problem=VoiceProblem.TOO_LARGE))
        if _seconds(recording) > MAX_VOICE_SECONDS:
            return inbound(replace(message, voice_problem=VoiceProblem.TOO_LONG))
        return Inbound(
            message,
            addressed=addressed,
            media_group_id=tg.media_group_id,
            reply_to=tg.message_id,
            voice=PhotoRef(recording.file_id, size),
        )
    if tg.photo:
        choice = pick_photo_size(tg.photo, max_image_bytes, max_image_pixels)
        if isinstance(choice, PhotoProblem):
            return inbound(replace(message, photo_problem=choice))
        return inbound(message, photo=choice)
    kind = _unsupported_kind(tg)
    if kind is not None:
        return inbound(message, unsupported=kind)
    document = tg.document
    if document is not None:  # an image sent as a file
        if document.file_size is not None and document.file_size > max_image_bytes:
            return inbound(replace(message, photo_problem=PhotoProblem.TOO_LARGE))
        return inbound(message, photo=PhotoRef(document.file_id, document.file_size))
    if tg.text is None and tg.caption is None:
        return None  # service message: new members, pinned, title changes…
    return inbound(message)


def as_edit(inbound: Inbound) -> Inbound:
    """An edited message as the core screens it: its new text, marked ``edited``, and nothing
    to fetch (media were read when first sent; an edit is only checked for crisis language)."""
    message = replace(
        inbound.message,
        edited=True,
        photo_problem=None,
        voice_problem=None,
        video_problem=None,
    )
    return Inbound(message, addressed=inbound.addressed)


def callback_to_message(query: CallbackQuery) -> Message | None:
    """A button press as the user's own message: its payload is a command ("/forget confirm").

    The callback id is unique per press, so a redelivered press is answered once.
    """
    if not query.data:
        return None
    sender = query.from_user
    prompt = query.message
    chat_id = prompt.chat.id if prompt is not None else sender.id
    private = prompt.chat.type == Chat.PRIVATE if prompt is not None else True
    name = " ".join(p for p in (sender.first_name, sender.last_name) if p) or sender.username
    return Message(
        user=UserRef(Platform.TELEGRAM, str(sender.id), display_name=name or None),
        chat_id=str(chat_id),
        text=query.data,
        message_id=f"callback:{query.id}",
        is_private_chat=private,
    )
