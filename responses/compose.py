"""Composing a reply: dialogue act, reading in context, tone, reflection, then the bank.

One entry point, ``compose(ComposeInput, rng) -> Composed``, so the core makes one call and the
whole decision is a pure, testable function. Stages (DESIGN.md, "decide -> compose"):

1. ``classify_act`` — what the message does (greeting, thanks, advice, sharing, ...).
2. ``read_in_context`` — the fused reading adjusted for the conversation (inherited feeling,
   contrast, sarcasm, litotes, hopeless loneliness).
3. the tone from ``tones.toml``, then the guards that never bend: no celebration when the
   message is sarcastic, mixed ("X but Y") or lexically grim ("the kids were screaming all
   afternoon and I'm done"), right after a heavy turn, or while a risk is elevated in this
   conversation (then only gentle tones: comfort or check-in, no small talk).
4. the reply set for the act, and for sharing a reflection of what was said when it came out
   clean (``responses.reflect``), else the plain tone set.

Crisis never comes here: a flagged message is answered by ``responses.safety`` in the core.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from emotion.fusion import FusionResult
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import PhotoProblem, PhotoReading
from responses import bank
from responses.acts import FORMULAIC, Act, ActReading, classify_act
from responses.bank import ChosenReply, ReplyContext, ReplySet
from responses.foreign import other_language
from responses.reading import (
    ContextReading,
    PreviousTurn,
    clause_valence,
    read_in_context,
    sarcasm_cues,
)
from responses.reflect import Reflection, reflect, topic_of
from responses.tone import Tone, Trend, choose_tone

#: Lexicon valence (VADER compound) at or below which the words alone rule out celebrating.
GRIM_VALENCE = -0.3

#: How much of a message the act, context and reflection rules read.
ANALYSED_CHARS = 600

#: Problems where the photo itself was fine but held no readable face.
NO_FACE_PROBLEMS = frozenset({PhotoProblem.NO_FACE, PhotoProblem.FACE_TOO_SMALL})

#: Face confidence below which a reply never says how someone looks (the face model's own
#: confidence, 0..1; at 0.28 "you look like you're carrying a lot" was a guess).
FACE_CLAIM_CONFIDENCE = 0.5

#: Tones allowed while a risk is elevated in the conversation.
_GENTLE = frozenset({Tone.COMFORT, Tone.CHECK_IN, Tone.CALM})

#: Slots that carry what the person said: a reply using one is preferred.
_SAID = frozenset({"event", "belief", "topic", "prev_topic"})

_REFLECT_SET = {
    Tone.COMFORT: ReplySet.REFLECT_COMFORT,
    Tone.CALM: ReplySet.REFLECT_CALM,
    Tone.CELEBRATE: ReplySet.REFLECT_CELEBRATE,
    Tone.ENCOURAGE: ReplySet.REFLECT_ENCOURAGE,
    Tone.CHECK_IN: ReplySet.REFLECT_CHECK_IN,
    Tone.CURIOUS: ReplySet.REFLECT_CURIOUS,
}


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier message of this conversation the reply may use: its words and reading."""

    text: str
    estimate: EmotionEstimate


@dataclass(frozen=True, slots=True)
class ComposeInput:
    """Everything ``compose`` needs for one message.

    ``previous`` holds the earlier turns the reply may draw on, oldest first: the caller
    leaves out whatever must not be used (in a group chat, anything said elsewhere), and
    ``trend``/``previous_label`` are UNKNOWN/None there. ``risk_elevated`` is set when the
    safety layer considers this conversation at risk even though this message was not
    flagged: the reply is then gentle only.
    """

    text: str
    fusion: FusionResult
    name: str | None = None
    previous: Sequence[Turn] = ()
    trend: Trend = Trend.UNKNOWN
    previous_label: Emotion | None = None
    recent_reply_ids: Sequence[str] = ()
    photo: PhotoReading | None = None
    risk_elevated: bool = False


@dataclass(frozen=True, slots=True)
class Composed:
    """The reply and how it was reached.

    ``fusion`` is the input's fusion result with the estimate read in context (what the core
    stores); ``tone`` is the tone or reply-set name stored with the entry.
    """

    text: str
    reply_id: str
    tone: str
    act: Act
    fusion: FusionResult
    reading: ContextReading | None = None
    reflection: Reflection = field(default_factory=Reflection)


def _photo_only(data: ComposeInput, rng: random.Random) -> Composed:
    problem = data.photo.problem if data.photo is not None else None
    chosen_set = ReplySet.NO_FACE if problem in NO_FACE_PROBLEMS else ReplySet.PHOTO_UNREADABLE
    chosen = bank.pick(chosen_set, ReplyContext(name=data.name), data.recent_reply_ids, rng)
    return Composed(chosen.text, chosen.id, str(chosen_set), Act.SHARING, data.fusion)


def _face_says_something(photo: PhotoReading | None) -> bool:
    """Whether the face read clearly enough, and showed enough, to be talked about."""
    face = photo.estimate if photo is not None else None
    return (
        face is not None
        and face.confidence >= FACE_CLAIM_CONFIDENCE
        and face.top is not Emotion.NEUTRAL
    )


def _caption_wins(data: ComposeInput) -> FusionResult:
    """With a photo whose face says little (unsure or neutral), the words decide the reading:
    "finally finished my first marathon" beside a blank face is happy news, not a puzzle."""
    fusion = data.fusion
    if data.photo is None or fusion.text is None or _face_says_something(data.photo):
        return fusion
    words = EmotionEstimate(fusion.text.probabilities, Source.FUSED, fusion.text.confidence)
    return replace(fusion, estimate=words, disagreement=False)


def _previous_turn(data: ComposeInput) -> PreviousTurn | None:
    if not data.previous:
        return None
    last = data.previous[-1]
    text = last.text[:ANALYSED_CHARS]
    return PreviousTurn(text, last.estimate, sarcastic=bool(sarcasm_cues(text)))


def _pick(
    options: Sequence[tuple[ReplySet | Tone, ReplyContext]],
    data: ComposeInput,
    rng: random.Random,
) -> tuple[str, ChosenReply]:
    """The first (set, context) with a fitting reply not used lately; else the first that fits.

    The last option always fits (a plain set has replies without slots).
    """
    recent = data.recent_reply_ids
    for chosen_set, context in options:
        if bank.has_fresh(chosen_set, context, recent):
            return str(chosen_set), bank.pick(chosen_set, context, recent, rng, prefer=_SAID)
    for chosen_set, context in options:
        if bank.has_fitting(chosen_set, context):
            return str(chosen_set), bank.pick(chosen_set, context, recent, rng, prefer=_SAID)
    last, context = options[-1]
    return str(last), bank.pick(last, context, recent, rng, prefer=_SAID)


_HOW_ARE_YOU = re.compile(
    r"\bhow\s+(?:are|r)\s+(?:you|u|ya)\b|\bhow'?s\s+it\s+going|\bhow\s+have\s+you\s+been|"
    r"\bhow\s+(?:was|is)\s+your\s+(?:day|night|morning|week|weekend)",
    re.IGNORECASE,
)


#: Asking for luck or support before something ("wish me luck", "fingers crossed").
_LUCK = re.compile(
    r"\b(?:wish\s+me\s+luck|fingers\s+crossed|keep\s+your\s+fingers\s+crossed|"
    r"pray\s+for\s+me|send\s+(?:me\s+)?good\s+vibes)\b",
    re.IGNORECASE,
)

#: A doubt about attune rather than a question: "you're just a bot", "do you even care?".
_DOUBT = re.compile(
    r"\b(?:you'?re|you\s+are|ur)\s+(?:just\s+|only\s+)?(?:a\s+|an\s+)?(?:bot|robot|ai|"
    r"machine|program|computer)|do\s+(?:you|u)\s+(?:actually|really|even)\s+|"
    r"you\s+(?:wouldn'?t|can'?t|don'?t)\s+(?:get|understand)",
    re.IGNORECASE,
)


def _act_sets(act: ActReading, text: str, heavy: bool, risk: bool) -> list[ReplySet | Tone] | None:
    """Reply sets for the formulaic and question acts, most specific first; None: by tone."""
    gentle = heavy or risk
    if act.act is Act.GREETING:
        return [ReplySet.GREETING_GENTLE if gentle else ReplySet.GREETING]
    if act.act is Act.THANKS:
        return [ReplySet.THANKS_GENTLE if gentle else ReplySet.THANKS]
    if act.act is Act.GOODBYE:
        return [ReplySet.GOODBYE_GENTLE if gentle else ReplySet.GOODBYE]
    if act.act is Act.ACKNOWLEDGE:
        # The other set follows so a run of "ok"s never has to repeat within the window.
        return [ReplySet.ACK_GENTLE] if gentle else [ReplySet.ACK, ReplySet.SMALL_TALK]
    if act.act is Act.ADVICE and act.health == "medicine":
        return [ReplySet.ADVICE_MEDICINE]
    if act.act is Act.ADVICE and act.health == "diagnosis":
        return [ReplySet.ADVICE_DIAGNOSIS]
    if act.act is Act.ADVICE:
        return [ReplySet.ADVICE]
    if act.act is Act.ABOUT_BOT:
        if _DOUBT.search(text):
            return [ReplySet.ABOUT_BOT_DOUBT]
        return [ReplySet.ABOUT_BOT]
    if _LUCK.search(text) and act.act in {Act.SMALL_TALK, Act.SHARING, Act.ACKNOWLEDGE}:
        return [ReplySet.LUCK]
    if act.act is Act.SMALL_TALK:
        if gentle:
            return [ReplySet.ACK_GENTLE]
        if _HOW_ARE_YOU.search(text):
            return [ReplySet.HOW_ARE_YOU, ReplySet.SMALL_TALK]
        if act.question:
            return [ReplySet.SMALL_TALK_QUESTION, ReplySet.SMALL_TALK]
        return [ReplySet.SMALL_TALK, ReplySet.ACK]
    return None


def _guard_tone(
    tone: Tone, *, sarcastic: bool, heavy_before: bool, risk: bool, mixed: bool, grim: bool
) -> Tone:
    """The rules no tone table may break (see the module docstring)."""
    if sarcastic:
        return Tone.CHECK_IN
    if mixed and tone is Tone.CELEBRATE:
        return Tone.CHECK_IN  # "X but Y": ask which side weighs more, never cheer
    if grim and tone is Tone.CELEBRATE:
        return Tone.CHECK_IN  # the words themselves are unpleasant: a happy reading is doubtful
    if risk and tone not in _GENTLE:
        return Tone.CHECK_IN
    if tone is Tone.CELEBRATE and heavy_before:
        return Tone.ENCOURAGE
    return tone


def compose(data: ComposeInput, rng: random.Random) -> Composed:
    """Choose and fill the reply for one (non-crisis) message.

    Raises nothing for any text (empty, huge, odd Unicode); a message with no text and a
    photo problem gets the photo reply sets.
    """
    if not data.text.strip() and data.photo is not None and data.photo.problem is not None:
        return _photo_only(data, rng)
    if not data.text.strip() and data.photo is not None and not _face_says_something(data.photo):
        # A photo without words and a face that says little: thank them and ask, warmly,
        # without guessing a feeling from the face or from earlier days.
        plain = ReplyContext(name=data.name)
        chosen_set, chosen = _pick([(ReplySet.PHOTO_PLAIN, plain)], data, rng)
        return Composed(chosen.text, chosen.id, chosen_set, Act.SHARING, data.fusion)
    if data.text.strip() and data.photo is not None:
        data = replace(data, fusion=_caption_wins(data))
    # A selfie without words shares a feeling: no act to read, the tone decides.
    # The rules read at most ANALYSED_CHARS: news sits near the start, and the cost stays
    # under a few milliseconds for any message (the model still reads all of it).
    text = data.text[:ANALYSED_CHARS]
    act = classify_act(text) if text.strip() else ActReading(Act.SHARING)
    if act.act is Act.SMALL_TALK and data.fusion.disagreement:
        act = ActReading(Act.SHARING, act.formulas, act.question)  # the face says more
    previous = _previous_turn(data)
    reading = read_in_context(text, data.fusion.estimate, act.act, previous)
    estimate = EmotionEstimate(
        reading.estimate.probabilities, Source.FUSED, reading.estimate.confidence
    )
    fusion = replace(data.fusion, estimate=estimate)
    heavy_before = previous is not None and previous.heavy
    prev_topic = topic_of(previous.text) if previous is not None else None

    base = bank.context_for(fusion, name=data.name, previous=data.previous_label, trend=data.trend)
    # "You look ..." replies only when the face itself said something clearly.
    photo_read = base.photo_read and _face_says_something(data.photo)
    context = replace(base, prev_topic=prev_topic, photo_read=photo_read)

    if act.act not in FORMULAIC and other_language(text) is not None:
        # The bank and the reflections are English: never parrot other words back as an
        # English topic. Say once (within the no-repeat window) that English reads best.
        noted = any(i.startswith(f"{ReplySet.OTHER_LANGUAGE}-") for i in data.recent_reply_ids)
        plain = replace(context, event=None, belief=None, topic=None, prev_topic=None)
        language_set = ReplySet.OTHER_LANGUAGE_PLAIN if noted else ReplySet.OTHER_LANGUAGE
        chosen_set, chosen = _pick([(language_set, plain)], data, rng)
        return Composed(chosen.text, chosen.id, chosen_set, act.act, fusion, reading)

    sets = _act_sets(act, text, heavy_before, data.risk_elevated)
    if act.act is Act.ADVICE:
        topic = topic_of(text) or prev_topic
        context = replace(context, topic=topic)
    if sets is not None:
        chosen_set, chosen = _pick([(s, context) for s in sets], data, rng)
        return Composed(chosen.text, chosen.id, chosen_set, act.act, fusion, reading)

    tone = choose_tone(estimate, disagreement=fusion.disagreement, trend=data.trend)
    tone = _guard_tone(
        tone,
        sarcastic=reading.sarcastic,
        heavy_before=heavy_before,
        risk=data.risk_elevated,
        mixed=reading.focus is not None,
        grim=clause_valence(text) <= GRIM_VALENCE,
    )
    reflection = reflect(text, focus=reading.focus)
    negative = estimate.valence < 0 or reading.sarcastic
    context = replace(
        context,
        event=reflection.event,
        belief=reflection.belief if negative else None,
        topic=reflection.topic,
    )
    if reflection.belief is not None and not negative:
        context = replace(context, event=reflection.belief)
    options: list[tuple[ReplySet | Tone, ReplyContext]]
    if fusion.disagreement and not reading.sarcastic:
        # Face and words tell different stories: name both and ask (check_in's own replies).
        options = [(tone, replace(context, event=None, belief=None, topic=None))]
    elif "laughter" in reading.rules and not (data.risk_elevated or heavy_before):
        # "I'm dead 😂" is a laugh: never "so you're dead", never sympathy.
        plain = replace(context, event=None, belief=None, topic=None)
        options = [(ReplySet.AMUSED, plain), (Tone.CURIOUS, plain)]
    elif reading.sarcastic:
        options = [(ReplySet.SARCASM, replace(context, topic=None)), (ReplySet.SARCASM, context)]
    else:
        # What happened beats who it was about; a plain tone reply is the last resort.
        reflect_set = _REFLECT_SET[tone]
        options = [
            (reflect_set, replace(context, topic=None)),
            (reflect_set, replace(context, event=None, belief=None)),
            (tone, replace(context, event=None, belief=None, topic=None)),
        ]
    chosen_set, chosen = _pick(options, data, rng)
    stored = str(tone) if chosen_set.startswith("reflect_") else chosen_set
    return Composed(chosen.text, chosen.id, stored, act.act, fusion, reading, reflection)
