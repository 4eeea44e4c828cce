"""The one text splitter both platforms use: limits in UTF-16 units, words and graphemes whole."""

from __future__ import annotations

import pytest

from bot.adapters.discord_convert import MAX_MESSAGE_CHARS
from bot.adapters.telegram_render import MAX_TEXT
from bot.adapters.telegram_render import split_text as telegram_split
from bot.adapters.text_split import split_text, utf16_len

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, 8 UTF-16 units
FLAG = "\U0001f1f3\U0001f1ff"  # one grapheme (two regional indicators), 4 units
ACCENTED = "e\u0301"  # e + combining acute: one grapheme, 2 units


def _words(chunks: list[str]) -> list[str]:
    return [word for chunk in chunks for word in chunk.split()]


@pytest.mark.parametrize("limit", [MAX_TEXT, MAX_MESSAGE_CHARS])
def test_exactly_the_limit_is_one_chunk_and_one_more_is_two(limit: int) -> None:
    assert split_text("x" * limit, limit) == ["x" * limit]
    assert split_text("x" * (limit + 1), limit) == ["x" * limit, "x"]


def test_platform_limits_are_kept() -> None:
    text = ("word " * 2000).strip()
    telegram, discord = split_text(text, MAX_TEXT), split_text(text, MAX_MESSAGE_CHARS)
    assert max(map(utf16_len, telegram)) <= 4096 and len(telegram) == 3
    assert max(map(utf16_len, discord)) <= 2000 and len(discord) == 5
    assert " ".join(telegram) == text and " ".join(discord) == text
    assert telegram_split(text) == telegram  # Telegram's default limit is 4096
    assert telegram_split("   ") == ["   "] and telegram_split("") == []


def test_blank_text_gives_no_chunks_and_outer_whitespace_is_dropped() -> None:
    assert split_text("", 10) == [] and split_text(" \n\t ", 10) == []
    assert split_text("  hello  \n", 10) == ["hello"]


def test_a_paragraph_break_beats_a_later_line_break_or_space() -> None:
    text = "a" * 60 + "\n\n" + "b" * 20 + "\n" + "c" * 5 + " " + "d" * 30
    assert split_text(text, 100) == ["a" * 60, "b" * 20 + "\n" + "c" * 5 + " " + "d" * 30]


def test_a_line_break_beats_a_later_space() -> None:
    text = "a" * 70 + "\n" + "b b b" + " " + "c" * 40
    assert split_text(text, 100) == ["a" * 70, "b b b " + "c" * 40]


def test_a_break_in_the_first_half_is_not_used_words_are_cut_hard_instead() -> None:
    text = "ab " + "x" * 150
    chunks = split_text(text, 100)
    assert chunks == ["ab " + "x" * 97, "x" * 53]


def test_long_words_are_cut_hard_and_nothing_is_lost() -> None:
    word = "".join(chr(ord("a") + i % 26) for i in range(4500))
    chunks = split_text(f"short {word} tail", MAX_MESSAGE_CHARS)
    assert all(utf16_len(c) <= MAX_MESSAGE_CHARS for c in chunks)
    assert "".join(chunks).replace(" ", "") == f"short{word}tail"


def test_newlines_inside_chunks_survive() -> None:
    text = "line one\nline two\n\nline three"
    assert split_text(text, 100) == [text]


def test_astral_emoji_count_as_two_units_and_are_never_halved() -> None:
    text = "\U0001f600" * 1500  # 3000 UTF-16 units, 1500 code points
    chunks = split_text(text, MAX_MESSAGE_CHARS)
    assert [len(c) for c in chunks] == [1000, 500]
    assert all(utf16_len(c) <= MAX_MESSAGE_CHARS for c in chunks)
    for chunk in chunks:  # encodes cleanly: no lone surrogate
        assert chunk.encode("utf-16-le").decode("utf-16-le") == chunk
    assert "".join(chunks) == text


def test_an_odd_limit_leaves_the_unit_that_cannot_hold_half_an_emoji() -> None:
    chunks = split_text("\U0001f600" * 3, 5)
    assert chunks == ["\U0001f600" * 2, "\U0001f600"]


@pytest.mark.parametrize("cluster", [FAMILY, FLAG, ACCENTED])
def test_hard_cuts_keep_grapheme_clusters_whole(cluster: str) -> None:
    size = utf16_len(cluster)
    for limit in range(size, size * 3 + 1):
        for lead in range(3):
            text = "x" * lead + cluster * 5
            chunks = split_text(text, limit)
            assert "".join(chunks) == text
            assert all(utf16_len(c) <= limit for c in chunks)
            for chunk in chunks:
                body = chunk.lstrip("x")
                assert body == cluster * (len(body) // len(cluster)), (limit, lead, chunk)


def test_a_limit_too_small_for_one_emoji_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        split_text("hello", 1)


def test_chunks_keep_order_and_words_on_mixed_text() -> None:
    words = [f"w{i}{'🙂' if i % 7 == 0 else ''}" for i in range(3000)]
    text = "".join(word + ("\n" if i % 50 == 49 else " ") for i, word in enumerate(words))
    chunks = split_text(text, MAX_MESSAGE_CHARS)
    assert _words(chunks) == text.split()
    assert all(0 < utf16_len(c) <= MAX_MESSAGE_CHARS for c in chunks)
