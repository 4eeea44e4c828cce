"""The two learned risk readers together: the USE + n-gram classifier and the fine-tuned MiniLM.

``RiskEnsemble.predict`` scores a message with ``responses.risk_model.RiskModel`` (multilingual,
cheap) and, for the languages the ensemble gives the MiniLM reader a weight, with
``responses.risk_encoder.EncoderReader``; each output (every category and "any") is the
weighted mean ``w * minilm + (1 - w) * use`` with ``w`` per language read, and the two bands
are cuts on it as in ``RiskModel`` (a message is in a band when its highest combined score
reaches the cut). Weights and cuts were chosen on the trainers' dev split and held-apart
ordinary chat only (``data/risk_encoder/config.json`` → ``ensemble``, with its dev figures).

``decisive`` (from the same config) says whether the confident band was measured precise
enough on dev to send the crisis reply by itself; every prediction carries it.

The MiniLM reader is skipped for a message when its weight is 0 for the language read, or
when the USE score is so low that even a MiniLM score of 1 could not lift the combined
score to the watch cut (``w + (1 - w) * use < watch``): that changes no band, only saves
time on ordinary chat. Its MiniLM score then counts as 0 in ``scores``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from responses.risk import RiskCategory, RiskPrediction
from responses.risk_encoder import EncoderReader, load_encoder_reader, read_config
from responses.risk_model import RiskModel, RiskModelError, band, load_risk_model

log = logging.getLogger(__name__)


class RiskEnsemble:
    """Both readers, combined per language (see the module docstring). Calls are serialised."""

    def __init__(
        self, model: RiskModel, reader: EncoderReader, ensemble: Mapping[str, Any]
    ) -> None:
        self.model = model
        self.reader = reader
        self.categories: tuple[RiskCategory, ...] = model.categories
        labels = [c.value for c in self.categories] + ["any"]
        if list(reader.labels) != labels:
            raise RiskModelError(f"risk encoder outputs {reader.labels}, expected {labels}")
        self.weights: dict[str, float] = {k: float(v) for k, v in ensemble["weights"].items()}
        if any(not 0.0 <= w <= 1.0 for w in self.weights.values()):
            raise RiskModelError(f"ensemble weights outside [0, 1]: {self.weights}")
        self.confident = float(ensemble["confident"])
        self.watch_cut = float(ensemble["watch"])
        if not 0.0 < self.watch_cut <= self.confident <= 1.0:
            raise RiskModelError(f"ensemble cuts out of order: {self.watch_cut}, {self.confident}")
        self.decisive = bool(ensemble.get("decisive", False))
        n = len(labels)
        self._confident = np.full(n, self.confident, np.float32)
        self._watch = np.full(n, self.watch_cut, np.float32)
        self._lock = threading.Lock()

    def combined(self, texts: Sequence[str]) -> list[tuple[npt.NDArray[np.float32], str]]:
        """Per text: the combined scores (categories, then "any") and the language read."""
        raw = self.model.raw_scores(texts)
        if any(row.shape[0] != len(self.categories) + 1 for row, _ in raw):
            raise RiskModelError("the USE classifier has no 'any' output; cannot combine")
        need = []
        for i, (row, lang) in enumerate(raw):
            w = self.weights.get(lang, 0.0)
            if w > 0.0 and w + (1.0 - w) * float(row.max()) >= self.watch_cut:
                need.append(i)
        minilm = np.zeros((len(texts), len(self.categories) + 1), np.float32)
        if need:
            with self._lock:
                minilm[need] = self.reader.scores([texts[i] for i in need])
        out = []
        for i, (row, lang) in enumerate(raw):
            w = self.weights.get(lang, 0.0)
            out.append(((w * minilm[i] + (1.0 - w) * row).astype(np.float32), lang))
        return out

    def predict(self, texts: Sequence[str]) -> list[RiskPrediction]:
        """One RiskPrediction per text, in order (``decisive`` set from the config).

        Blocking (two encoders; ``bench/safety_bench.py`` prints the latency): call it off
        the event loop.
        """
        if not texts:
            return []
        k = len(self.categories)
        results = []
        for row, lang in self.combined(texts):
            flagged = band(self.categories, row, self._confident)
            results.append(
                RiskPrediction(
                    scores={c: float(v) for c, v in zip(self.categories, row[:k], strict=True)},
                    flagged=flagged,
                    language=lang,
                    watch=band(self.categories, row, self._watch) - flagged,
                    decisive=self.decisive and bool(flagged),
                )
            )
        return results


def load_risk_ensemble(
    model_dir: Path | None = None, encoder_dir: Path | None = None
) -> RiskEnsemble | RiskModel:
    """Both readers combined, or the USE classifier alone when the MiniLM reader does not
    load or was trained beside another USE classifier (a warning says why; the classifier
    alone is never ``decisive``, so the core then asks rather than sends the crisis reply).

    Raises RiskModelError when the USE classifier itself does not load (the caller then
    screens with the rules alone).
    """
    model = load_risk_model(model_dir)
    try:
        reader = load_encoder_reader(encoder_dir)
        ensemble = reader.config.get("ensemble")
        if not isinstance(ensemble, dict):
            raise RiskModelError("risk encoder config has no 'ensemble' section")
        if ensemble.get("use_weights_sha256") != model.config.get("weights_sha256"):
            raise RiskModelError("ensemble was tuned beside another USE classifier")
        return RiskEnsemble(model, reader, ensemble)
    except (RiskModelError, KeyError, TypeError, ValueError) as error:
        log.warning("risk encoder unavailable (%s); the USE classifier alone", error)
        return model


__all__ = ["RiskEnsemble", "load_risk_ensemble", "read_config"]
