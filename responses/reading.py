"""Reading a message in context: what the words mean here, beyond what the model saw alone.

A pure function over the text, the model's estimate, the dialogue act and the previous turn
(no model call, no I/O). Each adjustment is a small, named rule with a documented reason:

* **inherit** — a thanks, goodbye or short acknowledgement carries no news; after a heavy
  turn it inherits that turn's feeling ("thank you for listening" after a bereavement is not
  joy). Grounded in how dialogue models track state across turns rather than per utterance.
* **contrast** — in "X but Y" the clause after the contrastive marker carries more weight
  (VADER's own "but" rule weights the part before by 0.5 and the part after by 1.5; Hutto &
  Gilbert 2014). The clause is re-read with the VADER lexicon, which costs well under a
  millisecond, so no second model call is needed.
* **sarcasm** — praise words beside a bad event, an eye-roll emoji or a stock sarcastic phrase
  ("love that for me", "just great") make the praise doubtful (Riloff et al. 2013: sarcasm as
  positive sentiment contrasting with a negative situation). The happy mass moves to
  frustration and confidence drops, so the reply asks instead of celebrating.
* **negated negative** — "not the worst day", "not bad", "can't complain" read neutral to
  mildly pleasant (litotes), whatever the model made of the negative word.
* **hopeless loneliness** — "I'll end up alone forever", "nobody will ever love me", "what's the
  point of trying" read sad (the safety screen, not this, decides about risk).
* **self-criticism** — "why do I always mess everything up", "I'm useless" read sad.
* **health scare** — someone in hospital, a diagnosis, surgery: worry, even told flatly.
* **negated positive** — "nothing's going right", "I'm not okay" read low.
* **lukewarm** — "fine", "nothing special" without any strong joy read neutral, not happy.
* **happy tears** — "crying happy tears" is joy, whatever "crying" suggests.
* **low energy** — "just tired", "worn out", "exhausted" read low rather than calm or happy.
* **emoji alone** — "😭😭😭" reads as the emoji's feeling (the emoji table beside /feel).
* **laughter** — laughing hyperbole ("I'm dead 😂", "dying of laughter", "crying laughing",
  "lmao I can't") is amusement, not distress: read happy-ish, and the reply answers the fun.
  Only when nothing else in the message is heavy ("my dog died lol" stays a loss).
* **loss** — a death or a pet put down reads sad even when told flatly ("we had to put our
  dog down today"); models trained on Reddit comments often read such plain reports neutral.

Only the reply and the stored reading use the result; the safety screen never depends on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from emotion.labels import LABELS, VALENCE, Emotion, EmotionEstimate
from responses.acts import FORMULAIC, Act
from responses.corrections import parse_feel_argument

#: How much of the previous turn's feeling a formulaic message inherits (0..1).
INHERIT_SHARE = 0.75
#: Valence at or below which a turn counts as heavy (sad, angry, afraid...).
HEAVY_VALENCE = -0.25
#: Weight of the clause after "but" when blending it with the whole message (VADER: 1.5/2).
CONTRAST_WEIGHT = 0.75
#: Confidence kept when sarcasm is suspected.
SARCASM_CONFIDENCE = 0.3


@dataclass(frozen=True, slots=True)
class PreviousTurn:
    """The person's previous message in this conversation, as far as the reply may use it."""

    text: str
    estimate: EmotionEstimate
    sarcastic: bool = False

    @property
    def heavy(self) -> bool:
        return self.sarcastic or self.estimate.valence <= HEAVY_VALENCE


@dataclass(frozen=True, slots=True)
class ContextReading:
    """The adjusted estimate and which rules fired (names, for tests and /why)."""

    estimate: EmotionEstimate
    rules: tuple[str, ...] = ()
    sarcastic: bool = False
    inherited: bool = False
    #: The clause that carries the feeling ("I'm exhausted all the time" after "but").
    focus: str | None = None


_PRAISE = (
    r"(?:great|fantastic|wonderful|perfect|brilliant|awesome|amazing|lovely|fabulous|"
    r"marvell?ous|splendid|terrific|superb|excellent|nice|love|loving|yay|"
    r"best(?!\s+(?:friend|mate|man|buddy|pal|friends)))"
)
_BAD_EVENT = re.compile(
    r"\b(?:broke(?:n)?(?:\s+down)?|crash(?:ed)?|cancel+ed|late|delayed|stuck|lost|fail(?:ed)?|"
    r"fired|dumped|sick|flu|rain(?:ing)?|flat\s+tyre|flat\s+tire|died|dead|ruined|spilled|"
    r"missed|overslept|again|another|more\s+(?:work|bills|overtime)|monday|traffic|hit|"
    r"drove\s+off|scratched|dented|towed|flooded|burn(?:t|ed)|"
    r"stolen|locked\s+out|no\s+power|leak(?:ing)?|bill|bills|debt|rejected|ignored|"
    r"forgot|worst|hate)\b"
)
_STOCK = re.compile(
    r"(?:love\s+that\s+for\s+me|just\s+(?:great|perfect|fantastic|wonderful|what\s+i\s+needed)|"
    r"oh\s+(?:great|joy|wonderful|perfect|fantastic|goody)|thanks\s+a\s+lot|yeah\s+right|"
    r"(?:so|how)\s+fun\s*(?:not|/s)|living\s+the\s+dream|cool\s+cool|perfect\s+(?:end|start)\s+to|story\s+of\s+my\s+life|"
    r"my\s+favou?rite\s+thing|exactly\s+what\s+i\s+wanted|couldn'?t\s+be\s+happier|"
    r"(?:^|\s)/s\b|\bnot!)"
)
_EYE_ROLL = ("🙄", "🙃", "😒")
_NEGATED_NEGATIVE = re.compile(
    r"\b(?:not|isn'?t|wasn'?t|ain'?t|no|never)\s+(?:(?:the|that|too|so|all|really|as|a|"
    r"totally|entirely)\s+){0,2}(?:bad|worst|awful|terrible|horrible|sad|rough|shabby|"
    r"bad\s+at\s+all|the\s+end\s+of\s+the\s+world)\b|can'?t\s+complain|no\s+complaints|"
    r"could\s+(?:be|have\s+been)\s+worse"
)
_HOPELESS_LONELY = re.compile(
    r"\b(?:(?:end\s+up|be|stay|die|always\s+be|forever|going\s+to\s+be|gonna\s+be)\s+"
    r"(?:\w+\s+){0,2}(?:alone|lonely|on\s+my\s+own|by\s+myself)|alone\s+(?:forever|for\s+(?:the\s+rest|ever|good))|"
    r"(?:no\s*one|nobody)\s+(?:will\s+ever|would\s+ever|ever|will|would|could\s+ever)\s+"
    r"(?:love|want|like|care\s+about|choose|date|miss)|(?:no\s*one|nobody)\s+cares|"
    r"never\s+(?:find|have|get)\s+(?:anyone|someone|a\s+partner|love|friends)|"
    r"(?:have|got)\s+no\s+(?:friends|one)|no\s+one\s+to\s+talk\s+to|"
    r"always\s+(?:be\s+)?(?:alone|lonely|on\s+my\s+own)|unlovable|"
    r"what'?s\s+the\s+(?:point|use)|no\s+point\s+(?:in\s+)?(?:trying|anymore)|why\s+bother|"
    r"(?:everyone|everybody|people)\s+(?:always\s+)?(?:leaves?|leave\s+me|abandons?|gives?\s+up\s+on)|"
    r"no\s*one\s+(?:ever\s+)?stays|"
    r"(?:feel|am|i'?m)\s+(?:so\s+)?(?:invisible|forgotten))\b"
)
_LOSS = re.compile(
    r"\b(?:passed\s+away|passed\s+on|died|dead|death|funeral|put\s+(?:\w+\s+){0,2}down|"
    r"(?:lost|losing)\s+my\s+(?:mum|mom|dad|father|mother|grandma|grandpa|gran|nan|"
    r"granddad|brother|sister|son|daughter|wife|husband|partner|friend|best\s+friend|baby|"
    r"dog|cat|pet|uncle|aunt|cousin)|miscarriage|put\s+to\s+sleep|r\.?i\.?p)\b"
)
#: Laughter markers: laughing emoji and chat laughter.
_LAUGHTER = re.compile(r"😂|🤣|😆|😹|\b(?:lol+|lmf?ao+|haha\w*|hehe\w*|rofl|xd+|ded)\b")
#: Hyperbole that means "this is so funny" — with laughter, or self-evidently about laughing.
_LAUGH_HYPERBOLE = re.compile(
    r"\b(?:dying|dead|died|crying|cried|wheezing|screaming|peeing|in\s+tears)\s+"
    r"(?:of|from|with|laughing|laughter)\b(?:\s+laughter)?|\blaughing\s+so\s+hard|"
    r"\b(?:cry|crying|cried)[- ]laughing|\bcan'?t\s+stop\s+laughing|\bi'?m\s+weak\b"
)
_DEAD_JOKE = re.compile(
    r"\b(?:i'?m|im|i\s+am)\s+(?:literally\s+|actually\s+|so\s+)?(?:dead|dying|deceased|"
    r"crying|screaming|wheezing|weak|done)\b|💀"
)
_HAPPY_TEARS = re.compile(r"\b(?:happy\s+tears|tears\s+of\s+joy|crying\s+(?:happy|with\s+joy))\b")
#: Lukewarm words: "fine", "nothing special" are not joy, whatever a model makes of them.
_LUKEWARM = re.compile(
    r"\b(?:fine|ok|okay|alright|all\s+right|nothing\s+special|not\s+much|meh|so-so|so\s+so|"
    r"same\s+as\s+(?:usual|always)|average|normal|uneventful|usual)\b"
)
_STRONG_JOY = re.compile(
    r"\b(?:amazing|awesome|fantastic|wonderful|brilliant|great|love|loved|happy|thrilled|"
    r"excited|best|incredible|perfect|yay|finally|won|got\s+the|passed|aced)\b|!!|🎉|😍|🥳"
)
#: Good things negated: "nothing's going right", "I'm not okay".
_NEGATED_POSITIVE = re.compile(
    r"\b(?:not|nothing'?s?|never|isn'?t|wasn'?t|ain'?t|don'?t\s+feel)\s+(?:\w+\s+)?"
    r"(?:going\s+)?(?:right|well|good|great|okay|ok|fine|happy|alright)\b"
)
#: Harsh self-judgement reads sad (it is how low mood talks, Beck's negative self-schema).
_SELF_CRITICISM = re.compile(
    r"\b(?:i\s+(?:always\s+)?(?:mess|screw|ruin|fuck)\s+(?:\w+\s+)?(?:up|everything)|"
    r"(?:i'?m|i\s+am)\s+(?:so\s+|such\s+a\s+|a\s+)?(?:stupid|useless|worthless|pathetic|"
    r"failure|loser|disappointment|burden)|i\s+hate\s+(?:myself|how\s+i)|"
    r"what'?s\s+wrong\s+with\s+me|why\s+(?:do|am|can'?t)\s+i\s+(?:always|never|so))"
)
#: Someone close in hospital or seriously ill: worry, whatever the words' tone.
_HEALTH_SCARE = re.compile(
    r"\b(?:in\s+(?:the\s+)?hospital|\ber\b|a&e|icu|intensive\s+care|surgery|cancer|tumou?r|"
    r"biopsy|stroke|heart\s+attack|diagnosed|chemo|ambulance|seizure)\b"
)
_CONTRAST = re.compile(r"\b(?:but|though|although|however|yet|except)\b|,\s*just\b")
_TRAILING_THOUGH = re.compile(r"(?:^|[.!?]\s+)([^.!?]+?)\s*,?\s+(?:though|tho)\s*[.!?]*\s*$", re.I)
#: "just" introduces the true reading after a denial: "not upset with you, just worn out".
_DENIAL_JUST = re.compile(r"\bnot\s+[\w\s']{1,30}?,?\s+just\s+(.+)$")


_LOW_ENERGY = re.compile(
    r"\b(?:exhausted|tired|drained|worn\s+(?:out|down)|burn(?:t|ed)\s+out|knackered|"
    r"shattered|wiped\s+out|run\s+down|sleepy|no\s+energy|can'?t\s+get\s+out\s+of\s+bed)\b"
)


@cache
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def clause_valence(text: str) -> float:
    """Pleasantness of a short clause, -1..1: VADER's compound score (Hutto & Gilbert 2014),
    with low-energy words ("burnt out", "worn out") counted as unpleasant."""
    score = float(_vader().polarity_scores(text)["compound"])
    if _LOW_ENERGY.search(text.lower()):
        score = min(score, -0.4)
    return score


def _negative_share(estimate: EmotionEstimate) -> dict[Emotion, float]:
    """The estimate's own unpleasant labels, renormalised (sad when it has none)."""
    negative = {e: estimate.probability(e) for e in LABELS if VALENCE[e] < 0}
    total = sum(negative.values())
    if total < 0.05:
        return {Emotion.SAD: 1.0}
    return {e: p / total for e, p in negative.items()}


def _blend(a: EmotionEstimate, b: EmotionEstimate, share_b: float) -> tuple[float, ...]:
    return tuple(
        (1.0 - share_b) * x + share_b * y
        for x, y in zip(a.probabilities, b.probabilities, strict=True)
    )


def _with(
    estimate: EmotionEstimate, probs: tuple[float, ...], confidence: float
) -> EmotionEstimate:
    return EmotionEstimate(probs, estimate.source, confidence)


def _onto(probs: dict[Emotion, float]) -> tuple[float, ...]:
    return tuple(probs.get(label, 0.0) for label in LABELS)


def sarcasm_cues(text: str) -> tuple[str, ...]:
    """The sarcasm cues present: "stock phrase", "eye roll", "praise beside a bad event"."""
    lowered = text.lower().replace("\u2019", "'")
    cues = []
    if _STOCK.search(lowered):
        cues.append("stock phrase")
    if any(e in text for e in _EYE_ROLL):
        cues.append("eye roll")
    praise = re.search(rf"\b{_PRAISE}\b", lowered)
    if praise and _BAD_EVENT.search(lowered):
        # Praise that is itself negated ("not great") is sincere, not sarcastic.
        before = lowered[max(0, praise.start() - 12) : praise.start()]
        if not re.search(r"\b(?:not|n't|never)\s*\w*\s*$", before):
            cues.append("praise beside a bad event")
    return tuple(cues)


def contrast_focus(text: str) -> str | None:
    """The clause that carries the feeling after a contrast marker, or None without one."""
    lowered = text.replace("\u2019", "'")
    denial = _DENIAL_JUST.search(lowered.lower())
    if denial:
        start = denial.start(1)
        return lowered[start:].strip(" .!?,") or None
    trailing = _TRAILING_THOUGH.search(lowered)
    if trailing:
        # "X. Still feel like a fraud though": the sentence ending in "though" is the focus.
        sentence = trailing.group(1).strip(" .!?,")
        return sentence if len(sentence.split()) >= 2 else None
    matches = list(_CONTRAST.finditer(lowered.lower()))
    if not matches:
        return None
    tail = lowered[matches[-1].end() :].strip(" .!?,")
    return tail if len(tail.split()) >= 2 else None


def _laughing(lowered: str) -> bool:
    """Laughing hyperbole with nothing heavy beside it (see "laughter" in the docstring)."""
    laughs = bool(_LAUGHTER.search(lowered))
    hyperbole = bool(_LAUGH_HYPERBOLE.search(lowered))
    if not (hyperbole or (laughs and _DEAD_JOKE.search(lowered))):
        return False
    if _LOSS.search(_DEAD_JOKE.sub(" ", _LAUGH_HYPERBOLE.sub(" ", lowered))):
        return False  # "grandpa died lol i'm dead inside": not a joke to answer with fun
    rest = _LAUGHTER.sub(" ", _DEAD_JOKE.sub(" ", _LAUGH_HYPERBOLE.sub(" ", lowered)))
    return clause_valence(rest) > -0.4 and not _HOPELESS_LONELY.search(rest)


def read_in_context(
    text: str,
    estimate: EmotionEstimate,
    act: Act,
    previous: PreviousTurn | None = None,
) -> ContextReading:
    """Adjust the model's ``estimate`` of ``text`` for context; see the module docstring.

    ``previous`` is None when there is no previous turn the reply may use (a group chat, or a
    conversation that went quiet). The result keeps ``estimate.source``.
    """
    rules: list[str] = []
    current = estimate
    lowered = text.lower().replace("\u2019", "'")
    focus = None

    if act in FORMULAIC and previous is not None and previous.heavy:
        probs = _blend(current, previous.estimate, INHERIT_SHARE)
        if previous.sarcastic:
            probs = _onto({Emotion.ANGRY: 0.4, Emotion.SAD: 0.3, Emotion.NEUTRAL: 0.3})
        current = _with(current, probs, min(current.confidence, previous.estimate.confidence))
        return ContextReading(current, ("inherit",), inherited=True)
    if act in FORMULAIC:
        # "thanks!" is politeness, not joy: keep the model's reading but trust it less.
        return ContextReading(_with(current, current.probabilities, current.confidence * 0.5))

    if not re.search(r"[^\W\d_]", text):
        # Emoji alone ("😭😭😭") say the feeling outright; the words model sees nothing.
        shown = parse_feel_argument(text)
        if shown is not None and shown is not Emotion.NEUTRAL:
            probs = _blend(current, EmotionEstimate(_onto({shown: 1.0}), current.source, 1.0), 0.8)
            current = _with(current, probs, max(current.confidence, 0.5))
            return ContextReading(current, ("emoji",))

    if _laughing(lowered):
        probs = _onto({Emotion.HAPPY: 0.7, Emotion.SURPRISE: 0.1, Emotion.NEUTRAL: 0.2})
        return ContextReading(_with(current, probs, max(current.confidence, 0.5)), ("laughter",))
    if _HAPPY_TEARS.search(lowered):
        probs = _onto({Emotion.HAPPY: 0.75, Emotion.SURPRISE: 0.15, Emotion.NEUTRAL: 0.1})
        return ContextReading(_with(current, probs, max(current.confidence, 0.5)), ("happy tears",))
    if not rules and _HOPELESS_LONELY.search(lowered):
        probs = _onto({Emotion.SAD: 0.8, Emotion.FEAR: 0.1, Emotion.NEUTRAL: 0.1})
        current = _with(current, probs, max(current.confidence, 0.6))
        rules.append("hopeless loneliness")

    if not rules and _SELF_CRITICISM.search(lowered) and current.valence > -0.3:
        probs = _onto({Emotion.SAD: 0.7, Emotion.ANGRY: 0.1, Emotion.NEUTRAL: 0.2})
        current = _with(current, probs, max(current.confidence, 0.5))
        rules.append("self-criticism")
    if not rules and _HEALTH_SCARE.search(lowered) and current.valence > -0.3:
        probs = _blend(
            current,
            EmotionEstimate(_onto({Emotion.FEAR: 0.6, Emotion.SAD: 0.4}), current.source, 1.0),
            0.7,
        )
        current = _with(current, probs, max(current.confidence, 0.5))
        rules.append("health scare")
    if (
        not rules
        and _LOSS.search(lowered)
        and not re.search(r"\b(?:phone|battery|laptop|car|plant|game|character)\b", lowered)
        and current.probability(Emotion.SAD) < 0.5
    ):
        probs = _blend(
            current, EmotionEstimate(_onto({Emotion.SAD: 1.0}), current.source, 1.0), 0.7
        )
        current = _with(current, probs, max(current.confidence, 0.5))
        rules.append("loss")
    if (
        not rules
        and _LOW_ENERGY.search(lowered)
        and current.top in {Emotion.NEUTRAL, Emotion.HAPPY}
        and not _STRONG_JOY.search(lowered)
    ):
        probs = _onto({Emotion.SAD: 0.45, Emotion.NEUTRAL: 0.4, Emotion.FEAR: 0.15})
        current = _with(current, probs, current.confidence)
        rules.append("low energy")

    focus = contrast_focus(text)
    if focus is not None and "hopeless loneliness" not in rules:
        valence = clause_valence(focus)
        target: dict[Emotion, float] | None = None
        if valence <= -0.2 and current.valence > valence:
            target = _negative_share(current)
        elif valence >= 0.2 and current.valence < valence:
            target = {Emotion.HAPPY: 0.7, Emotion.NEUTRAL: 0.3}
        if target is not None:
            clause = EmotionEstimate(_onto(target), current.source, 1.0)
            current = _with(current, _blend(current, clause, CONTRAST_WEIGHT), current.confidence)
            rules.append("contrast")

    cues = sarcasm_cues(text)
    sarcastic = bool(cues) and current.probability(Emotion.HAPPY) >= 0.2
    sarcastic = sarcastic or (bool(cues) and "praise beside a bad event" in cues)
    if sarcastic:
        happy = current.probability(Emotion.HAPPY)
        moved = list(current.probabilities)
        moved[LABELS.index(Emotion.HAPPY)] = happy * 0.1
        moved[LABELS.index(Emotion.ANGRY)] += happy * 0.6
        moved[LABELS.index(Emotion.SAD)] += happy * 0.3
        current = _with(current, tuple(moved), min(current.confidence, SARCASM_CONFIDENCE))
        rules.append("sarcasm")
    elif not rules and _NEGATED_POSITIVE.search(lowered) and current.valence > -0.2:
        probs = _onto({Emotion.SAD: 0.5, Emotion.NEUTRAL: 0.3, Emotion.FEAR: 0.2})
        current = _with(current, probs, current.confidence)
        rules.append("negated positive")
    elif (
        not rules
        and _LUKEWARM.search(lowered)
        and not _STRONG_JOY.search(lowered)
        and current.top is Emotion.HAPPY
    ):
        probs = _onto({Emotion.NEUTRAL: 0.55, Emotion.HAPPY: 0.35, Emotion.SAD: 0.1})
        current = _with(current, probs, current.confidence)
        rules.append("lukewarm")
    elif _NEGATED_NEGATIVE.search(lowered) and "hopeless loneliness" not in rules:
        rest = _NEGATED_NEGATIVE.sub(" ", lowered)
        if clause_valence(rest) > -0.3:  # nothing else heavy in the message
            probs = _onto({Emotion.HAPPY: 0.45, Emotion.NEUTRAL: 0.45, Emotion.SAD: 0.1})
            current = _with(current, probs, current.confidence)
            rules.append("negated negative")
    return ContextReading(current, tuple(rules), sarcastic=sarcastic, focus=focus)
