"""Which Discord shards one process runs: ``--shards 0-3 --shard-count 8``.

Discord routes a server's events to shard ``(guild_id >> 22) % shard_count`` and direct
messages to shard 0 (https://discord.com/developers/docs/topics/gateway#sharding). A large
bot splits its shards over processes; each process runs discord.py's ``AutoShardedBot`` with
its own ``shard_ids`` and answers the servers (and, on shard 0, the DMs) those shards carry.
This module parses a range and says which stored messages belong to this process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_PART = re.compile(r"(?P<first>\d+)(?:-(?P<last>\d+))?")


class ShardSpecError(ValueError):
    """A shard range that cannot be used; the message is one line saying why."""


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """The shards this process runs (sorted, unique) out of ``shard_count`` in all."""

    shard_ids: tuple[int, ...]
    shard_count: int

    def shard_of(self, guild_id: int | None) -> int:
        """The shard Discord sends a server's events to; DMs (``None``) go to shard 0."""
        return 0 if guild_id is None else (guild_id >> 22) % self.shard_count

    def owns(self, guild_id: int | None) -> bool:
        """Whether this process receives (and so answers) that server's, or DMs', messages."""
        return self.shard_of(guild_id) in self.shard_ids

    @property
    def receives_dms(self) -> bool:
        """DMs arrive on shard 0 only."""
        return 0 in self.shard_ids

    def describe(self) -> str:
        """``"shards 0-3 of 8"``-style text for logs."""
        return f"shards {format_ranges(self.shard_ids)} of {self.shard_count}"


def stored_guild(payload: str, *path: str) -> int | None:
    """The server id stored with an inbox row (or, with ``path="to"``, an outbox row's
    destination); None for a DM, a row stored before server ids were kept, or a damaged one
    (shard 0's process takes those, and drops what it cannot read, as before)."""
    try:
        data = json.loads(payload)
        for key in path:
            data = data[key]
        guild = data.get("guild")
        return int(guild) if guild is not None else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def format_ranges(ids: tuple[int, ...]) -> str:
    """``(0, 1, 2, 5, 7, 8)`` -> ``"0-2,5,7-8"`` (ids sorted and unique)."""
    spans: list[str] = []
    start = previous = None
    for shard in ids:
        if previous is not None and shard == previous + 1:
            previous = shard
            continue
        if start is not None:
            spans.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = shard
    if start is not None:
        spans.append(str(start) if start == previous else f"{start}-{previous}")
    return ",".join(spans)


def parse_shards(spec: str, shard_count: int) -> ShardPlan:
    """``"0-3"``, ``"5"``, ``"0,2,5-7"`` (inclusive ranges) out of ``shard_count`` shards.

    Raises ``ShardSpecError`` (one line) for a count under 1, a malformed or backwards
    range, a shard outside ``0..shard_count-1``, or a shard named twice.
    """
    if shard_count < 1:
        raise ShardSpecError(f"--shard-count must be at least 1, not {shard_count}")
    seen: set[int] = set()
    for raw in spec.replace(" ", "").split(","):
        match = _PART.fullmatch(raw)
        if match is None:
            raise ShardSpecError(
                f"--shards {spec!r}: {raw!r} is not a shard or range (use e.g. 0-3 or 0,2,5-7)"
            )
        first = int(match["first"])
        last = int(match["last"]) if match["last"] is not None else first
        if last < first:
            raise ShardSpecError(f"--shards {spec!r}: the range {raw} runs backwards")
        if last >= shard_count:
            raise ShardSpecError(
                f"--shards {spec!r}: shard {last} does not exist with --shard-count "
                f"{shard_count} (shards are 0-{shard_count - 1})"
            )
        for shard in range(first, last + 1):
            if shard in seen:
                raise ShardSpecError(f"--shards {spec!r}: shard {shard} is named twice")
            seen.add(shard)
    return ShardPlan(tuple(sorted(seen)), shard_count)
