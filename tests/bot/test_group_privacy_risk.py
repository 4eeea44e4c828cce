"""Private risk stays private: in a group, the risk state and history shaped by private
messages never shape the reply (the group message's own crisis screen still applies).

A fresh review found, after a crisis in the private chat, "hey everyone, who's up for pizza
tonight?" in a group answered "I'm listening. What's the hardest part at the moment?", and
after an abuse disclosure "good morning all" answered "Hi Sam. I'm glad you're back. How are
you feeling since we last talked?": both tell the group that something was said elsewhere.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest

from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, UserRef
from bot.inference import EmotionService
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.labels import Emotion
from emotion.text.lexicon import LexiconEstimator
from responses import bank
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)

SAM = UserRef(Platform.TELEGRAM, "731", display_name="Sam")
PRIVATE, GROUP = "731", "-100555"

#: Reply sets chosen only because the conversation was heavy or at risk.
_GENTLE_SETS = ("ack_gentle", "greeting_gentle", "thanks_gentle", "goodbye_gentle")


def _gentle_texts() -> set[str]:
    """Every gentle reply as Sam would see it (slots other than the name left out)."""
    texts = set()
    for name in _GENTLE_SETS:
        for reply in bank.bank()[name]:
            if reply.slots <= {"name"}:
                texts.add(reply.render({"name": "Sam"}))
    return texts


@pytest.fixture()
async def core(db_url: str) -> AsyncIterator[Core]:
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), None)
    core = Core(
        Repository(session_factory(engine)),
        service,
        CoreOptions(helpline_country="GB"),
        rng=random.Random(5),
    )
    yield core
    core.risk.close()
    service.close()
    await core.writes.flush(timeout_s=5.0)
    await engine.dispose()


_ids = iter(range(1, 10_000))


def said(text: str, *, private: bool) -> Message:
    return Message(
        user=SAM,
        chat_id=PRIVATE if private else GROUP,
        text=text,
        is_private_chat=private,
        message_id=str(next(_ids)),
    )


def _reveals(text: str) -> bool:
    lowered = text.lower()
    return (
        text in _gentle_texts()
        or "since we last talked" in lowered
        or "glad you're back" in lowered
        or "hardest part" in lowered
        or "116 123" in text
    )


@pytest.mark.parametrize(
    "disclosure",
    ["i want to kill myself", "my boyfriend hits me", "i cut myself again last night"],
)
@pytest.mark.parametrize(
    "group_text",
    [
        "hey everyone, who's up for pizza tonight?",
        "good morning all",
        "anyone seen the new dune movie?",
        "thanks guys",
        "ok",
    ],
)
async def test_a_private_disclosure_never_shapes_a_group_reply(
    core: Core, disclosure: str, group_text: str
) -> None:
    crisis = await core.handle(said(disclosure, private=True))
    assert "116 123" in crisis.text or "999" in crisis.text
    reply = await core.handle(said(group_text, private=False))
    assert reply.text and not _reveals(reply.text), reply.text
    assert not reply.private


async def test_a_raised_german_conversation_gets_no_gentle_german_line_in_a_group(
    core: Core,
) -> None:
    await core.handle(said("ich will nicht mehr leben", private=True))
    reply = await core.handle(said("hallo zusammen, wer kommt heute mit ins kino?", private=False))
    assert "Ich bin da" not in reply.text


async def test_privately_the_raised_state_still_makes_replies_gentle(core: Core) -> None:
    """The counterpart that shows the group test can fail: in the private chat the same
    greeting after a crisis gets a gentle reply."""
    await core.handle(said("i want to kill myself", private=True))
    reply = await core.handle(said("good morning", private=True))
    assert reply.text in _gentle_texts() or "{" not in reply.text
    found = await core.repository.find_user(SAM)
    assert found is not None
    (entry,) = await core.repository.recent_entries(found.id, 1)
    assert entry.tone in _GENTLE_SETS or entry.tone in {"comfort", "check_in", "calm"}


async def test_the_group_messages_own_crisis_screen_still_applies(core: Core) -> None:
    await core.handle(said("my boyfriend hits me", private=True))
    reply = await core.handle(said("i want to kill myself", private=False))
    assert "116 123" in reply.text


async def test_a_group_reading_is_not_pulled_by_the_private_crisis(core: Core) -> None:
    """The stored reading of the group message is its own (no inherited sadness)."""
    await core.handle(said("i want to kill myself", private=True))
    await core.handle(said("what a lovely sunny day, so happy", private=False))
    found = await core.repository.find_user(SAM)
    assert found is not None
    (entry,) = await core.repository.recent_entries(found.id, 1)
    assert entry.label is Emotion.HAPPY
