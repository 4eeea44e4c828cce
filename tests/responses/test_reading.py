"""Reading in context: inherit, contrast, sarcasm, litotes, hopeless loneliness, loss."""

from __future__ import annotations

from emotion.labels import Emotion, EmotionEstimate, Source
from responses.acts import Act
from responses.reading import PreviousTurn, read_in_context, sarcasm_cues


def est(confidence: float = 0.9, **probs: float) -> EmotionEstimate:
    return EmotionEstimate.from_mapping(
        {Emotion(k): v for k, v in probs.items()}, Source.TEXT, confidence
    )


HAPPY = est(happy=0.97, neutral=0.03)
SAD_BEFORE = PreviousTurn("my dad is in hospital", est(sad=0.85, fear=0.1, neutral=0.05))


def test_thanks_after_sad_news_inherits_it() -> None:
    reading = read_in_context("thank you for listening", HAPPY, Act.THANKS, SAD_BEFORE)
    assert reading.inherited and reading.estimate.top is Emotion.SAD


def test_thanks_without_context_is_politeness_not_joy() -> None:
    reading = read_in_context("thanks!", HAPPY, Act.THANKS, None)
    assert not reading.inherited and reading.estimate.confidence < HAPPY.confidence


def test_the_clause_after_but_weighs_more() -> None:
    reading = read_in_context(
        "the holiday was lovely but I'm dreading going back to work", HAPPY, Act.SHARING
    )
    assert "contrast" in reading.rules and reading.estimate.valence < 0
    assert reading.focus is not None and "dreading" in reading.focus


def test_contrast_works_the_other_way_too() -> None:
    heavy = est(sad=0.8, neutral=0.2)
    reading = read_in_context("this week was awful but today was lovely", heavy, Act.SHARING)
    assert reading.estimate.valence > heavy.valence


def test_sarcasm_moves_praise_away_from_happy_and_lowers_confidence() -> None:
    for text in (
        "oh great, my flight got cancelled",
        "brilliant, the washing machine is leaking again",
        "love that for me",
        "another meeting at 8am 🙄",
    ):
        reading = read_in_context(text, HAPPY, Act.SHARING)
        assert reading.sarcastic, text
        assert reading.estimate.top is not Emotion.HAPPY
        assert reading.estimate.confidence <= 0.3


def test_sincere_praise_is_not_sarcasm() -> None:
    for text in ("my exam went great", "what a lovely day at the beach", "I love my new flat"):
        assert sarcasm_cues(text) == (), text
        assert not read_in_context(text, HAPPY, Act.SHARING).sarcastic


def test_negated_negatives_read_neutral_or_mildly_positive() -> None:
    angry = est(angry=0.5, disgust=0.3, neutral=0.2)
    for text in ("not the worst day I've had", "honestly not bad", "can't complain"):
        reading = read_in_context(text, angry, Act.SHARING)
        assert reading.estimate.valence >= 0, text
        assert reading.estimate.top in {Emotion.NEUTRAL, Emotion.HAPPY}


def test_hopeless_loneliness_reads_sad() -> None:
    calm = est(neutral=0.6, sad=0.3, happy=0.1)
    for text in (
        "I'll probably end up alone for the rest of my life",
        "nobody will ever want to date me",
        "I'm always going to be on my own",
    ):
        assert read_in_context(text, calm, Act.SHARING).estimate.top is Emotion.SAD, text


def test_a_flat_report_of_a_death_reads_sad() -> None:
    calm = est(neutral=0.7, surprise=0.3)
    reading = read_in_context("we had to put our cat down this morning", calm, Act.SHARING)
    assert reading.estimate.top is Emotion.SAD
    phone = read_in_context("my phone battery died", calm, Act.SHARING)
    assert phone.estimate.top is not Emotion.SAD


def test_emoji_alone_read_as_their_feeling() -> None:
    calm = est(neutral=0.9, happy=0.1)
    assert read_in_context("😭😭", calm, Act.SHARING).estimate.top is Emotion.SAD
    assert read_in_context("😡", calm, Act.SHARING).estimate.top is Emotion.ANGRY


def test_best_friend_is_not_praise() -> None:
    assert sarcasm_cues("my best friend forgot my birthday") == ()
