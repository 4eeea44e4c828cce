"""The conversation set through the real Core: acts, reflections and gentle tones hold."""

from __future__ import annotations

import pytest

from emotion.text import TextEstimator
from emotion.text.lexicon import LexiconEstimator
from emotion.text.model import TextModel
from tests import shared_models
from tests.responses.conversations import load_conversations, problems, run_conversations

CONVERSATIONS = load_conversations()


@pytest.fixture(scope="module")
def model() -> TextEstimator:
    """The text model shipped in the package: what users' messages are really read with
    (loaded once a session, tests/shared_models.py; its own error when it does not load)."""
    estimator = shared_models.text_model()
    assert isinstance(estimator, TextModel)
    return estimator


def test_the_set_is_large_enough() -> None:
    assert len(CONVERSATIONS) >= 60


async def test_every_conversation_reads_and_replies_as_written(
    db_url: str, model: TextEstimator
) -> None:
    results = await run_conversations(db_url, model, CONVERSATIONS)
    failures = [
        f"{result.name}: {turn.text!r} -> {turn.reply!r} ({turn.tone}): {', '.join(found)}"
        for result in results
        for turn in result.turns
        if (found := problems(turn))
    ]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("text", ["", "   ", "🙂" * 500, "a" * 5000, "\u202e\u200b hi"])
async def test_odd_input_still_gets_a_reply(db_url: str, text: str) -> None:
    results = await run_conversations(
        db_url, LexiconEstimator(), [{"name": "odd", "turns": [{"text": text}]}]
    )
    assert results[0].turns[0].reply
