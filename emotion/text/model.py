"""Loading the trained text emotion model and turning messages into estimates.

``load_text_model`` reads the committed folder (``emotion/text/model/``: config.json with the
label order and the dev-chosen thresholds, float16 weights of the fine-tuned part, the known-word
list), rebuilds the network with MiniLM's frozen part from the installed package, and warms it up
with one prediction so the first chat message does not pay for tracing.

The network's probabilities are only half of an estimate: ``estimate`` also says how far they
can be trusted. Text the model has no vocabulary for (another language, random characters) is
pulled towards a low-confidence neutral instead of a confident wrong label; very short text gets
a low confidence whatever it says.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from emotion.labels import LABELS, N_LABELS, Emotion, EmotionEstimate, Source
from emotion.text.artifacts import DEFAULT_MODEL_DIR, load_network, read_config, read_known
from emotion.text.features import Featurizer
from emotion.text.inference import Predictor, make_predictor, predict_prepared
from emotion.text.preprocess import CUE_NAMES, Analysis

__all__ = ["DEFAULT_MODEL_DIR", "TextModel", "chat_adjusted", "load_text_model"]

_NEUTRAL = LABELS.index(Emotion.NEUTRAL)
_NON_ASCII = CUE_NAMES.index("non_ascii_letters")
_CAPS = CUE_NAMES.index("caps_ratio")
_SHOUTED = CUE_NAMES.index("shouted_words")
_ANGRY = LABELS.index(Emotion.ANGRY)
_HAPPY = LABELS.index(Emotion.HAPPY)
#: Logit added to "angry" for a shouted, not-happy message (see ``chat_adjusted``).
SHOUTING_LOGIT = 1.25


#: Factor on "neutral" for a message of emoji only (see ``chat_adjusted``).
EMOJI_ONLY_NEUTRAL = 0.5


def chat_adjusted(
    probabilities: npt.NDArray[np.float32], analyses: Sequence[Analysis]
) -> npt.NDArray[np.float32]:
    """Two chat rules where the training data (Reddit comments) says too little.

    * Capitals are shouting: a message in capitals that is not happy gets ``SHOUTING_LOGIT``
      on "angry". Reddit's annotators mostly read caps as excitement or confusion, and the
      uncased encoder cannot see case, so the network learned little from the caps cue.
    * A message of emoji only is itself the emotional signal: its "neutral" is scaled by
      ``EMOJI_ONLY_NEUTRAL``. The network saw emoji mostly inside sentences ("😭" often as
      laughter), so alone they come out flat.

    Their effect on GoEmotions dev is in the README (none measurable).
    """
    out = probabilities.copy()
    for row, analysis in enumerate(analyses):
        shouted = analysis.cues[_CAPS] >= 0.7 and analysis.cues[_SHOUTED] >= 0.3
        if shouted and out[row, _HAPPY] < 0.5:
            p = float(np.clip(out[row, _ANGRY], 1e-6, 1 - 1e-6))
            logit = np.log(p / (1 - p)) + SHOUTING_LOGIT
            out[row, _ANGRY] = 1.0 / (1.0 + np.exp(-logit))
        if analysis.words == 0 and analysis.emoji > 0:
            out[row, _NEUTRAL] *= EMOJI_ONLY_NEUTRAL
    return out


class TextModel:
    """The trained network with its thresholds; implements ``TextEstimator``."""

    __slots__ = ("_featurizer", "_order", "_predict", "config", "model_dir", "thresholds")

    def __init__(
        self,
        predict: Predictor,
        featurizer: Featurizer,
        config: dict[str, object],
        model_dir: Path,
    ) -> None:
        saved_labels = [Emotion(str(name)) for name in _as_list(config["labels"])]
        if sorted(saved_labels) != sorted(LABELS):
            raise ValueError(f"model labels {saved_labels} are not the 7 labels")
        #: Column of the network output for each label in ``LABELS`` order.
        self._order = np.asarray([saved_labels.index(label) for label in LABELS])
        self._predict = predict
        self._featurizer = featurizer
        self.config = config
        self.model_dir = model_dir
        raw = config["thresholds"]
        if not isinstance(raw, dict):
            raise ValueError("config thresholds must map label -> threshold")
        #: Decision threshold per label, in ``LABELS`` order (chosen on dev at training).
        self.thresholds: npt.NDArray[np.float32] = np.asarray(
            [float(raw[label.value]) for label in LABELS], dtype=np.float32
        )
        self.thresholds.setflags(write=False)

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Independent (sigmoid) probability of each label, [N, 7] in ``LABELS`` order."""
        if not texts:
            return np.zeros((0, N_LABELS), dtype=np.float32)
        items = self._featurizer.prepare(texts)
        raw = predict_prepared(self._predict, items)
        return chat_adjusted(raw[:, self._order], [item.analysis for item in items])

    def estimate(self, text: str) -> EmotionEstimate:
        """One message -> probabilities (summing to 1) and how much they can be trusted."""
        return self.estimate_many([text])[0]

    def estimate_many(self, texts: Sequence[str]) -> list[EmotionEstimate]:
        """``estimate`` for several messages in one network call per length bucket.

        A batch of 8 short messages costs about a quarter of 8 single calls on 2 cores, so the
        bot groups messages that arrive while the model is busy (``bot.inference``).
        """
        results = [EmotionEstimate.neutral(Source.TEXT, 0.0) for _ in texts]
        filled = [i for i, text in enumerate(texts) if text and text.strip()]
        if not filled:
            return results
        items = self._featurizer.prepare([texts[i] for i in filled])
        raw = predict_prepared(self._predict, items, round_rows=True)
        for row, i, item in zip(raw, filled, items, strict=True):
            results[i] = self._finish(row, item.analysis)
        return results

    def _finish(self, raw: npt.NDArray[np.float32], analysis: Analysis) -> EmotionEstimate:
        """Network output for one message -> its estimate, trusted as far as its words allow."""
        adjusted = chat_adjusted(raw[None, self._order], [analysis])[0]
        probabilities = adjusted.astype(np.float64)
        emoji = min(analysis.emoji, 3)
        # How much of the message is language the model was trained on: known words and emoji
        # (read through their English names) over all words and emoji, discounted when most
        # letters come from non-Latin scripts. Other languages and keyboard mashing score low.
        signals = analysis.words + emoji
        known = analysis.known_fraction * analysis.words + emoji
        language = known / signals * (1.0 - analysis.cues[_NON_ASCII]) if signals else 0.0
        trust = float(np.clip((language - 0.35) / 0.45, 0.0, 1.0))
        neutral = np.zeros(N_LABELS)
        neutral[_NEUTRAL] = 1.0
        distribution = probabilities / max(float(probabilities.sum()), 1e-6)
        mixed = trust * distribution + (1.0 - trust) * neutral
        # Length: one or two words (or an emoji) say little, a sentence says much more.
        length = min(1.0, 0.1 + 0.12 * signals)
        peak = float(probabilities.max())
        confidence = trust * length * (0.4 + 0.6 * peak)
        return EmotionEstimate(tuple(float(p) for p in mixed), Source.TEXT, confidence)


def _as_list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError("config labels must be a list")
    return value


def load_text_model(model_dir: Path | None = None) -> TextModel:
    """Load (once) and warm up the trained model (``emotion.text.artifacts`` lists its files).

    Raises ``OSError`` or ``ValueError`` when the folder is missing, unreadable, of another
    format or saved with other preprocessing features.
    """
    model_dir = DEFAULT_MODEL_DIR if model_dir is None else Path(model_dir)
    config = read_config(model_dir)
    net = load_network(model_dir, config)
    model = TextModel(make_predictor(net), Featurizer(read_known(model_dir)), config, model_dir)
    model.estimate("warming up the model, thank you")
    return model
