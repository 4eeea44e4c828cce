"""A stored entry as people read it: its time, its words, and each source's top emotion.

One place for what /history, the web demo's history table and the export share, so the three
cannot drift apart (a row here is the same row in every adapter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from bot.domain import MoodEntry
from bot.textclean import snippet

#: How an entry's time is shown: minutes, in the reader's zone ("2026-11-29 21:30").
TIME_FORMAT = "%Y-%m-%d %H:%M"


def top_label(probs: Mapping[str, float] | None) -> str:
    """The most probable label's name in ``probs`` (label -> probability); "" for none."""
    return max(probs.items(), key=lambda item: item[1])[0] if probs else ""


def local_time(at: datetime, zone: tzinfo = UTC) -> str:
    """``at`` (zone-aware) in ``zone``, to the minute: "2026-11-29 21:30"."""
    return at.astimezone(zone).strftime(TIME_FORMAT)


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One entry's columns as text; an empty string where the entry has no such reading."""

    when: str
    text: str  # a snippet of the words, or "(photo)"
    words: str
    face: str
    overall: str
    correction: str


def entry_row(entry: MoodEntry, zone: tzinfo = UTC) -> EntryRow:
    """The columns /history and the web history table show for ``entry``."""
    return EntryRow(
        when=local_time(entry.created_at, zone),
        text=snippet(entry.text) or "(photo)",
        words=top_label(entry.text_probs),
        face=top_label(entry.face_probs),
        overall=entry.fused_label.value,
        correction=entry.correction.value if entry.correction else "",
    )
