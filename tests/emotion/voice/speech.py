"""Test recordings made here: espeak-ng speech, re-encoded with PyAV as Telegram sends it."""

from __future__ import annotations

import io
import shutil
import subprocess

import av
import numpy as np
import pytest


def espeak_wav(text: str, voice: str = "en") -> bytes:
    """``text`` spoken by espeak-ng (Debian package) as WAV bytes; skips the test without it."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    done = subprocess.run(
        ["espeak-ng", "-v", voice, "--stdout", text], capture_output=True, check=True, timeout=60
    )
    return done.stdout


def to_ogg_opus(wav: bytes) -> bytes:
    """WAV bytes -> OGG/Opus at 48 kHz mono, the format of a Telegram voice message."""
    out = io.BytesIO()
    with av.open(io.BytesIO(wav), mode="r") as source, av.open(out, mode="w", format="ogg") as sink:
        stream = sink.add_stream("libopus", rate=48000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        for frame in source.decode(audio=0):
            for piece in resampler.resample(frame):
                for packet in stream.encode(piece):
                    sink.mux(packet)
        for packet in stream.encode(None):
            sink.mux(packet)
    return out.getvalue()


def silence_wav(seconds: float) -> bytes:
    """A WAV of digital silence."""
    out = io.BytesIO()
    samples = np.zeros((1, int(16000 * seconds)), dtype=np.int16)
    with av.open(out, mode="w", format="wav") as sink:
        stream = sink.add_stream("pcm_s16le", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            sink.mux(packet)
        for packet in stream.encode(None):
            sink.mux(packet)
    return out.getvalue()
