"""The committed models, each loaded at most once a test session.

Every load takes seconds on the 2-core test machines (measured 2026-11-30: the risk
classifier 4 s, the text model 2.5 s, the face reader 2 s, the transcriber 1.8 s), and the
adapter and emotion tests used to load them again in every module, some in every test. The
loaded objects keep no per-conversation state (a prediction reads only its input; the risk
ensemble serialises its own calls), so sharing one between tests does not couple them.

Each function is the production loader called once, with the same result: an error is raised
(and not remembered) where the loader raises, None is returned where the loader returns None.
The model loaders import TensorFlow, so they are imported only when first called; the risk
loader is bound at import, before ``tests/conftest.py`` routes ``bot.risk``'s own name for it
here.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from bot.risk import RiskClassifier, load_risk_classifier

if TYPE_CHECKING:
    from emotion.face.reader import FaceReader
    from emotion.photo import PhotoReader
    from emotion.text.model import TextModel
    from emotion.voice import VoiceReader


@functools.cache
def risk_classifier() -> RiskClassifier | None:
    """``bot.risk.load_risk_classifier(None)``: the committed ensemble, or None (rules only)
    with its warning when it does not load."""
    return load_risk_classifier(None)


@functools.cache
def face_reader() -> FaceReader:
    """``emotion.face.reader.load_face_reader(None)``: the committed face model; raises the
    loader's own error when it does not load."""
    from emotion.face.reader import load_face_reader

    return load_face_reader(None)


def photo_reader() -> PhotoReader | None:
    """``bot.inference.load_photo_reader(None)``: the committed face reader, or None with the
    loader's warning when it does not load."""
    try:
        return face_reader()
    except Exception:
        from bot.inference import load_photo_reader

        return load_photo_reader(None)  # fails the same way, and logs why


@functools.cache
def voice_reader() -> VoiceReader | None:
    """``bot.inference.load_voice_reader()``: the offline transcriber, or None with the
    loader's warning when it does not load."""
    from bot.inference import load_voice_reader

    return load_voice_reader()


@functools.cache
def text_model() -> TextModel:
    """``emotion.text.model.load_text_model(None)``: the committed text model; raises the
    loader's own error when it does not load."""
    from emotion.text.model import load_text_model

    return load_text_model(None)
