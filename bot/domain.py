"""Domain types shared by every layer: what comes in, what goes out, what is remembered.

Platform objects (telegram.Update, discord.Message) stop at the adapters, ORM rows stop at
storage; everything in between speaks these frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from emotion.fusion import FusionResult
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import PhotoProblem, PhotoReading
from emotion.video import VideoProblem
from emotion.voice import VoiceProblem
from responses.risk_state import RiskState


class MediaKind(StrEnum):
    """What an entry was read from besides typed words: a recording's kind."""

    VOICE = "voice"  # a voice message or audio file
    VIDEO = "video"  # a video note, video or animation


#: At most this many points of a video's face timeline are kept with its entry.
MAX_TIMELINE_POINTS = 40


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    """One sampled frame of a video as kept with its entry: the time (s from the start), the
    face's top emotion (None: no readable face in that frame) and its probability (0..1).
    Readings only — never pixels."""

    at_s: float
    label: Emotion | None
    confidence: float


class Platform(StrEnum):
    CONSOLE = "console"
    TELEGRAM = "telegram"
    DISCORD = "discord"
    WEB = "web"


@dataclass(frozen=True, slots=True)
class UserRef:
    """Who wrote: unique per platform. The display name is only used to greet."""

    platform: Platform
    user_id: str
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One thing a person sent: text and/or a photo or voice message (bytes in memory only).

    ``message_id`` (unique per platform and chat) lets the core answer a message once even when
    the platform delivers it twice. ``photo_problem`` is set when the adapter refused a photo
    before fetching it (too large by the platform's own report).
    """

    user: UserRef
    chat_id: str
    text: str = ""
    message_id: str | None = None
    photo: bytes | None = field(default=None, repr=False)
    photo_problem: PhotoProblem | None = None
    is_private_chat: bool = True
    #: An edit of a message sent earlier (Telegram ``edited_message``, Discord message edit):
    #: screened for crisis language only, never read as a new entry.
    edited: bool = False
    #: A voice message or audio file (bytes in memory only); its transcript becomes the text.
    voice: bytes | None = field(default=None, repr=False)
    #: Set when the adapter refused the audio before fetching it (too large by its report).
    voice_problem: VoiceProblem | None = None
    #: A video selfie, video or animation (bytes in memory only): its faces are read like a
    #: photo's, its sound (if any) like a voice message.
    video: bytes | None = field(default=None, repr=False)
    #: Set when the adapter refused the video before fetching it (too large by its report).
    video_problem: VideoProblem | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """A button; pressing it sends ``payload`` back as if the user had typed it."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes = field(repr=False)
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot answers; each adapter renders the parts its platform supports.

    ``private`` replies show the user's own data: adapters deliver them only to that user
    (DM or ephemeral), never to a group. ``duplicate`` means the message was already
    answered, so nothing is sent.
    """

    text: str
    image_png: bytes | None = field(default=None, repr=False)
    files: tuple[Attachment, ...] = ()
    choices: tuple[Choice, ...] = ()
    private: bool = False
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    platform: Platform
    platform_user_id: str
    display_name: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MoodEntry:
    """One analysed message as stored: probabilities per source, the fused reading, the reply."""

    id: int
    user_id: int
    created_at: datetime
    text: str
    text_probs: dict[str, float] | None
    face_probs: dict[str, float] | None
    fused_probs: dict[str, float]
    history_probs: dict[str, float] | None
    weights: dict[str, float] | None
    fused_label: Emotion
    valence: float
    dominant: Source
    disagreement: bool
    crisis: bool
    face_count: int
    correction: Emotion | None
    tone: str | None
    reply_id: str | None
    #: How sure the fused reading was (0..1); None for entries stored before it was kept.
    fused_confidence: float | None = None
    #: The recording the entry was read from (None: typed words or a photo).
    media_kind: MediaKind | None = None
    #: Where in ``text`` the words heard in the recording begin (a caption comes first);
    #: None when no words were heard.
    heard_from: int | None = None
    #: A video's face timeline in one sentence, made from the readings alone ("Over the
    #: 8-second video your face went from neutral to happy."); None for other entries.
    media_summary: str | None = None
    #: A video's per-frame readings (at most ``MAX_TIMELINE_POINTS``); None without a face.
    media_timeline: tuple[TimelinePoint, ...] | None = None

    @property
    def label(self) -> Emotion:
        """What the user felt as far as we know: their own correction wins."""
        return self.correction or self.fused_label

    @property
    def heard_text(self) -> str | None:
        """The words heard in the entry's recording (its caption left out), or None."""
        if self.heard_from is None:
            return None
        return self.text[self.heard_from :].strip() or None


@dataclass(frozen=True, slots=True)
class NewEntry:
    """What the core wants stored for one analysed message (``MoodEntry`` before it has an
    id). Build it with ``NewEntry.read``: the reading's fields come from a ``FusionResult``,
    and ``fusion_of`` gives that result back from the stored entry."""

    chat_id: str
    text: str
    text_probs: dict[str, float] | None
    face_probs: dict[str, float] | None
    fused_probs: dict[str, float]
    history_probs: dict[str, float] | None
    weights: dict[str, float] | None
    fused_label: Emotion
    valence: float
    dominant: Source
    disagreement: bool
    crisis: bool
    face_count: int
    tone: str | None
    reply_id: str | None
    created_at: datetime | None = None
    fused_confidence: float | None = None
    media_kind: MediaKind | None = None
    heard_from: int | None = None
    media_summary: str | None = None
    media_timeline: tuple[TimelinePoint, ...] | None = None

    @classmethod
    def read(
        cls,
        result: FusionResult,
        *,
        chat_id: str,
        text: str,
        crisis: bool,
        face_count: int,
        tone: str | None,
        reply_id: str | None,
        media_kind: MediaKind | None = None,
        heard_from: int | None = None,
        media_summary: str | None = None,
        media_timeline: tuple[TimelinePoint, ...] | None = None,
    ) -> NewEntry:
        """The entry for a message read as ``result`` (the fusion's words, face, history
        prior, weights and fused estimate, flattened to label-keyed probabilities)."""
        return cls(
            chat_id=chat_id,
            text=text,
            text_probs=_probs(result.text),
            face_probs=_probs(result.face),
            fused_probs=result.estimate.as_dict(),
            history_probs=_probs(result.history),
            weights={source.value: weight for source, weight in result.weights.items()},
            fused_label=result.estimate.top,
            fused_confidence=result.estimate.confidence,
            valence=result.estimate.valence,
            dominant=result.dominant,
            disagreement=result.disagreement,
            crisis=crisis,
            face_count=face_count,
            tone=tone,
            reply_id=reply_id,
            media_kind=media_kind,
            heard_from=heard_from,
            media_summary=media_summary,
            media_timeline=media_timeline,
        )


def _probs(estimate: EmotionEstimate | None) -> dict[str, float] | None:
    return estimate.as_dict() if estimate is not None else None


def _estimate(
    probs: dict[str, float] | None, source: Source, confidence: float = 1.0
) -> EmotionEstimate | None:
    if probs is None:
        return None
    return EmotionEstimate.from_mapping(
        {Emotion(k): v for k, v in probs.items()}, source, confidence=confidence
    )


def fusion_of(entry: MoodEntry) -> FusionResult:
    """The ``FusionResult`` an entry was stored from (``NewEntry.read``'s inverse), as /why
    explains it. Per-source trust is not kept; entries from before the fused confidence was
    stored fall back to the top probability."""
    confidence = entry.fused_confidence
    if confidence is None:
        confidence = max(entry.fused_probs.values(), default=0.0)
    fused = _estimate(entry.fused_probs, Source.FUSED, confidence)
    assert fused is not None
    weights = {Source(k): v for k, v in (entry.weights or {}).items()}
    return FusionResult(
        estimate=fused,
        weights=MappingProxyType(weights),
        dominant=entry.dominant,
        disagreement=entry.disagreement,
        text=_estimate(entry.text_probs, Source.TEXT),
        face=_estimate(entry.face_probs, Source.FACE),
        history=_estimate(entry.history_probs, Source.HISTORY),
    )


@dataclass(frozen=True, slots=True, eq=False)
class MoodPoints:
    """One row per entry, oldest first, as parallel numpy arrays (cheap to aggregate)."""

    times: npt.NDArray[np.float64]  # POSIX seconds, UTC
    labels: npt.NDArray[np.int64]  # index into LABELS
    valence: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.times.shape[0])

    @classmethod
    def empty(cls) -> MoodPoints:
        return cls(np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0))


@dataclass(frozen=True, slots=True)
class UserSettings:
    """A user's time zone and daily check-in reminder; ``None`` means not set.

    ``remind_at`` is a local wall-clock time in ``timezone`` (UTC when unset);
    ``reminder_next_at`` is that reminder's next instant in UTC, kept in step by whoever
    changes the reminder (see ``bot.reminders``).
    """

    user_id: int
    timezone: str | None = None
    remind_at: time | None = None
    remind_platform: Platform | None = None
    remind_chat_id: str | None = None
    reminder_next_at: datetime | None = None
    reminder_last_sent_on: date | None = None
    reminders_opted_in_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A reminder the scheduler found due: enough to plan, claim and send it."""

    user_id: int
    timezone: str | None
    remind_at: time
    platform: Platform
    chat_id: str
    next_at: datetime
    last_sent_on: date | None


@dataclass(frozen=True, slots=True)
class TurnReport:
    """What the core read and kept for one message, beside its reply, for an adapter that
    shows it (the web demo's charts and face boxes); chat adapters ignore it.

    ``entry``: the entry stored for the message (None for a command, a correction, a
    duplicate, or an entry the database has not taken yet). ``fusion``: the reading as
    stored (words, face, history prior, weights). ``photo``: the photo or video reading with
    its face boxes (never the pixels). ``risk_state``: the conversation's risk state after
    the message (None when not read), ``at`` the
    instant the message was read, so /why's wording can be given without reading again.
    """

    entry: MoodEntry | None = None
    fusion: FusionResult | None = None
    photo: PhotoReading | None = None
    risk_state: RiskState | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """One message's reply and what the core read for it (``Core.handle_turn``)."""

    reply: Reply
    report: TurnReport = TurnReport()
