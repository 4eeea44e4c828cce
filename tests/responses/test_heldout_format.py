"""Format checks for the held-out crisis test split (never its results: see bench/safety_bench.py).

The two files under ``tests/responses/data/`` are a held-out test split: invented messages and
conversations that the crisis rules and the learned risk classifier are measured on, never tuned
on. These tests only guard their shape, so a later edit cannot silently break the bench or thin
out a category or language: columns, labels from :class:`responses.risk.RiskCategory` (or
``none``), languages from :data:`responses.risk.LANGUAGES`, minimum counts, no duplicates, and
that a dialogue's expected risk never drops once raised (a retraction such as "lol jk" does not
clear it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

from responses.risk import LANGUAGES, RiskCategory

DATA = Path(__file__).parent / "data"
SINGLES = DATA / "risk_heldout.tsv"
SHORT = DATA / "short_heldout.tsv"
DIALOGUES = DATA / "risk_heldout_dialogues.tsv"
NONE = "none"

#: Minimum messages per category: 30 in English, 5 in each other language (issue 13).
MIN_PER_CATEGORY = {"en": 30, "de": 5, "fr": 5, "es": 5, "nl": 5}
#: Minimum hard negatives (``none``) per language (issue 13).
MIN_NEGATIVES = {"en": 200, "de": 30, "fr": 30, "es": 30, "nl": 30}
MIN_DIALOGUES = 40
MIN_NON_ENGLISH_DIALOGUES = 10
MIN_BENIGN_DIALOGUES = 15


@dataclass(frozen=True, slots=True)
class Single:
    """One row of the single-message file."""

    labels: frozenset[str]
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Turn:
    """One user turn of a held-out dialogue."""

    dialogue_id: str
    turn: int
    expected: frozenset[str]
    language: str
    text: str


KNOWN_LABELS = frozenset(c.value for c in RiskCategory)


def _data_lines(path: Path) -> list[tuple[int, str]]:
    """Non-comment, non-blank lines of ``path`` with their 1-based line numbers."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, ln) for n, ln in enumerate(lines, 1) if ln.strip() and not ln.startswith("#")]


def _parse_labels(field: str, where: str) -> frozenset[str]:
    """``none`` -> empty set; otherwise comma-separated known category values."""
    if field == NONE:
        return frozenset()
    labels = field.split(",")
    unknown = [lab for lab in labels if lab not in KNOWN_LABELS]
    assert not unknown, f"{where}: unknown labels {unknown}"
    assert len(set(labels)) == len(labels), f"{where}: repeated label in {field!r}"
    return frozenset(labels)


def _singles(path: Path = SINGLES) -> list[Single]:
    rows = []
    for n, line in _data_lines(path):
        cols = line.split("\t")
        assert len(cols) == 3, f"{path.name}:{n}: expected 3 columns, got {len(cols)}"
        labels, language, text = cols
        assert language in LANGUAGES, f"{path.name}:{n}: unknown language {language!r}"
        assert text.strip() == text and text, f"{path.name}:{n}: empty or padded text"
        rows.append(Single(_parse_labels(labels, f"{path.name}:{n}"), language, text))
    return rows


def _turns() -> list[Turn]:
    rows = []
    for n, line in _data_lines(DIALOGUES):
        cols = line.split("\t")
        assert len(cols) == 5, f"{DIALOGUES.name}:{n}: expected 5 columns, got {len(cols)}"
        dialogue_id, turn, expected, language, text = cols
        assert dialogue_id, f"{DIALOGUES.name}:{n}: empty dialogue id"
        assert turn.isdigit(), f"{DIALOGUES.name}:{n}: turn {turn!r} is not a number"
        assert language in LANGUAGES, f"{DIALOGUES.name}:{n}: unknown language {language!r}"
        assert text.strip() == text and text, f"{DIALOGUES.name}:{n}: empty or padded text"
        where = f"{DIALOGUES.name}:{n}"
        rows.append(Turn(dialogue_id, int(turn), _parse_labels(expected, where), language, text))
    return rows


def _dialogues() -> dict[str, list[Turn]]:
    grouped: dict[str, list[Turn]] = {}
    for t in _turns():
        grouped.setdefault(t.dialogue_id, []).append(t)
    return grouped


def test_files_start_with_the_never_tune_header() -> None:
    for path in (SINGLES, DIALOGUES, SHORT):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# HELD-OUT TEST SPLIT"), path.name
        assert "Never tune" in first, path.name


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_category_has_its_minimum_per_language(language: str) -> None:
    counts = Counter(
        label for row in _singles() if row.language == language for label in row.labels
    )
    short = {
        c.value: counts[c.value]
        for c in RiskCategory
        if counts[c.value] < MIN_PER_CATEGORY[language]
    }
    assert not short, f"{language}: categories under {MIN_PER_CATEGORY[language]}: {short}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_hard_negatives_have_their_minimum_per_language(language: str) -> None:
    negatives = sum(1 for row in _singles() if row.language == language and not row.labels)
    assert negatives >= MIN_NEGATIVES[language]


def test_no_duplicate_single_messages() -> None:
    counts = Counter(row.text.casefold() for row in _singles())
    assert [text for text, k in counts.items() if k > 1] == []


def test_dialogue_turns_are_numbered_one_to_n_without_gaps() -> None:
    for dialogue_id, turns in _dialogues().items():
        assert [t.turn for t in turns] == list(range(1, len(turns) + 1)), dialogue_id
        assert 2 <= len(turns) <= 6, f"{dialogue_id}: {len(turns)} turns"
        assert len({t.language for t in turns}) == 1, f"{dialogue_id}: mixed languages"
        texts = [t.text.casefold() for t in turns]
        assert len(set(texts)) == len(texts), f"{dialogue_id}: repeated turn"


def test_expected_risk_never_drops_within_a_dialogue() -> None:
    """A retraction ("lol jk", "forget it im fine") keeps the risk raised."""
    for dialogue_id, turns in _dialogues().items():
        for before, after in pairwise(turns):
            dropped = before.expected - after.expected
            assert not dropped, f"{dialogue_id} turn {after.turn} drops {sorted(dropped)}"


def test_dialogue_counts() -> None:
    dialogues = _dialogues()
    benign = [d for d, turns in dialogues.items() if not turns[-1].expected]
    non_english = [d for d, turns in dialogues.items() if turns[0].language != "en"]
    assert len(dialogues) >= MIN_DIALOGUES
    assert len(benign) >= MIN_BENIGN_DIALOGUES
    assert len(non_english) >= MIN_NON_ENGLISH_DIALOGUES
    # Risk must show only across turns in some dialogues: the first turn alone says nothing.
    late = [d for d, turns in dialogues.items() if turns[-1].expected and not turns[0].expected]
    assert len(late) >= MIN_DIALOGUES // 2


def counts_table() -> str:
    """Markdown tables of the split's counts (label x language, dialogues) for the README."""
    singles = _singles()
    labels = [c.value for c in RiskCategory]
    per = Counter((label, row.language) for row in singles for label in row.labels)
    per.update((NONE, row.language) for row in singles if not row.labels)
    totals = Counter(row.language for row in singles)
    out = [
        "| label | " + " | ".join(LANGUAGES) + " | all |",
        "|---|" + "---|" * len(LANGUAGES) + "---|",
    ]
    for label in [*labels, NONE]:
        cells = [per[label, lang] for lang in LANGUAGES]
        out.append(f"| {label} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    cells = [totals[lang] for lang in LANGUAGES]
    out.append("| messages | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    multi = sum(1 for row in singles if len(row.labels) > 1)
    out += ["", f"Messages with more than one label: {multi}.", ""]
    dialogues = _dialogues()
    n_turns = sum(len(turns) for turns in dialogues.values())
    out += [f"Dialogues: {len(dialogues)}, user turns: {n_turns}.", ""]
    out += ["| language | dialogues | benign (never raised) | risk |", "|---|---|---|---|"]
    for lang in LANGUAGES:
        mine = [turns for turns in dialogues.values() if turns[0].language == lang]
        benign = sum(1 for turns in mine if not turns[-1].expected)
        out.append(f"| {lang} | {len(mine)} | {benign} | {len(mine) - benign} |")
    raised = Counter(label for turns in dialogues.values() for label in turns[-1].expected)
    out += [
        "",
        "Risk dialogues by category raised by the last turn: "
        + ", ".join(f"{label} {raised[label]}" for label in labels)
        + ".",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    print(counts_table())


def test_the_short_split_is_short_unique_and_covers_every_language() -> None:
    """``short_heldout.tsv``: 1-6 words a message, no repeats, ordinary and risk lines in each
    language (the bench reads it with ``--heldout``; its counts are in README_heldout.md)."""
    rows = _singles(SHORT)

    def words(text: str) -> int:  # an emoji on its own is not a word
        return sum(any(ch.isalnum() for ch in token) for token in text.split())

    assert all(1 <= words(row.text) <= 6 for row in rows)
    counts = Counter(row.text.casefold() for row in rows)
    assert not [text for text, n in counts.items() if n > 1]
    for language in LANGUAGES:
        mine = [row for row in rows if row.language == language]
        assert sum(not row.labels for row in mine) >= 40, language
        assert sum(bool(row.labels) for row in mine) >= 15, language
