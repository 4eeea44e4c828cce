"""Hashed character and word n-grams: the language-independent half of the risk classifier's input.

Character n-grams (2-4, inside word boundaries, as in scikit-learn's ``char_wb`` analyzer) carry
spelling variants, typos, slang and other languages that a sentence encoder trained on English
reads poorly; word uni- and bigrams carry short phrases ("kms", "end it"). Each n-gram is hashed
with CRC-32 (stable across processes, unlike Python's salted ``hash``) into ``BUCKETS`` columns
(the "hashing trick", Weinberger et al. 2009); counts are log-scaled and the row L2-normalised.
Pure numpy and the standard library, shared by the runtime and the trainer.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Hash buckets (2**17). The head's n-gram weights are BUCKETS x categories.
BUCKETS = 1 << 17
CHAR_NGRAMS = (2, 3, 4)
#: Characters read per message: a risk signal is in the first screenful, and the cost of
#: hashing grows with the length.
MAX_CHARS = 2000
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


def normalise(text: str) -> str:
    """NFKC, lower case, typographic apostrophes as ``'``, runs of a letter cut to two."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower().replace("\u2019", "'")
    return re.sub(r"(.)\1{2,}", r"\1\1", text)


def ngrams(text: str) -> Counter[str]:
    """The n-gram counts of one message (character n-grams prefixed ``c``, words ``w``)."""
    words = _WORD.findall(normalise(text))
    grams: Counter[str] = Counter()
    for word in words:
        padded = f" {word} "
        for n in CHAR_NGRAMS:
            for i in range(max(1, len(padded) - n + 1)):
                grams["c" + padded[i : i + n]] += 1
    grams.update("w" + w for w in words)
    grams.update("b" + a + " " + b for a, b in itertools.pairwise(words))
    return grams


@dataclass(frozen=True, slots=True)
class SparseRows:
    """Rows in compressed sparse row form: row i is ``cols/vals[indptr[i]:indptr[i+1]]``."""

    indptr: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    vals: npt.NDArray[np.float32]

    @property
    def n_rows(self) -> int:
        return int(self.indptr.shape[0] - 1)

    def rows_of_entries(self) -> npt.NDArray[np.int64]:
        """The row index of every stored entry."""
        return np.repeat(np.arange(self.n_rows), np.diff(self.indptr))

    def dot(self, weights: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """``X @ weights`` for weights of shape (BUCKETS, k): shape (rows, k)."""
        out = np.zeros((self.n_rows, weights.shape[1]), dtype=np.float32)
        if self.cols.size:
            rows = self.rows_of_entries()
            gathered = weights[self.cols] * self.vals[:, None]
            for k in range(weights.shape[1]):
                out[:, k] = np.bincount(rows, weights=gathered[:, k], minlength=self.n_rows)
        return out

    def take(self, rows: Sequence[int] | npt.NDArray[np.int64]) -> SparseRows:
        """The chosen rows, in the given order."""
        parts_c = [self.cols[self.indptr[r] : self.indptr[r + 1]] for r in rows]
        parts_v = [self.vals[self.indptr[r] : self.indptr[r + 1]] for r in rows]
        lengths = np.array([len(p) for p in parts_c], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        cols = np.concatenate(parts_c) if parts_c else np.zeros(0, np.int64)
        vals = np.concatenate(parts_v) if parts_v else np.zeros(0, np.float32)
        return SparseRows(indptr, cols.astype(np.int64), vals.astype(np.float32))


def hash_features(texts: Sequence[str]) -> SparseRows:
    """Log-scaled, L2-normalised hashed n-gram counts, one row per text (empty text: no entry)."""
    indptr = [0]
    cols: list[int] = []
    vals: list[float] = []
    for text in texts:
        buckets: Counter[int] = Counter()
        for gram, count in ngrams(text).items():
            buckets[zlib.crc32(gram.encode("utf-8")) % BUCKETS] += count
        row = np.log1p(np.fromiter(buckets.values(), dtype=np.float32, count=len(buckets)))
        norm = float(np.linalg.norm(row)) or 1.0
        cols.extend(buckets)
        vals.extend((row / norm).tolist())
        indptr.append(len(cols))
    return SparseRows(
        np.asarray(indptr, dtype=np.int64),
        np.asarray(cols, dtype=np.int64),
        np.asarray(vals, dtype=np.float32),
    )
