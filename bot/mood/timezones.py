"""Time zones: validate IANA names and turn local days into UTC instants.

Only names in the installed tz database are accepted (matched case-insensitively), so no
user text ever reaches the file lookup inside ``ZoneInfo``. Days are cut at local midnight
computed per day, which stays right across daylight-saving changes.
"""

from __future__ import annotations

import difflib
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import numpy as np
import numpy.typing as npt

MAX_ZONE_NAME = 64


class UnknownZone(ValueError):
    """The name is no IANA time zone; ``suggestions`` holds close real ones."""

    def __init__(self, name: str, suggestions: tuple[str, ...]) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = suggestions


@cache
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@cache
def _zones_by_city() -> dict[str, tuple[str, ...]]:
    cities: dict[str, list[str]] = {}
    for name in sorted(available_timezones()):
        if "/" in name:
            cities.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    return {city: tuple(names) for city, names in cities.items()}


def resolve_zone(name: str) -> ZoneInfo:
    """The zone for an IANA name such as ``Europe/Berlin`` (any letter case)."""
    key = name.strip().replace(" ", "_").lower()
    canonical = _zones_by_lower().get(key) if len(key) <= MAX_ZONE_NAME else None
    if canonical is None:
        raise UnknownZone(name.strip()[:MAX_ZONE_NAME], _suggest(key[:MAX_ZONE_NAME]))
    return ZoneInfo(canonical)


def _suggest(key: str) -> tuple[str, ...]:
    by_city = _zones_by_city().get(key.rsplit("/", 1)[-1], ())
    close = difflib.get_close_matches(key, list(_zones_by_lower()), n=3, cutoff=0.75)
    names = [*by_city, *(_zones_by_lower()[c] for c in close)]
    return tuple(dict.fromkeys(names))[:3]


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The user's zone, or UTC when unset or no longer known to the tz database."""
    if name:
        try:
            return resolve_zone(name)
        except UnknownZone:
            pass
    return ZoneInfo("UTC")


def local_date(instant: datetime, zone: tzinfo) -> date:
    return instant.astimezone(zone).date()


def local_instant(day: date, at: time, zone: tzinfo) -> datetime:
    """The UTC instant of a local wall-clock time. A time skipped by a DST jump lands after
    the jump (02:30 on a spring-forward night is 03:30); a repeated one means its first pass."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def day_starts(first: date, days: int, zone: tzinfo) -> npt.NDArray[np.float64]:
    """POSIX seconds of local midnight for ``days + 1`` days from ``first`` (fence posts)."""
    return np.asarray(
        [
            local_instant(first + timedelta(days=i), time(0), zone).timestamp()
            for i in range(days + 1)
        ],
        dtype=np.float64,
    )
