"""The adapters' bounded record of messages already taken."""

from __future__ import annotations

import pytest

from bot.adapters.seen import SeenMessages


def test_a_key_is_new_once_and_the_oldest_is_forgotten_past_capacity() -> None:
    seen = SeenMessages(3)
    assert [seen.first_time(k) for k in (1, 2, 1, 3)] == [True, True, False, True]
    assert seen.first_time(4) and len(seen) == 3  # 1 is forgotten now
    assert seen.first_time(1) and not seen.first_time(4)


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        SeenMessages(0)
