"""Hand-made entries for the mood tests: a label, a time, optionally a correction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import numpy as np
import pytest

from bot.domain import MoodEntry, MoodPoints, NewEntry, Platform, UserRecord, UserRef
from bot.storage.queries import LABEL_INDEX
from bot.storage.repository import Repository
from emotion.labels import VALENCE, Emotion, Source

AddEntry = Callable[..., Awaitable[MoodEntry]]


def new_entry(
    at: datetime, label: Emotion, text: str = "", valence: float | None = None
) -> NewEntry:
    probs = {e.value: (0.7 if e == label else 0.05) for e in Emotion}
    return NewEntry(
        chat_id="c1",
        text=text or f"feeling {label.value}",
        text_probs=probs,
        face_probs=None,
        fused_probs=probs,
        history_probs=None,
        weights={"text": 1.0},
        fused_label=label,
        valence=VALENCE[label] if valence is None else valence,
        dominant=Source.TEXT,
        disagreement=False,
        crisis=False,
        face_count=0,
        tone="warm",
        reply_id="warm-1",
        created_at=at,
    )


@pytest.fixture()
def add_entry(repository: Repository) -> AddEntry:
    async def add(
        user: UserRecord,
        at: datetime,
        label: Emotion,
        *,
        text: str = "",
        valence: float | None = None,
        correction: Emotion | None = None,
    ) -> MoodEntry:
        entry = await repository.add_entry(
            user.id, new_entry(at, label, text, valence), platform=user.platform, message_id=None
        )
        if correction is not None:
            await repository.set_correction(user.id, entry.id, correction)
        return entry

    return add


@pytest.fixture()
async def user(repository: Repository) -> UserRecord:
    return await repository.get_or_create_user(UserRef(Platform.TELEGRAM, "ann", "Ann"))


def points(*items: tuple[datetime, Emotion, float]) -> MoodPoints:
    """MoodPoints straight from (time, label, valence), oldest first."""
    ordered = sorted(items, key=lambda item: item[0])
    return MoodPoints(
        np.asarray([t.timestamp() for t, _, _ in ordered], dtype=np.float64),
        np.asarray([LABEL_INDEX[e.value] for _, e, _ in ordered], dtype=np.int64),
        np.asarray([v for _, _, v in ordered], dtype=np.float64),
    )
