"""Windows of a long message (``responses.risk_windows``): whole sentences, bounded, in order,
covering every word, and nothing for a short message."""

from __future__ import annotations

import pytest

from responses.risk_windows import MAX_CHARS, windows

RAMBLE = (
    "work was awful today and my boss yelled at me again in front of everyone. "
    "the cat is sick too and the vet costs a fortune. "
    "honestly i have been saving my pills for a while and i think sunday is the day. "
    "anyway how was your day, did you watch the game? "
    "i made pasta for dinner and it was ok i guess"
)


def test_a_short_message_has_no_windows() -> None:
    assert windows("i want to die") == []
    assert windows(" ".join(f"w{i}" for i in range(40))) == []
    assert windows("") == []


def test_windows_are_runs_of_whole_sentences_within_the_limit() -> None:
    found = windows(RAMBLE, max_words=40)
    assert len(found) >= 2
    assert all(len(w.split()) <= 40 for w in found)
    # The sentence that matters is whole in at least one window.
    assert any("saving my pills for a while and i think sunday is the day." in w for w in found)
    # Every word of the message is in some window.
    words = set(RAMBLE.split())
    assert words == {word for w in found for word in w.split()}


def test_a_ramble_without_punctuation_is_cut_into_overlapping_runs() -> None:
    words = [f"w{i}" for i in range(100)]
    found = windows(" ".join(words), max_words=40)
    assert [w.split()[0] for w in found] == ["w0", "w20", "w40", "w60"]
    assert all(len(w.split()) == 40 for w in found)
    assert found[-1].split()[-1] == "w99"


@pytest.mark.parametrize("breaks", ["\n", "\r\n", "\n\n"])
def test_line_breaks_end_sentences(breaks: str) -> None:
    lines = [" ".join(f"l{n}w{i}" for i in range(15)) for n in range(6)]
    found = windows(breaks.join(lines), max_words=40)
    assert found and all(len(w.split()) <= 40 for w in found)
    assert all(w.split()[0].endswith("w0") for w in found)  # each starts at a line


def test_the_number_of_windows_and_the_characters_read_are_bounded() -> None:
    huge = " ".join(f"sentence number {i} is here." for i in range(5000))
    found = windows(huge, max_words=40, max_windows=24)
    assert len(found) == 24
    read = huge[:MAX_CHARS].split()
    assert all(set(w.split()) <= set(read) for w in found)
    # Spread over what is read, not only its start.
    assert found[-1].split()[0] in read[len(read) // 2 :]
