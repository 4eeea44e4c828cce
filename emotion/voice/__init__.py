"""Voice messages -> words: what a transcription gives back, and the reader's protocol.

No wheel ships speech-emotion weights (see DESIGN.md), so a voice message is read through its
transcript: the words go through the same crisis screen, text model and fusion as typed ones.
A bad recording is a ``VoiceProblem`` value, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class VoiceProblem(StrEnum):
    EMPTY = "empty"  # zero bytes
    TOO_LARGE = "too_large"  # over the byte limit
    TOO_LONG = "too_long"  # longer than the duration limit
    NOT_AUDIO = "not_audio"  # no audio stream that can be decoded
    TRUNCATED = "truncated"  # cut short or corrupt before any sound
    SILENT = "silent"  # audio, but no words in it
    UNCLEAR = "unclear"  # words, but too unsure of them (noise, another language)
    UNAVAILABLE = "unavailable"  # transcription is not installed or failed


@dataclass(frozen=True, slots=True)
class Transcript:
    """What was heard. ``text`` is set unless ``problem`` says why not.

    ``confidence`` (0..1) is the length-weighted mean token probability the recogniser gave
    (exp of Whisper's per-segment average log-probability); ``duration_s`` is the audio's length.
    """

    text: str = field(default="", repr=False)
    confidence: float = 0.0
    duration_s: float = 0.0
    problem: VoiceProblem | None = None


class VoiceReader(Protocol):
    def transcribe(self, data: bytes) -> Transcript: ...
