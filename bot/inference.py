"""Runs the emotion models off the event loop, and keeps answering when they fail.

Models load once at start-up and run in one dedicated worker thread (the default executor is
left to the HTTP clients, which need it for DNS). Messages that arrive while the text model is
busy wait together and go through it as one batch: under load a batch of 8 costs about a
quarter of 8 single calls, and when the bot is idle a message goes alone, with no added wait.
A model that is missing, fails or takes too long is replaced for that message by what still
works — the lexicon for text, "can't read photos right now" for faces — with one warning in
the log and never an error for the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

from emotion.labels import EmotionEstimate
from emotion.photo import PhotoProblem, PhotoReader, PhotoReading
from emotion.text import TextEstimator, estimate_all
from emotion.text.lexicon import LexiconEstimator
from emotion.video import VideoProblem, VideoReaderProtocol, VideoReading
from emotion.voice import Transcript, VoiceProblem, VoiceReader

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Most messages read in one text-model call (a long message still goes in its own bucket).
MAX_TEXT_BATCH = 16


def load_text_estimator(model_dir: Path | None) -> TextEstimator:
    """The trained text model, or the lexicon baseline if it cannot be loaded."""
    try:
        from emotion.text.model import load_text_model

        return load_text_model(model_dir)
    except Exception as error:  # a broken model must never stop the bot
        log.warning("text model unavailable (%s); using the lexicon baseline", type(error).__name__)
        return LexiconEstimator()


def load_photo_reader(model_dir: Path | None) -> PhotoReader | None:
    """The face reader, or None if it cannot be loaded (photos then get a kind refusal)."""
    try:
        from emotion.face.reader import load_face_reader

        return load_face_reader(model_dir)
    except Exception as error:
        log.warning("face model unavailable (%s); photos will not be read", type(error).__name__)
        return None


def load_voice_reader() -> VoiceReader | None:
    """The offline transcriber (install extra ``voice``), or None: voice then gets a kind
    "can't listen" line."""
    try:
        from emotion.voice.whisper import load_transcriber

        return load_transcriber()
    except Exception as error:
        log.warning("voice model unavailable (%s); voice will not be read", type(error).__name__)
        return None


def video_reader_for(photos: PhotoReader | None) -> VideoReaderProtocol | None:
    """A video reader sharing the photo reader's models (None when photos are not read)."""
    from emotion.face.reader import FaceReader
    from emotion.video.reader import VideoReader

    return VideoReader(photos) if isinstance(photos, FaceReader) else None


class EmotionService:
    def __init__(
        self,
        text: TextEstimator,
        photos: PhotoReader | None,
        *,
        timeout_s: float = 10.0,
        fallback_text: TextEstimator | None = None,
        voice: VoiceReader | None = None,
        videos: VideoReaderProtocol | None = None,
        media_timeout_s: float = 60.0,
    ) -> None:
        self._text = text
        self._photos = photos
        self._voice = voice
        self._videos = videos
        #: Voice and video take seconds, not milliseconds: their own, longer limit.
        self._media_timeout_s = media_timeout_s
        self._timeout_s = timeout_s
        self._fallback = fallback_text or LexiconEstimator()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="attune-models")
        self._waiting: list[tuple[str, asyncio.Future[EmotionEstimate | None]]] = []
        self._batching: asyncio.Task[None] | None = None
        #: Sizes of the newest text batches run (for the bench and tests).
        self.text_batches: deque[int] = deque(maxlen=10_000)

    @classmethod
    def load(
        cls, text_model_dir: Path | None, face_model_dir: Path | None, *, timeout_s: float
    ) -> EmotionService:
        photos = load_photo_reader(face_model_dir)
        return cls(
            load_text_estimator(text_model_dir),
            photos,
            timeout_s=timeout_s,
            voice=load_voice_reader(),
            videos=video_reader_for(photos),
        )

    @property
    def reads_voice(self) -> bool:
        return self._voice is not None

    async def _run(self, work: Callable[[], T], timeout_s: float | None = None) -> T:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(
            loop.run_in_executor(self._executor, work), timeout=timeout_s or self._timeout_s
        )

    def quick_estimate(self, text: str) -> EmotionEstimate:
        """The fallback reading (the lexicon: pure Python, well under a millisecond), for a
        message whose answer must not wait on the model (crisis language)."""
        return self._fallback.estimate(text)

    async def estimate_text(self, text: str) -> EmotionEstimate:
        loop = asyncio.get_running_loop()
        result: asyncio.Future[EmotionEstimate | None] = loop.create_future()
        self._waiting.append((text, result))
        if self._batching is None or self._batching.done():
            self._batching = loop.create_task(self._run_text_batches())
        try:
            estimate = await asyncio.wait_for(asyncio.shield(result), timeout=self._timeout_s)
        except TimeoutError:
            log.warning("text model too slow; using the lexicon")
            estimate = None
        finally:
            if not result.done():  # gave up (timed out or cancelled): never run for nobody
                result.cancel()
                with contextlib.suppress(ValueError):
                    self._waiting.remove((text, result))
        return estimate if estimate is not None else self._fallback.estimate(text)

    async def _run_text_batches(self) -> None:
        """Run the waiting texts through the model, a batch at a time, until none wait.

        Every caller in a batch gets an answer whatever happens: its estimate, or ``None``
        (the caller falls back to the lexicon) when the model fails, returns the wrong number
        of estimates, or the service closes mid-batch.
        """
        while self._waiting:
            batch = self._waiting[:MAX_TEXT_BATCH]
            del self._waiting[:MAX_TEXT_BATCH]
            texts = [text for text, _ in batch]
            self.text_batches.append(len(batch))
            estimates: list[EmotionEstimate | None] = [None] * len(batch)
            try:
                # No timeout here: callers time out on their own, and a batch abandoned to a
                # still-busy model thread would only queue more work behind it.
                loop = asyncio.get_running_loop()
                work = partial(estimate_all, self._text, texts)
                found = await loop.run_in_executor(self._executor, work)
                if len(found) != len(batch):
                    raise ValueError(f"{len(found)} estimates for {len(batch)} texts")
                estimates = list(found)
            except Exception as error:
                log.warning("text model failed (%s); using the lexicon", type(error).__name__)
            finally:
                for (_, result), estimate in zip(batch, estimates, strict=True):
                    if not result.done():
                        result.set_result(estimate)

    async def read_photo(self, data: bytes) -> PhotoReading:
        reader = self._photos
        if reader is None:
            return PhotoReading(problem=PhotoProblem.UNAVAILABLE)
        try:
            return await self._run(lambda: reader.read(data))
        except Exception as error:
            log.warning("face reading failed (%s)", type(error).__name__)
            return PhotoReading(problem=PhotoProblem.UNAVAILABLE)

    async def transcribe(self, data: bytes) -> Transcript:
        """A voice message's words, off the event loop; never raises."""
        voice = self._voice
        if voice is None:
            return Transcript(problem=VoiceProblem.UNAVAILABLE)
        try:
            return await self._run(lambda: voice.transcribe(data), self._media_timeout_s)
        except Exception as error:
            log.warning("transcription failed (%s)", type(error).__name__)
            return Transcript(problem=VoiceProblem.UNAVAILABLE)

    async def read_video(self, data: bytes) -> VideoReading:
        """A video's face timeline, off the event loop; never raises."""
        videos = self._videos
        if videos is None:
            return VideoReading(problem=VideoProblem.UNAVAILABLE)
        try:
            return await self._run(lambda: videos.read(data), self._media_timeout_s)
        except Exception as error:
            log.warning("video reading failed (%s)", type(error).__name__)
            return VideoReading(problem=VideoProblem.UNAVAILABLE)

    def close(self) -> None:
        if self._batching is not None:
            self._batching.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
