"""The reply bank: picking a warm, non-repeating reply for a tone.

Replies are data (``responses/data/replies.toml``) with stable ids, so the core can store the
ids a user saw and pass the last ten back: ``pick`` never repeats one of them while another
fitting reply exists. Slots ({name}, {change}, {face_mood}, {words_mood}) are filled from a
``ReplyContext``; a reply whose slot is unknown is skipped rather than rendered with a hole.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from emotion.fusion import FusionResult
from emotion.labels import Emotion
from responses._data import load_toml
from responses.tone import Tone, Trend


class ReplySet(StrEnum):
    """Sets that are not tones: answers about a photo, and the crisis lead-in."""

    PHOTO_UNREADABLE = "photo_unreadable"
    NO_FACE = "no_face"
    PHOTO_PLAIN = "photo_plain"  # a face too unsure or neutral to say how they look
    CRISIS = "crisis"
    # Reflections of what was said, one set per tone (see responses.compose).
    REFLECT_COMFORT = "reflect_comfort"
    REFLECT_CALM = "reflect_calm"
    REFLECT_CELEBRATE = "reflect_celebrate"
    REFLECT_ENCOURAGE = "reflect_encourage"
    REFLECT_CHECK_IN = "reflect_check_in"
    REFLECT_CURIOUS = "reflect_curious"
    SARCASM = "sarcasm"
    # Another language (responses.foreign): a plain reply; the note about English only once.
    OTHER_LANGUAGE = "other_language"
    OTHER_LANGUAGE_PLAIN = "other_language_plain"
    AMUSED = "amused"  # laughing hyperbole ("I'm dead 😂"): answer the fun, not the words
    # Dialogue acts (responses.acts); "_gentle" after a heavy turn.
    GREETING = "greeting"
    GREETING_GENTLE = "greeting_gentle"
    THANKS = "thanks"
    THANKS_GENTLE = "thanks_gentle"
    GOODBYE = "goodbye"
    GOODBYE_GENTLE = "goodbye_gentle"
    ACK = "ack"
    ACK_GENTLE = "ack_gentle"
    ADVICE = "advice"
    ADVICE_MEDICINE = "advice_medicine"
    ADVICE_DIAGNOSIS = "advice_diagnosis"
    ABOUT_BOT = "about_bot"
    ABOUT_BOT_DOUBT = "about_bot_doubt"
    SMALL_TALK = "small_talk"
    HOW_ARE_YOU = "how_are_you"
    SMALL_TALK_QUESTION = "small_talk_question"
    LUCK = "luck"


SLOTS = frozenset(
    {
        "name",
        "change",
        "face_mood",
        "words_mood",
        "event",
        "event_cap",
        "belief",
        "topic",
        "prev_topic",
    }
)
#: How many of a user's latest replies must not come back (the core passes their ids).
NO_REPEAT_WINDOW = 10

#: A feeling as a word that fits "your face looks ..." and "your words sound ...".
MOOD_WORDS: Mapping[Emotion, str] = {
    Emotion.ANGRY: "frustrated",
    Emotion.DISGUST: "put off",
    Emotion.FEAR: "worried",
    Emotion.HAPPY: "cheerful",
    Emotion.SAD: "down",
    Emotion.SURPRISE: "surprised",
    Emotion.NEUTRAL: "calm",
}


def mood_word(emotion: Emotion) -> str:
    return MOOD_WORDS[emotion]


def describe_change(previous: Emotion | None, current: Emotion, trend: Trend) -> str | None:
    """One short sentence about what changed since last time, or None if nothing to say."""
    if previous is None or trend in {Trend.UNKNOWN, Trend.STEADY}:
        return None
    if trend is Trend.BETTER:
        return f"That sounds lighter than last time, when you seemed {mood_word(previous)}."
    if previous is current:
        return f"You seemed {mood_word(previous)} last time too."
    return f"Last time you seemed {mood_word(previous)}; today sounds heavier."


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What the core knows about this moment, for filling slots. All optional."""

    name: str | None = None
    change: str | None = None
    face_mood: str | None = None
    words_mood: str | None = None
    photo_read: bool = False
    #: Reflection slots (responses.reflect): clauses and noun phrases from attune's side.
    event: str | None = None
    belief: str | None = None
    topic: str | None = None
    prev_topic: str | None = None

    def slot_values(self) -> dict[str, str]:
        event = (self.event or "").strip()
        values = {
            "name": _clean_name(self.name),
            "change": (self.change or "").strip(),
            "face_mood": (self.face_mood or "").strip(),
            "words_mood": (self.words_mood or "").strip(),
            "event": event,
            "event_cap": event[:1].upper() + event[1:],
            "belief": (self.belief or "").strip(),
            "topic": (self.topic or "").strip(),
            "prev_topic": (self.prev_topic or "").strip(),
        }
        return {k: v for k, v in values.items() if v}


def context_for(
    result: FusionResult | None,
    *,
    name: str | None = None,
    previous: Emotion | None = None,
    trend: Trend = Trend.UNKNOWN,
) -> ReplyContext:
    """The slots for this moment, from the fusion result and what the core remembers.

    Face and words moods are filled only when they disagree: that is the one time naming
    both helps ("your face looks cheerful but your words sound down").
    """
    if result is None:
        return ReplyContext(name=name)
    face_mood = words_mood = None
    if result.disagreement and result.face is not None and result.text is not None:
        face_mood, words_mood = mood_word(result.face.top), mood_word(result.text.top)
    return ReplyContext(
        name=name,
        change=describe_change(previous, result.estimate.top, trend),
        face_mood=face_mood,
        words_mood=words_mood,
        photo_read=result.face is not None,
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e]")


def _clean_name(name: str | None) -> str:
    """A display name fit for a sentence: no control characters, one line, not too long."""
    if not name:
        return ""
    cleaned = " ".join(_CONTROL.sub(" ", name).split())
    first = cleaned.split(" ")[0] if cleaned else ""
    return first[:32]


@dataclass(frozen=True, slots=True)
class Reply:
    id: str
    template: str
    slots: frozenset[str]
    needs_photo: bool = False

    def fits(self, values: Mapping[str, str], photo_read: bool) -> bool:
        """Every slot known, a photo if it needs one, and a real contrast if it names one."""
        if not self.slots <= values.keys() or (self.needs_photo and not photo_read):
            return False
        contrast = {"face_mood", "words_mood"} <= self.slots
        return not contrast or values["face_mood"] != values["words_mood"]

    def render(self, values: Mapping[str, str]) -> str:
        return self.template.format_map(dict(values))


@dataclass(frozen=True, slots=True)
class ChosenReply:
    id: str
    text: str


def _slots_of(template: str) -> frozenset[str]:
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    unknown = names - SLOTS
    if unknown:
        raise ValueError(f"unknown slot(s) {sorted(unknown)} in reply {template!r}")
    return frozenset(names)


@cache
def bank() -> Mapping[str, tuple[Reply, ...]]:
    """Every reply set, checked: unique ids, known slots, known set names."""
    data = load_toml("replies.toml")
    known = {t.value for t in Tone} | {s.value for s in ReplySet}
    unknown_sets = set(data) - known
    if unknown_sets:
        raise ValueError(f"unknown reply set(s) {sorted(unknown_sets)} in replies.toml")
    seen: set[str] = set()
    out: dict[str, tuple[Reply, ...]] = {}
    for set_name, rows in data.items():
        replies = []
        for row in rows:
            reply_id = str(row["id"])
            if reply_id in seen:
                raise ValueError(f"duplicate reply id {reply_id!r}")
            seen.add(reply_id)
            text = str(row["text"])
            replies.append(Reply(reply_id, text, _slots_of(text), bool(row.get("photo", False))))
        out[set_name] = tuple(replies)
    return out


def has_fresh(
    tone: Tone | ReplySet | str, context: ReplyContext, recent_ids: Sequence[str]
) -> bool:
    """Whether ``tone``'s set has a fitting reply that is not among ``recent_ids``."""
    values = context.slot_values()
    recent = set(recent_ids)
    return any(r.fits(values, context.photo_read) and r.id not in recent for r in bank()[str(tone)])


def has_fitting(tone: Tone | ReplySet | str, context: ReplyContext) -> bool:
    """Whether ``tone``'s set has a reply whose slots this context can fill."""
    values = context.slot_values()
    return any(r.fits(values, context.photo_read) for r in bank()[str(tone)])


def pick(
    tone: Tone | ReplySet | str,
    context: ReplyContext,
    recent_ids: Sequence[str],
    rng: random.Random,
    *,
    prefer: frozenset[str] = frozenset(),
) -> ChosenReply:
    """Choose and fill a reply for ``tone`` that is not among ``recent_ids``.

    ``recent_ids`` are the ids of the user's latest replies, oldest first (the core passes
    the last ``NO_REPEAT_WINDOW``). Replies that use what we know about this moment (a name,
    a change, a photo) are twice as likely, so the answer feels less canned; when ``prefer``
    names slots, a fresh reply using one of them is taken over any other. If every fitting
    reply was used recently, the one used longest ago is taken.
    """
    replies = bank()[str(tone)]
    values = context.slot_values()
    fitting = [r for r in replies if r.fits(values, context.photo_read)]
    recent = set(recent_ids)
    fresh = [r for r in fitting if r.id not in recent]
    preferred = [r for r in fresh if r.slots & prefer]
    if preferred:
        fresh = preferred
    if fresh:
        weights = [2.0 if (r.slots or r.needs_photo) else 1.0 for r in fresh]
        chosen = rng.choices(fresh, weights=weights, k=1)[0]
    else:
        order = {reply_id: i for i, reply_id in enumerate(recent_ids)}
        chosen = min(fitting, key=lambda r: order.get(r.id, -1))
    return ChosenReply(chosen.id, chosen.render(values))
