"""Running the conversation set (data/conversations.toml) through a real Core.

Shared by the tests and by ``bench/conversation_bench.py``: each turn goes through
``Core.handle`` with a real SQLite database, so acts, reading in context, reflections and the
stored tone are what a user would get.
"""

from __future__ import annotations

import random
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, UserRef
from bot.inference import EmotionService
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.text import TextEstimator
from responses.acts import classify_act

DATA = Path(__file__).parent / "data"
#: Tones and reply sets that must not answer a heavy, sarcastic or at-risk moment.
NOT_GENTLE = frozenset(
    {"celebrate", "curious", "small_talk", "how_are_you", "greeting", "thanks", "goodbye", "ack"}
)


@dataclass(frozen=True, slots=True)
class TurnResult:
    text: str
    reply: str
    tone: str | None
    act: str
    check: dict[str, Any]
    seconds: float


@dataclass(slots=True)
class ConversationResult:
    name: str
    turns: list[TurnResult] = field(default_factory=list)


def load_conversations() -> list[dict[str, Any]]:
    with (DATA / "conversations.toml").open("rb") as f:
        return list(tomllib.load(f)["conversation"])


def load_heldout_reflections() -> list[dict[str, Any]]:
    with (DATA / "reflections_heldout.toml").open("rb") as f:
        return list(tomllib.load(f)["items"])


def load_heldout_acts() -> list[dict[str, str]]:
    with (DATA / "acts_heldout.toml").open("rb") as f:
        return list(tomllib.load(f)["items"])


async def run_conversations(
    db_url: str, estimator: TextEstimator, conversations: Sequence[dict[str, Any]]
) -> list[ConversationResult]:
    """Drive every conversation through one Core, each with its own user and chat."""
    engine = create_engine(db_url)
    service = EmotionService(estimator, None)
    repository = Repository(session_factory(engine))
    core = Core(repository, service, CoreOptions(), rng=random.Random(11))
    results = []
    try:
        for i, conversation in enumerate(conversations):
            user = UserRef(Platform.CONSOLE, f"conv{i}", "Robin")
            group = bool(conversation.get("group", False))
            chat = f"group{i}" if group else f"chat{i}"
            result = ConversationResult(str(conversation["name"]))
            for n, turn in enumerate(conversation["turns"]):
                message = Message(
                    user, chat, str(turn["text"]), message_id=f"{i}-{n}", is_private_chat=not group
                )
                start = time.perf_counter()
                reply = await core.handle(message)
                seconds = time.perf_counter() - start
                record = await repository.find_user(user)
                tone = None
                if record is not None:
                    entries = await repository.recent_entries(record.id, 1)
                    if entries and entries[0].text == message.text:
                        tone = entries[0].tone
                act = classify_act(message.text).act.value
                result.turns.append(TurnResult(message.text, reply.text, tone, act, turn, seconds))
            results.append(result)
    finally:
        service.close()
        await engine.dispose()
    return results


def problems(turn: TurnResult) -> list[str]:
    """What is wrong with one turn's reply, by the checks written beside it."""
    found = []
    check = turn.check
    if "act" in check and turn.act != check["act"]:
        found.append(f"act {turn.act} != {check['act']}")
    for word in check.get("names", []):
        if word.lower() not in turn.reply.lower():
            found.append(f"reply does not name {word!r}")
    if check.get("gentle") and turn.tone in NOT_GENTLE:
        found.append(f"tone {turn.tone} after a heavy moment")
    if turn.tone is not None and turn.tone in check.get("not_tone", []):
        found.append(f"tone {turn.tone} is ruled out here")
    return found
