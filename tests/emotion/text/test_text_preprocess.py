"""Preprocessing: what the encoder sees and the cues kept beside it."""

from __future__ import annotations

import time

from emotion.text.preprocess import (
    CUE_NAMES,
    MAX_CHARS,
    analyse,
    emoji_words,
    normalise,
    shorten_elongations,
)


def cue(text: str, name: str) -> float:
    return analyse(text).cues[CUE_NAMES.index(name)]


def test_emoji_become_their_names() -> None:
    assert emoji_words("ok 😭") == "ok  loudly crying sad face "  # emotion made explicit
    assert emoji_words("🐶") == " dog face "  # others: the Unicode name
    # skin tones, variation selectors and zero-width joiners vanish instead of becoming [UNK]
    assert "modifier" not in emoji_words("👍🏽").lower()
    assert "\u200d" not in emoji_words("👩\u200d💻")


def test_emoticons_become_words() -> None:
    assert normalise("that was fun :)") == "that was fun smiling face"
    assert normalise("I miss you :'(") == "I miss you crying face"
    assert normalise("love you <3") == "love you red heart"
    # no emoticon inside ordinary text (a time, a ratio)
    assert normalise("meet at 10:30") == "meet at 10:30"


def test_elongations_are_shortened_to_known_words() -> None:
    known = {"so", "cool", "happy"}
    assert shorten_elongations("soooo coooool happyyyy", known) == "so cool happy"
    assert shorten_elongations("soooo") == "soo"  # no vocabulary: two letters kept
    assert cue("I am soooo tired", "elongated") > 0
    assert cue("I am so tired", "elongated") == 0


def test_masks_urls_and_mentions_become_plain_words() -> None:
    text = normalise("[NAME] told @bob_42 about https://example.com/x?y=1 and [RELIGION]")
    assert text == "someone told someone about link and religion"


def test_case_is_kept_as_a_cue() -> None:
    assert cue("WHY WOULD YOU DO THAT", "caps_ratio") == 1.0
    assert cue("WHY WOULD YOU DO THAT", "shouted_words") > 0
    assert cue("why would you do that", "caps_ratio") == 0.0
    assert cue("I am fine", "shouted_words") == 0  # the pronoun "I" is not shouting


def test_negation_scope_changes_the_word_features() -> None:
    happy = set(analyse("I am happy").hashed)
    negated = set(analyse("I am not happy").hashed)
    # "happy" inside a negation's scope is another feature than plain "happy"
    assert happy - negated
    assert cue("I am not happy", "negations") > 0
    assert cue("I am happy", "negations") == 0
    # the scope ends at clause punctuation
    assert analyse("not good. happy").hashed != analyse("not good happy").hashed


def test_emoji_sentiment_cues() -> None:
    assert cue("😭😭", "emoji_negative") > 0
    assert cue("😂", "emoji_positive") > 0
    assert cue(":(", "emoji_negative") > 0


def test_empty_and_huge_input() -> None:
    assert normalise("") == ""
    assert analyse("").words == 0
    huge = "I am so angry " * 10_000  # 140,000 characters
    start = time.perf_counter()
    assert len(normalise(huge)) <= MAX_CHARS
    assert analyse(huge).words <= MAX_CHARS
    assert time.perf_counter() - start < 0.5
