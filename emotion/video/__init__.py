"""Video selfies (Telegram video notes, videos, animations; Discord video attachments) -> a
face timeline, summarised into one face estimate that fusion uses like a photo's.

These are the light result types every layer shares (the reader, which loads the face models,
is ``emotion.video.reader``). The summary: the dominant emotion (most frequent per-frame top),
how it changed (dominant emotion of the first third of the frames with a face against the last
third), and the face's share of the sampled frames.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from emotion.labels import Emotion, EmotionEstimate
from emotion.photo import FaceBox, PhotoProblem, PhotoReading


class VideoProblem(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"  # over the byte limit
    TOO_LONG = "too_long"  # longer than max_seconds by its header
    TOO_MANY_PIXELS = "too_many_pixels"  # frames larger than max_pixels
    NOT_VIDEO = "not_video"  # nothing OpenCV's FFmpeg can open, or no picture in it
    TRUNCATED = "truncated"  # opened, but no frame decodes
    NO_FACE = "no_face"  # frames, but no readable face in any
    UNAVAILABLE = "unavailable"  # the face reader is missing or failed


@dataclass(frozen=True, slots=True)
class FramePoint:
    """One sampled frame: its time (s) and the face's reading (None: no readable face)."""

    at_s: float
    estimate: EmotionEstimate | None


@dataclass(frozen=True, slots=True)
class VideoReading:
    """The outcome of reading one video; ``estimate`` set unless ``problem`` says why not."""

    estimate: EmotionEstimate | None = None
    problem: VideoProblem | None = None
    duration_s: float = 0.0
    frames_sampled: int = 0
    timeline: tuple[FramePoint, ...] = ()
    face: FaceBox | None = None  # the largest face seen, in the (shrunk) frame's pixels
    frame_size: tuple[int, int] | None = None  # (width, height) of the frames read

    @property
    def face_share(self) -> float:
        """Share of sampled frames with a readable face (0..1)."""
        if not self.timeline:
            return 0.0
        return sum(p.estimate is not None for p in self.timeline) / len(self.timeline)

    def dominant(self, points: tuple[FramePoint, ...] | None = None) -> Emotion | None:
        """Most frequent top emotion among ``points`` (default: all) with a face."""
        tops = [p.estimate.top for p in (points or self.timeline) if p.estimate is not None]
        return Counter(tops).most_common(1)[0][0] if tops else None

    @property
    def change(self) -> tuple[Emotion, Emotion] | None:
        """(first third's dominant emotion, last third's) when they differ."""
        faced = tuple(p for p in self.timeline if p.estimate is not None)
        if len(faced) < 3:
            return None
        third = max(1, len(faced) // 3)
        start, end = self.dominant(faced[:third]), self.dominant(faced[-third:])
        if start is None or end is None or start == end:
            return None
        return start, end

    def describe(self) -> str | None:
        """ "Over the 8-second video your face went from neutral to happy." (None: no face)."""
        if self.estimate is None:
            return None
        seconds = max(1, round(self.duration_s))
        change = self.change
        if change is not None:
            start, end = change
            return (
                f"Over the {seconds}-second video your face went from {start.value} to {end.value}."
            )
        return f"Over the {seconds}-second video your face looked mostly {self.estimate.top.value}."

    def photo_reading(self) -> PhotoReading:
        """The summary as a photo's reading, for fusion (which knows photos, not videos)."""
        problem = None
        if self.estimate is None:
            problem = {
                VideoProblem.NO_FACE: PhotoProblem.NO_FACE,
                VideoProblem.UNAVAILABLE: PhotoProblem.UNAVAILABLE,
            }.get(self.problem or VideoProblem.NO_FACE, PhotoProblem.TRUNCATED)
        faces = (self.face,) if self.face is not None else ()
        return PhotoReading(self.estimate, faces, problem, self.frame_size)


class VideoReaderProtocol(Protocol):
    def read(self, data: bytes) -> VideoReading: ...
