"""Through the real PTB stack: a group reply never carries the person's private history.

Ada was sad in her private chat over the last days; in a group she mentions the bot with
cheerful news. Privately attune may say "lighter than last time, when you seemed down"; in
the group, where everyone reads it, it must say nothing drawn from those days. The reply
wording is chosen at random (seeded here); the stored reading of each group message shows
deterministically that no history went into it.
"""

from __future__ import annotations

import pytest

from bot.domain import Platform, UserRef
from tests.bot.adapters.telegram.conftest import Harness
from tests.bot.adapters.telegram.fake_api import BOT_USERNAME
from tests.bot.private_history import GROUP_TEXTS, add_sad_days, mentions_private_past

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


async def test_group_replies_say_nothing_of_private_days(harness: Harness) -> None:
    fake, ada, group = harness.fake, harness.user("Ada"), harness.group()
    ref = UserRef(Platform.TELEGRAM, str(ada.id), display_name="Ada")
    await add_sad_days(harness.app.repository, ref, chat_id=str(ada.id))
    harness.app.core._rng.seed(2)  # the same reply choices every run
    texts = GROUP_TEXTS
    for text in texts:
        await fake.push_text(ada, f"@{BOT_USERNAME} {text}", chat=group)
    sent = await fake.wait_count(group.id, len(texts), within=30)
    assert len(sent) == len(texts)
    for reply in sent:
        assert reply.text and not mentions_private_past(reply.text), reply.text
    assert fake.sent_to(ada.id) == []  # nothing went to her private chat either
    # What was read there was read from the group's words alone (no history prior).
    user = await harness.app.repository.find_user(ref)
    assert user is not None
    entries = await harness.app.repository.recent_entries(user.id, 50)
    in_group = [e for e in entries if e.text in texts]
    assert len(in_group) == len(texts)
    assert all(e.history_probs is None for e in in_group)
