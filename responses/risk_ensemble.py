"""The two learned risk readers together: the USE + n-gram classifier and the fine-tuned MiniLM.

``RiskEnsemble.predict`` scores a message with ``responses.risk_model.RiskModel`` (multilingual,
cheap) and, for the languages the ensemble gives the MiniLM reader a weight, with
``responses.risk_encoder.EncoderReader``; each output (every category and "any") is the
weighted mean ``w * minilm + (1 - w) * use`` with ``w`` per language read, and the bands
are cuts on it as in ``RiskModel`` (a message is in a band when its highest combined score
reaches the cut). Weights and cuts were chosen on the trainers' dev split and held-apart
ordinary chat only (``data/risk_encoder/config.json`` → ``ensemble``, with its dev figures).

Weights and cuts are per language (English; the other four share theirs). A prediction is
``decisive`` (the core sends the crisis reply without a rule) when its highest combined score
reaches the decisive cut of its language: the lowest cut that kept <= 5 % of that language
group's dev hard negatives and <= 0.5 % of raw held-apart ordinary chat in the band (``None``
in the config when no cut did; then nothing is decisive). Between the confident and the
decisive cut a message is ``flagged`` but not decisive: the core asks instead.

The MiniLM reader is skipped for a message when its weight is 0 for the language read, or
when the USE score is so low that even a MiniLM score of 1 could not lift the combined
score to the watch cut (``w + (1 - w) * use < watch``): that changes no band, only saves
time on ordinary chat. Its MiniLM score then counts as 0 in ``scores``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from responses.risk import RiskCategory, RiskPrediction
from responses.risk_encoder import EncoderReader, load_encoder_reader, read_config
from responses.risk_model import RiskModel, RiskModelError, band, load_risk_model
from responses.risk_windows import windows

log = logging.getLogger(__name__)

#: Shorter messages are never ``decisive`` (they can still be flagged or watched: the core
#: then asks instead of sending the crisis reply). A fresh review found the decisive band
#: sending the crisis reply to "see you tomorrow", "here I am", "look at me" and "this is me
#: right now" (9 of 40 short everyday captions). The training data then had as many risk lines
#: as ordinary ones up to five words (284 to 279); it now has 385 to 866, and on the dev split
#: short look-alikes reach the decisive score 3 % of the time in English (1.3 % elsewhere),
#: but a short goodbye still does ("goodbye for now" 0.97, "adiós a todos" 0.999): a goodbye
#: that short cannot say which it is, so it is asked about, not answered as a crisis. The
#: rules still catch short direct statements ("I want to die", "kms").
MIN_DECISIVE_WORDS = 6


#: A window's scores count this much less than the whole message's: a long message has
#: many windows, each a chance of a false alarm. Chosen with ``bench/risk_windows_bench.py``
#: (long messages composed from dev data only, 300 of each kind) as the smallest margin that
#: keeps ordinary long chat within the single-message limits (<= 3 % check-ins, <= 1 %
#: crisis replies). With the readers of 2026-11-30 09:53 (v4 lines): 0.30, where 2.3 % / 0 %
#: of ordinary long messages, 3.7 % / 0 % of those around a look-alike and 49 % / 0 % of those
#: around a risk line get a check-in / the crisis reply (read whole only: 3 % / 0 %). At 0.20
#: the risk ones got 53 % / 36 %, but 3.7 % of ordinary ones a check-in. With the window's
#: top at 1 - 0.30, below the English decisive cut (0.775), a long message is never sent the
#: crisis reply on a window alone: it is asked (a check-in with the lines). (Earlier readers:
#: 0.25 at 07:05, 0.2 at 06:27.)
WINDOW_MARGIN = 0.30


@dataclass(frozen=True, slots=True)
class WindowedReading:
    """One text as the ensemble read it: ``whole`` (its own combined scores: categories,
    then "any"), ``windows`` (per output, the highest score of its windows; None when the
    text is short enough to have none) and ``language`` (the whole text's)."""

    whole: npt.NDArray[np.float32]
    windows: npt.NDArray[np.float32] | None
    language: str


@dataclass(frozen=True, slots=True)
class Bands:
    """The cuts on the highest combined score for one language: ``watch`` (recall first,
    check-in), ``confident`` (the categories ``combine`` adds when the rules flagged) and
    ``decisive`` (the crisis reply without a rule; None when no cut met the dev limits)."""

    watch: float
    confident: float
    decisive: float | None


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
        self.bands: dict[str, Bands] = {}
        for lang, cuts in ensemble["bands"].items():
            decisive = cuts.get("decisive")
            bands = Bands(
                float(cuts["watch"]),
                float(cuts["confident"]),
                None if decisive is None else float(decisive),
            )
            top = bands.decisive if bands.decisive is not None else 1.0
            if not 0.0 < bands.watch <= bands.confident <= top <= 1.0:
                raise RiskModelError(f"ensemble cuts for {lang} out of order: {bands}")
            self.bands[lang] = bands
        missing = [lang for lang in model.languages if lang not in self.bands]
        if missing:
            raise RiskModelError(f"ensemble has no cuts for {missing}")
        self._width = len(labels)
        self._lock = threading.Lock()
        #: Read long texts window by window too (``bench/risk_windows_bench.py`` compares).
        self.read_windows = True
        #: Subtracted from a window's scores: a long message has many windows, each a chance
        #: of a false alarm (see WINDOW_MARGIN).
        self.window_margin = WINDOW_MARGIN

    def read(self, texts: Sequence[str]) -> list[WindowedReading]:
        """Per text: the combined scores of the text itself, the highest of its windows' (a
        long text, ``responses.risk_windows``; None for a short one) and the language read
        (the whole text's)."""
        rows: list[str] = []
        owner: list[int] = []
        whole: list[int] = []  # the row of each text itself
        for i, text in enumerate(texts):
            whole.append(len(rows))
            for part in [text, *(windows(text) if self.read_windows else [])]:
                rows.append(part)
                owner.append(i)
        raw = self.model.raw_scores(rows)
        if any(row.shape[0] != len(self.categories) + 1 for row, _ in raw):
            raise RiskModelError("the USE classifier has no 'any' output; cannot combine")
        languages = [raw[r][1] for r in whole]
        whole_rows = set(whole)
        need = []
        for r, (row, _lang) in enumerate(raw):
            lang = languages[owner[r]]
            w = self.weights.get(lang, 0.0)
            margin = 0.0 if r in whole_rows else self.window_margin
            if w > 0.0 and w + (1.0 - w) * float(row.max()) - margin >= self._bands(lang).watch:
                need.append(r)
        minilm = np.zeros((len(rows), len(self.categories) + 1), np.float32)
        if need:
            with self._lock:
                minilm[need] = self.reader.scores([rows[r] for r in need])
        width = len(self.categories) + 1
        mixed = [
            (
                self.weights.get(languages[owner[r]], 0.0) * minilm[r]
                + (1.0 - self.weights.get(languages[owner[r]], 0.0)) * row
            ).astype(np.float32)
            for r, (row, _lang) in enumerate(raw)
        ]
        readings = []
        for i, start in enumerate(whole):
            stop = whole[i + 1] if i + 1 < len(whole) else len(rows)
            best = np.max(np.stack(mixed[start + 1 : stop]), axis=0) if stop > start + 1 else None
            assert best is None or best.shape == (width,)
            readings.append(WindowedReading(mixed[start], best, languages[i]))
        return readings

    def combined(self, texts: Sequence[str]) -> list[tuple[npt.NDArray[np.float32], str]]:
        """Per text: the combined scores (categories, then "any") and the language read.

        A long text is also read window by window (``read``): per output, its score is the
        highest of the whole text's and its windows' less ``window_margin``.
        """
        out = []
        for reading in self.read(texts):
            row = reading.whole
            if reading.windows is not None:
                row = np.maximum(row, reading.windows - self.window_margin).astype(np.float32)
            out.append((row, reading.language))
        return out

    def predict(self, texts: Sequence[str]) -> list[RiskPrediction]:
        """One RiskPrediction per text, in order (``decisive`` at the config's decisive cut).

        When the MiniLM reader raises, the USE classifier's own predictions are returned (its
        bands, never decisive), so the message still gets a check-in where it reads risk.

        Blocking (two encoders; ``bench/safety_bench.py`` prints the latency): call it off
        the event loop.
        """
        if not texts:
            return []
        try:
            combined = self.combined(texts)
        except Exception as error:  # the MiniLM reader failed: the USE classifier still reads
            log.warning("risk encoder failed (%s); the USE classifier alone", type(error).__name__)
            return self.model.predict(texts)
        k = len(self.categories)
        results = []
        for text, (row, lang) in zip(texts, combined, strict=True):
            cuts = self._bands(lang)
            flagged = band(self.categories, row, np.full(self._width, cuts.confident, np.float32))
            watch = band(self.categories, row, np.full(self._width, cuts.watch, np.float32))
            results.append(
                RiskPrediction(
                    scores={c: float(v) for c, v in zip(self.categories, row[:k], strict=True)},
                    flagged=flagged,
                    language=lang,
                    watch=watch - flagged,
                    decisive=cuts.decisive is not None
                    and bool(flagged)
                    and float(row.max()) >= cuts.decisive
                    and len(text.split()) >= MIN_DECISIVE_WORDS,
                )
            )
        return results

    def _bands(self, language: str) -> Bands:
        """The cuts for messages read as ``language`` (English's for any other)."""
        return self.bands.get(language, self.bands["en"])


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
