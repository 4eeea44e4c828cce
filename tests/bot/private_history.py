"""A private past for the group tests: sad days stored 1-3 days ago in the user's own chat.

Entries that old are what the core's trend compares today with ("lighter than last time,
when you seemed down"), so a group reply that used them would show it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain import UserRef
from bot.storage.repository import Repository
from emotion.labels import Emotion
from tests.bot.mood.conftest import new_entry

#: What describe_change (responses.bank) writes when it compares with an earlier day.
CHANGE_PHRASES = ("last time", "seemed down", "seemed worried", "today sounds heavier")
GROUP_TEXTS = (
    "I am so happy and grateful today, what a wonderful day",
    "feeling great and excited, everything went well",
    "such a lovely happy evening with good friends",
    "I'm really glad and proud, it was a great day",
    "what a joyful, wonderful surprise, so happy",
    "feeling cheerful and thankful for this good news",
)


async def add_sad_days(repository: Repository, ref: UserRef, chat_id: str, days: int = 3) -> None:
    """Store sad entries written privately 1-3 days ago (creates the user if needed)."""
    user = await repository.get_or_create_user(ref)
    now = datetime.now(UTC)
    for day in range(days):
        for hour in (2, 9):
            at = now - timedelta(days=1 + day * 0.6, hours=hour)
            entry = replace(
                new_entry(at, Emotion.SAD, text="private: I feel so sad and alone"),
                chat_id=chat_id,
            )
            await repository.add_entry(user.id, entry, platform=ref.platform, message_id=None)


def mentions_private_past(text: str) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in CHANGE_PHRASES) or "private" in lowered
