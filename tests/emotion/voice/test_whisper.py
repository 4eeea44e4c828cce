"""Offline transcription of test recordings, and every way a recording can fail."""

from __future__ import annotations

import pytest

pytest.importorskip("faster_whisper", reason="the voice extra is not installed")

from emotion.voice import VoiceProblem
from emotion.voice.whisper import (
    MODEL_FILES,
    VoiceSettings,
    WhisperTranscriber,
    decode_audio,
    load_transcriber,
    model_dir,
)
from tests.emotion.voice.speech import espeak_wav, silence_wav, to_ogg_opus


@pytest.fixture(scope="module")
def transcriber() -> WhisperTranscriber:
    return load_transcriber()


def test_model_files_are_the_expected_ones() -> None:
    folder = model_dir()
    assert {p.name for p in folder.iterdir()} >= set(MODEL_FILES)


def test_telegram_ogg_opus_voice_is_transcribed(transcriber: WhisperTranscriber) -> None:
    voice = to_ogg_opus(espeak_wav("I had a really rough day at work and I feel exhausted"))
    heard = transcriber.transcribe(voice)
    assert heard.problem is None
    words = heard.text.lower()
    assert "rough day" in words and "exhausted" in words
    assert 2.0 < heard.duration_s < 6.0 and heard.confidence > 0.5


def test_a_crisis_said_aloud_comes_out_as_words(transcriber: WhisperTranscriber) -> None:
    heard = transcriber.transcribe(espeak_wav("I want to end my life"))
    assert "end my life" in heard.text.lower()


def test_other_languages_are_unclear_not_misheard_silently(
    transcriber: WhisperTranscriber,
) -> None:
    german = espeak_wav("Ich hatte heute einen wirklich schlechten Tag und bin sehr müde", "de")
    assert transcriber.transcribe(german).problem is VoiceProblem.UNCLEAR


def test_bad_recordings_each_get_their_problem(transcriber: WhisperTranscriber) -> None:
    speech = espeak_wav("hello there, how are you")
    assert transcriber.transcribe(b"").problem is VoiceProblem.EMPTY
    assert transcriber.transcribe(b"not audio at all" * 50).problem is VoiceProblem.NOT_AUDIO
    assert transcriber.transcribe(silence_wav(3.0)).problem is VoiceProblem.SILENT
    assert transcriber.transcribe(speech[:300]).problem in {
        VoiceProblem.SILENT,
        VoiceProblem.TRUNCATED,
    }
    small = WhisperTranscriber(None, VoiceSettings(max_bytes=1000))
    assert small.transcribe(speech).problem is VoiceProblem.TOO_LARGE


def test_decoding_stops_at_the_duration_limit() -> None:
    """A long recording is refused while decoding, not read whole into memory."""
    assert decode_audio(silence_wav(12.0), max_seconds=5.0) is VoiceProblem.TOO_LONG
    decoded = decode_audio(silence_wav(2.0), max_seconds=5.0)
    assert not isinstance(decoded, VoiceProblem) and decoded[1] == pytest.approx(2.0, abs=0.05)
