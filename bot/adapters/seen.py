"""A bounded record of platform messages already taken: the adapters' first, cheap guard
against a redelivery (a gateway resending an event, Telegram resending an update) while the
message is still being answered. The durable guard is the core's processed-messages table;
this one only saves the work of reaching it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable


class SeenMessages:
    """The last ``capacity`` keys seen, oldest forgotten first (an LRU set).

    ``first_time(key)`` is True the first time a key is offered, False while it is remembered.
    Memory stays bounded however long the bot runs.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._keys: OrderedDict[Hashable, None] = OrderedDict()

    def first_time(self, key: Hashable) -> bool:
        """Remember ``key``; whether it was new."""
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._keys)
