"""Every risk-classifier training file is well formed, and each language covers every category.

The trainer reads ``responses/data/risk_train/*.tsv`` as ``labels<TAB>text`` lines under a
one-line ``#`` header; a malformed line, an unknown label or a category with too few examples
would silently weaken the classifier, so the shape is checked here, not at training time.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from responses.risk import RiskCategory

TRAIN_DIR = Path(__file__).resolve().parents[2] / "responses" / "data" / "risk_train"
HEADER_PREFIX = "# Risk classifier TRAINING data ("
KNOWN = {c.value for c in RiskCategory} | {"none"}
MIN_LINES = 400
MIN_PER_CATEGORY = 25
MIN_NONE_SHARE = 0.40

FILES = sorted(TRAIN_DIR.glob("*.tsv"))


def _rows(path: Path) -> list[tuple[list[str], str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines, path
    assert lines[0].startswith(HEADER_PREFIX), (path, lines[0])
    rows: list[tuple[list[str], str]] = []
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("#"):  # further comment lines (how a file was made)
            continue
        cells = line.split("\t")
        assert len(cells) == 2, (path.name, number, line)
        labels, text = cells[0].split(","), cells[1]
        assert text.strip(), (path.name, number)
        assert set(labels) <= KNOWN, (path.name, number, labels)
        assert len(set(labels)) == len(labels), (path.name, number, labels)
        assert "none" not in labels or labels == ["none"], (path.name, number, labels)
        rows.append((labels, text))
    return rows


def test_training_files_exist() -> None:
    assert FILES, f"no training files under {TRAIN_DIR}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_training_file_is_well_formed_without_repeats(path: Path) -> None:
    rows = _rows(path)
    assert rows, path.name
    texts = Counter(" ".join(text.casefold().split()) for _, text in rows)
    duplicates = [text for text, n in texts.items() if n > 1]
    assert not duplicates, (path.name, duplicates)


LANGUAGE_FILES: dict[str, list[Path]] = {}
for _path in FILES:
    LANGUAGE_FILES.setdefault(_path.stem.split("_")[0], []).append(_path)


@pytest.mark.parametrize("language", sorted(LANGUAGE_FILES))
def test_each_language_covers_every_category(language: str) -> None:
    """A language's files together (a later batch may add to a few categories only) hold
    enough lines, every category and a share of hard negatives."""
    rows = [row for path in LANGUAGE_FILES[language] for row in _rows(path)]
    assert len(rows) >= MIN_LINES, (language, len(rows))
    counts = Counter(label for labels, _ in rows for label in labels)
    for category in RiskCategory:
        assert counts[category.value] >= MIN_PER_CATEGORY, (language, category, counts)
    assert counts["none"] / len(rows) >= MIN_NONE_SHARE, (language, counts["none"], len(rows))
