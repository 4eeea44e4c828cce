"""Conversation risk state: what one message cannot show, a few turns can.

Pure logic (no storage, no clock of its own, no asyncio): the bot loads a user's
:class:`RiskState` (``from_json``), calls :func:`advance` with each screened message, stores
the new state (``to_json``) and uses the returned :class:`~responses.safety.SafetyCheck`
instead of the single-message one. /forget deletes the stored JSON; /why shows
:func:`explain`.

What it adds to the per-message screen:

- **Means after distress.** Distress (the core's emotion reading: sad, fear, angry) or a
  loss ("my mum died", "lost my job") followed within :data:`DISTRESS_WINDOW` by a question
  about means or places ("highest bridge", "how many pills", "gun shop", "train times")
  is flagged as suicidal ideation at C-SSRS level 3 (method), source "context". Each
  message alone is ordinary; the sequence is the warning sign crisis lines are trained on.
  A question that says its everyday use ("... on a top rope?", "i cant be late again": the
  ``purpose`` context) after everyday distress alone is not: the emotion reading counts
  tiredness and annoyance as distress. After a loss, or while the risk is raised, it is.
- **Retraction does not clear.** "jk" or "nvm im fine" after a flag keeps the state
  elevated (the reply stays careful, never celebratory) for at least
  :data:`RETRACTION_HOLD`; people often retract out of shame or fear of overreaction.
  Taking the retraction back ("no honestly i wasnt joking") flags the state's categories
  again.
- **A plan told after risk.** "i have a plan" (five languages) after suicidal talk or the
  bot's direct question is C-SSRS plan level (urgent); alone it is everyday.
- **Wanting to join someone who died** ("I just want to be with her again") after a loss is
  flagged (C-SSRS 1, wish to be dead) with a pending note to ask directly.
- **Helping someone else.** "my friend just took a whole bottle of pills" (the screen reads
  the other person in danger now, nothing in the writer's words) starts a helper episode
  (``helping_at``) and raises none of the writer's own categories. For :data:`HELPER_WINDOW`
  a private follow-up whose own words the rules do not flag ("ok i called 911", "what do i
  do while i wait") is the helper's (:func:`helping`), answered with what to do until help
  comes (:func:`helper_reply`); the writer's own risk in their words keeps the crisis reply.
- **Decay.** A state with no new risk signal for :data:`RISK_WINDOW` (48 h) is cleared.
  Why 48 h: suicidal crises are mostly acute (hours to a day or two; many near-lethal
  attempts followed a decision of under an hour, Simon et al. 2001, Suicide Life Threat
  Behav 32 suppl.), so a day's gap must not end the caution, while keeping a person in
  "careful mode" for a week after one dark message would turn every later chat into a
  crisis script and teach them not to say how they feel. The C-SSRS screener's own window
  is a month, but that serves a clinician's triage, not a conversation's tone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from responses._data import load_toml
from responses.foreign import other_language
from responses.language import language_scores
from responses.risk import LANGUAGES, CssrsLevel, RiskCategory
from responses.safety import (
    SafetyCheck,
    bulleted_helplines,
    emergency_number,
    make_check,
)
from responses.safety_rules import context_signals, normalise_base, state_patterns

#: How long after the last risk signal the conversation stays elevated.
RISK_WINDOW = timedelta(hours=48)
#: How long distress or a loss makes a following question about means a risk signal.
DISTRESS_WINDOW = timedelta(hours=6)
#: How long a loss makes "I want to be with her again" a risk signal.
LOSS_WINDOW = timedelta(hours=72)
#: A retraction keeps the state elevated at least this long, whatever the decay says.
RETRACTION_HOLD = timedelta(hours=12)

#: How long after the bot asked "are you thinking about ending your life?" a yes still answers
#: it (an answer may come after a pause; later, a bare "yes" is about something else).
ANSWER_WINDOW = timedelta(hours=2)

#: How long after someone said another person is in danger right now ("my friend just took a
#: whole bottle of pills") their follow-ups ("ok i called 911", "what do i do while i wait") are
#: read as the helper's, answered with what to do until help comes (:func:`helping`). Two hours
#: covers the wait for an ambulance and the first time at hospital; after it, an everyday
#: message is everyday again.
HELPER_WINDOW = timedelta(hours=2)

#: Longest message read as a goodbye said with other words ("anyway thanks for listening,
#: goodbye!"): a long message that has a "bye" in one of its clauses is about something else.
GOODBYE_MAX_WORDS = 16

#: Values of ``RiskState.ask_directly``: why the next reply should ask about suicide directly.
ASK_REASONS: tuple[str, ...] = ("join_deceased", "means_after_distress", "retraction")

_SCHEMA = 1

#: Longest message read as taking back a retraction or as telling a plan: these rules read
#: only a short message that is nothing else (a longer one is about more than that).
SHORT_MAX_WORDS = 14

# The word lists below are ``[[state]]`` kinds in ``crisis_patterns.toml`` (with comments on why
# each exists), read through ``responses.safety_rules.state_patterns``. They are compiled on
# first use, not at import: the first call loads the patterns file, which the screen has
# usually done already.


@cache
def _filler() -> str:
    """Words around a take-back or a plan that add nothing to it ("ok honestly no i wasnt
    joking", "nee ehrlich, war kein spass"): the ``filler`` lists of all languages as one
    group, any of them allowed around any language's form."""
    return "(?:" + "|".join(state_patterns("filler").values()) + ")"


@cache
def _whole_message_forms(kind: str) -> dict[str, re.Pattern[str]]:
    """Each language's ``kind`` forms (``take_back``, ``not_fine``, ``plan``), read as the
    whole message with fillers around them (and the form said twice: "i lied, im not ok"),
    in the order of ``responses.risk.LANGUAGES``."""
    filler = _filler()
    return {
        lang: re.compile(rf"(?:{filler} )*(?:{form})(?: (?:{filler}|{form}))*")
        for lang, form in state_patterns(kind).items()
    }


def _whole_message(text: str, forms: dict[str, re.Pattern[str]]) -> str | None:
    """The language whose form ``text`` is, all of it (fillers aside), or None. Short
    messages only (:data:`SHORT_MAX_WORDS`); sentence ends and commas are read as spaces."""
    base = normalise_base(text[:4000]).replace(" .", " ").strip(" .")
    words = base.split()
    if not words or len(words) > SHORT_MAX_WORDS:
        return None
    joined = " ".join(words)
    return next((lang for lang, form in forms.items() if form.fullmatch(joined)), None)


def takes_back(text: str, *, retracted: bool = False) -> str | None:
    """The language of ``text`` when all it says is that an earlier retraction was not meant
    ("ok honestly no i wasnt joking", "nee ehrlich, war kein spass", "en vrai non je rigolais
    pas", "no era broma", "het was geen grapje"), else None; with ``retracted`` (a retraction
    is on record) also "i lied, im not ok" and its kin. "i wasnt joking about the exam" or
    "thank you, i mean it" are something else."""
    found = _whole_message(text, _whole_message_forms("take_back"))
    if found is None and retracted:
        found = _whole_message(text, _whole_message_forms("not_fine"))
    return found


def tells_plan(text: str) -> str | None:
    """The language of ``text`` when all it says is that there is a plan or a known way
    ("i have a plan", "i know how id do it", "ich hab einen plan", "jai un plan", "tengo un
    plan", "ik heb een plan"), else None. "i have a plan for the weekend" is something else."""
    return _whole_message(text, _whole_message_forms("plan"))


@dataclass(frozen=True, slots=True)
class RiskState:
    """One user's risk over recent turns. All times are timezone-aware datetimes (UTC).

    ``categories``, ``severity`` and ``cssrs`` are the highest seen since ``raised_at`` (the
    first flag of this episode); ``last_signal_at`` is the latest flagged message;
    ``last_distress_at`` the latest distress or loss; ``last_loss_at`` the latest loss;
    ``retracted_at`` the latest retraction after a flag; ``ask_directly`` a pending note
    (one of :data:`ASK_REASONS`) that the next reply should ask directly about suicide,
    cleared with :func:`mark_asked`; ``asked_at`` when a reply last asked that question (a
    yes within :data:`ANSWER_WINDOW` answers it); ``language`` the language of the last reply
    that flagged or asked (a one-word "ja" is answered in it); ``signed_off_at`` when a
    goodbye last carried the lines (once per episode). ``helping_at``: when the person last said
    that someone else is in danger right now (a helper episode, :func:`helping`; it never
    raises the person's own categories), ``helping_language`` the language they said it in.
    ``sources`` says which of
    ``responses.safety.SOURCES`` raised a flag in this episode; ``worded`` the categories the
    rules recognised in the person's own words (the others came from the classifier's reading
    or the context), so /why never claims "you mentioned" what the person did not say.
    """

    categories: frozenset[RiskCategory] = frozenset()
    severity: int = 0
    cssrs: CssrsLevel = CssrsLevel.NONE
    raised_at: datetime | None = None
    last_signal_at: datetime | None = None
    last_distress_at: datetime | None = None
    last_loss_at: datetime | None = None
    retracted_at: datetime | None = None
    ask_directly: str | None = None
    sources: frozenset[str] = frozenset()
    worded: frozenset[RiskCategory] = frozenset()
    asked_at: datetime | None = None
    language: str | None = None
    signed_off_at: datetime | None = None
    helping_at: datetime | None = None
    helping_language: str | None = None

    def to_json(self) -> str:
        """A compact JSON object (ISO 8601 times) for the bot to store per user."""
        return json.dumps(
            {
                "v": _SCHEMA,
                "categories": sorted(c.value for c in self.categories),
                "severity": self.severity,
                "cssrs": int(self.cssrs),
                "raised_at": _iso(self.raised_at),
                "last_signal_at": _iso(self.last_signal_at),
                "last_distress_at": _iso(self.last_distress_at),
                "last_loss_at": _iso(self.last_loss_at),
                "retracted_at": _iso(self.retracted_at),
                "ask_directly": self.ask_directly,
                "sources": sorted(self.sources),
                "worded": sorted(c.value for c in self.worded),
                "asked_at": _iso(self.asked_at),
                "language": self.language,
                "signed_off_at": _iso(self.signed_off_at),
                "helping_at": _iso(self.helping_at),
                "helping_language": self.helping_language,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | None) -> RiskState:
        """The state stored by :meth:`to_json`. None, empty text, an unknown schema or
        malformed data give the empty state (never raises): a damaged stored state must not
        stop the screen, and the per-message rules still run on every message. A state stored
        before ``sources``/``worded`` existed (same schema, keys absent) reads as all its
        categories worded by the rules, which is what /why said of it then."""
        if not text:
            return EMPTY
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("v") != _SCHEMA:
                return EMPTY
            ask = data.get("ask_directly")
            categories = frozenset(RiskCategory(c) for c in data.get("categories", []))
            worded = data.get("worded")
            return cls(
                categories=categories,
                severity=int(data.get("severity", 0)),
                cssrs=CssrsLevel(int(data.get("cssrs", 0))),
                raised_at=_time(data.get("raised_at")),
                last_signal_at=_time(data.get("last_signal_at")),
                last_distress_at=_time(data.get("last_distress_at")),
                last_loss_at=_time(data.get("last_loss_at")),
                retracted_at=_time(data.get("retracted_at")),
                ask_directly=ask if ask in ASK_REASONS else None,
                sources=frozenset(
                    str(x) for x in data.get("sources", ["rules"] if categories else [])
                ),
                worded=(
                    categories
                    if worded is None
                    else frozenset(RiskCategory(c) for c in worded) & categories
                ),
                asked_at=_time(data.get("asked_at")),
                language=str(data["language"]) if data.get("language") else None,
                signed_off_at=_time(data.get("signed_off_at")),
                # Absent in states stored before helper episodes existed: none then.
                helping_at=_time(data.get("helping_at")),
                helping_language=(
                    str(data["helping_language"])
                    if data.get("helping_language") in LANGUAGES
                    else None
                ),
            )
        except (ValueError, TypeError, KeyError):
            return EMPTY


EMPTY = RiskState()


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _time(value: object) -> datetime | None:
    if value is None:
        return None
    when = datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise ValueError("stored risk times must be timezone-aware")
    return when


def _within(when: datetime | None, now: datetime, window: timedelta) -> bool:
    return when is not None and timedelta(0) <= now - when <= window


def elevated(state: RiskState, now: datetime) -> bool:
    """Whether the conversation is still in careful mode at ``now``: a risk signal within
    :data:`RISK_WINDOW`, or a retraction within :data:`RETRACTION_HOLD`. While elevated the
    reply layer must never celebrate, joke or make small talk."""
    if not state.categories:
        return False
    return _within(state.last_signal_at, now, RISK_WINDOW) or _within(
        state.retracted_at, now, RETRACTION_HOLD
    )


def _decay(state: RiskState, now: datetime) -> RiskState:
    """Drop what has expired: the risk episode after its window, distress and loss after theirs."""
    if state.categories and not elevated(state, now):
        state = replace(
            state,
            categories=frozenset(),
            severity=0,
            cssrs=CssrsLevel.NONE,
            raised_at=None,
            last_signal_at=None,
            retracted_at=None,
            ask_directly=None,
            sources=frozenset(),
            worded=frozenset(),
        )
    if state.last_distress_at is not None and not _within(
        state.last_distress_at, now, DISTRESS_WINDOW
    ):
        state = replace(state, last_distress_at=None)
    if state.last_loss_at is not None and not _within(state.last_loss_at, now, LOSS_WINDOW):
        state = replace(state, last_loss_at=None)
    if state.helping_at is not None and not _within(state.helping_at, now, HELPER_WINDOW):
        state = replace(state, helping_at=None, helping_language=None)
    return state


def _raise(check: SafetyCheck, category: RiskCategory, cssrs: CssrsLevel) -> SafetyCheck:
    return make_check(
        check.categories | {category},
        cssrs=max(check.cssrs, cssrs),
        language=check.language,
        sources=check.sources | {"context"},
        worded=check.worded,
        # The danger the words named ("on the bridge"); none named (e.g. "i took them all"
        # after a flag) keeps the overdose advice beside the general sentence.
        means=check.means or None,
        about_someone_else=check.about_someone_else,
        others_in_danger=check.others_in_danger,
        third_person=check.third_person,
        happening_now=check.happening_now,
    )


def advance(
    state: RiskState,
    check: SafetyCheck,
    *,
    text: str,
    distress: bool,
    now: datetime,
    private: bool = True,
) -> tuple[RiskState, SafetyCheck]:
    """Fold one screened message into the state; returns the new state and the check to act
    on (``check`` itself, or ``check`` raised by context with "context" in its sources).

    ``check`` is the message's own screen (rules, or rules combined with the model);
    ``text`` the message (read for context signals only, never stored); ``distress`` whether
    the core read sadness, fear or anger; ``now`` a timezone-aware time; ``private`` whether
    the message came in a private chat (only there is a yes an answer to the bot's question,
    which it asks in private: "yes, pizza at 8" in a group is not). A retraction after a
    flag (in private) returns the unflagged ``check`` but keeps the state elevated; taking it
    back (:func:`takes_back`) flags the state's categories again, and a plan told
    (:func:`tells_plan`) after suicidal talk or the direct question is C-SSRS plan level;
    both in private only. Never raises on odd text.
    """
    state = _decay(state, now)
    signals = context_signals(text)
    was_elevated = elevated(state, now)
    if distress or "loss" in signals:
        state = replace(state, last_distress_at=now)
    if "loss" in signals:
        state = replace(state, last_loss_at=now)

    result = check
    note = state.ask_directly
    has_ideation = RiskCategory.SUICIDAL_IDEATION in check.categories
    # "is a 9mm rope strong enough to hold my weight on a top rope?" after "stressed about my
    # climbing course": a means question that says its everyday use follows everyday distress
    # only; a loss on record (LOSS_WINDOW: someone died, left, a job lost) keeps it a signal.
    everyday_use = "purpose" in signals and not _within(state.last_loss_at, now, LOSS_WINDOW)
    # While helping someone in danger now ("how many pills is too many" after "my friend
    # took a whole bottle"), a means question is about the other person, and the fear
    # read in the helper's messages is theirs for the other person: only the person's own
    # raised risk (was_elevated) makes it a signal then.
    in_episode = _within(state.helping_at, now, HELPER_WINDOW)
    if (
        "means" in signals
        and not has_ideation
        and (
            was_elevated
            or (
                _within(state.last_distress_at, now, DISTRESS_WINDOW)
                and not everyday_use
                and not in_episode
            )
        )
    ):
        result = _raise(result, RiskCategory.SUICIDAL_IDEATION, CssrsLevel.METHOD)
        note = "means_after_distress"
    if "join_deceased" in signals and (
        has_ideation or was_elevated or _within(state.last_loss_at, now, LOSS_WINDOW)
    ):
        result = _raise(result, RiskCategory.SUICIDAL_IDEATION, CssrsLevel.WISH_TO_BE_DEAD)
        note = "join_deceased"
    if "taken" in signals and (was_elevated or has_ideation):
        # "i already took the pills" after "i want to die": an overdose may be under way
        # (alone, the same words are usually today's dose).
        result = _raise(result, RiskCategory.IMMEDIATE_DANGER, result.cssrs)
    if (
        private
        and "affirmative" in signals
        and "reassured" not in signals
        and _within(state.asked_at, now, ANSWER_WINDOW)
    ):
        # A yes (or "kinda", "maybe") to the direct question is suicidal thinking said aloud:
        # C-SSRS item 2. With a time or a plan ("yes. tonight") it is intent (item 4: urgent,
        # the emergency number first). "yes but i'm ok now" is not a yes to that question.
        level = CssrsLevel.INTENT if "imminent" in signals else CssrsLevel.ACTIVE_THOUGHTS
        result = _raise(result, RiskCategory.SUICIDAL_IDEATION, level)
        if state.language and len(text.split()) <= 3:
            # "ja", "oui": too short to tell the language; answer in the question's.
            result = replace(result, language=state.language)

    retracted = state.retracted_at is not None
    take_back = takes_back(text, retracted=retracted) if private and was_elevated else None
    if take_back is not None:
        # "jk" then "no honestly i wasnt joking": the first message stands. The retraction
        # kept the state raised; taking it back brings the state's categories back as a flag.
        result = make_check(
            result.categories | state.categories,
            cssrs=max(result.cssrs, state.cssrs),
            language=take_back,
            sources=result.sources | {"context"},
            worded=result.worded,
            means=result.means or None,
            about_someone_else=result.about_someone_else,
            others_in_danger=result.others_in_danger,
            third_person=result.third_person,
            happening_now=result.happening_now,
        )
    suicidal = state.categories & {RiskCategory.SUICIDAL_IDEATION, RiskCategory.FAREWELL}
    plan = tells_plan(text) if private else None
    if plan is not None and (
        (was_elevated and suicidal) or _within(state.asked_at, now, ANSWER_WINDOW)
    ):
        # A plan told inside a conversation about ending one's life (or right after the bot
        # asked about it) is C-SSRS item 5: urgent, the emergency number first. Alone, or
        # after an abuse disclosure ("i have a plan" to leave), the words are everyday.
        result = replace(
            _raise(result, RiskCategory.SUICIDAL_IDEATION, CssrsLevel.PLAN), language=plan
        )

    if helps_now(result):
        # "my friend just took a whole bottle of pills": the other person is in danger, not
        # the writer (the screen read nothing in the writer's own words). The episode is
        # recorded for the follow-ups; the writer's own categories are not raised (a review
        # found them raised, so that "ok i called 911" got the writer's crisis reply and /why
        # said "you mentioned being in danger right now").
        state = replace(state, helping_at=now, helping_language=result.language)
    elif result.flagged:
        state = replace(
            state,
            categories=state.categories | result.categories,
            severity=max(state.severity, result.severity),
            cssrs=max(state.cssrs, result.cssrs),
            raised_at=state.raised_at or now,
            last_signal_at=now,
            retracted_at=None,
            ask_directly=note,
            sources=state.sources | result.sources,
            worded=state.worded | result.worded,
            language=result.language,
        )
    elif "retraction" in signals and was_elevated and private:
        # Private only: "lol jk" in a group is about the group's talk, not the flag.
        state = replace(state, retracted_at=now, ask_directly="retraction")
    return state, result


def helps_now(check: SafetyCheck) -> bool:
    """Whether ``check`` is someone telling that another person is in danger right now: about
    someone else (the writer's own words read nothing) and ``others_in_danger`` (the
    "helper_danger" context, "my friend just took a whole bottle of pills", or a message about
    them alone that says it is happening now). Such a message gets the helper's urgent reply
    and starts a helper episode (``helping_at``)."""
    return check.about_someone_else and check.others_in_danger


def helping(state: RiskState, check: SafetyCheck, now: datetime, *, private: bool) -> bool:
    """Whether a message is a helper's follow-up: in a private chat, within
    :data:`HELPER_WINDOW` of a message that told of another person in danger now
    (:func:`helps_now`), and not itself such a message nor one whose own words the rules
    flag (the writer's own risk: "i cant do this anymore i want to die" keeps the crisis
    reply). A flag only the classifier or the context raised ("ok i called 911, they are
    coming" read as danger) is the helper's situation, answered with what to do while they
    wait (:func:`helper_reply`, the emergency number and the lines in it). Never in a group:
    what was said in private must not shape a group's reply."""
    if not private or not _within(state.helping_at, now, HELPER_WINDOW):
        return False
    return not helps_now(check) and not check.worded


@cache
def _getting_worse() -> re.Pattern[str]:
    """The ``helper_worse`` lists of all languages: the other person not breathing, not waking,
    not responding, or getting worse ("she is breathing but wont wake up", "er atmet nicht
    mehr", "elle ne se reveille pas"), searched in ``normalise_base`` text."""
    return re.compile("|".join(state_patterns("helper_worse").values()))


def getting_worse(text: str) -> bool:
    """Whether a helper's follow-up says the other person is getting worse: not breathing (or
    barely), will not wake up, not responding, a seizure, "it's getting worse". Then the reply
    leads with the emergency number again."""
    return _getting_worse().search(normalise_base(text[:4000])) is not None


def helper_language(state: RiskState, check: SafetyCheck, text: str) -> str:
    """The language to answer a helper's follow-up in: the message's when it is clearly German,
    French, Spanish or Dutch; the episode's (``helping_language``) when the message leans no
    more to English than to it ("ok", "ja ok"); else the message's own reading."""
    found = _language_leaning(text, state.helping_language)
    if found is not None:
        return found
    return check.language if check.language in LANGUAGES else "en"


def helper_reply(country: str | None, language: str | None, *, worse: bool) -> str:
    """The answer to a helper's follow-up, in ``language``: what to do while they wait for
    the ambulance (``[helper] waiting`` in ``risk_taxonomy.toml``, with the country's
    emergency number: ``helplines.toml``, or the local-emergency words), led by ``[helper]
    worse`` (the emergency number again, tell the operator) when ``worse`` (:func:`getting_worse`),
    then the crisis lines (for the helper too). Never the question whether the writer is
    suicidal. The steps follow standard first-aid guidance for a suspected overdose (NHS
    "Recovery position" and "Poisoning" pages; British Red Cross first-aid advice for someone
    unresponsive and breathing): stay, follow the call handler, recovery position and watch
    the breathing, nothing by mouth and no making them sick, keep what was taken."""
    lang = language if language in LANGUAGES else "en"
    taxonomy = load_toml("risk_taxonomy.toml")
    texts: dict[str, str] = taxonomy["text"][lang]
    helper = taxonomy["helper"]
    emergency = emergency_number(country, texts)
    parts = [helper["waiting"][lang].format(emergency=emergency)]
    if worse:
        parts.insert(0, helper["worse"][lang].format(emergency=emergency))
    parts.append(bulleted_helplines(country, ("crisis",), lang, emergency_led=True))
    return "\n\n".join(parts)


def signing_off(state: RiskState, text: str, now: datetime) -> bool:
    """Whether ``text`` leaves the conversation ("bye", "going to sleep", the ``signoff``
    context in ``crisis_patterns.toml``) while its risk is raised and no goodbye has carried
    the lines since the last signal: that goodbye carries them once more (a fresh review
    found "ok going out, see you tomorrow" after a farewell answered with a plain "be gentle
    with yourself"). Record it with :func:`mark_signed_off`."""
    if not elevated(state, now) or not says_goodbye(text):
        return False
    last = state.last_signal_at
    return state.signed_off_at is None or (last is not None and state.signed_off_at < last)


def says_goodbye(text: str) -> bool:
    """Whether ``text`` is a goodbye: the whole message, or one of the clauses of a short one
    ("ok thanks, bye", "thanks. night", "danke fürs zuhören, tschüss"). The ``signoff``
    patterns are anchored at the start of what they read, so "my sister said bye to her
    friends" stays a statement; thanks and "gonna log off now" before the goodbye no longer
    hide it (a review found only a bare "bye" carried the lines)."""
    if "signoff" in context_signals(text):
        return True
    base = normalise_base(text[:4000])
    if len(base.split()) > GOODBYE_MAX_WORDS:
        return False
    clauses = [c.strip() for c in base.split(" . ") if c.strip(" .")]
    return len(clauses) > 1 and any("signoff" in context_signals(c) for c in clauses)


@cache
def _help_seeking() -> re.Pattern[str]:
    """A plan to reach out, or having done it ("i'll call them tomorrow", "ich ruf da morgen
    an", "je vais les appeler", "mañana los llamo", "ik ga ze morgen bellen"): the
    ``help_seeking`` lists of all languages, searched in ``normalise_base`` text (lower case,
    no accents, "i'll" -> "ill"). The helper must be one who helps (the lines just given,
    "them", a therapist, a doctor, family, a friend)."""
    return re.compile("|".join(state_patterns("help_seeking").values()))


@cache
def _not_help_seeking() -> re.Pattern[str]:
    """Beside a plan to call, the whole words that make it something else (the
    ``not_help_seeking`` lists of all languages): a refusal ("i won't call them"), a goodbye
    ("call my mum to say goodbye"), a last time."""
    return re.compile(r"\b(?:" + "|".join(state_patterns("not_help_seeking").values()) + r")\b")


#: Longest message read as a plan to reach out (a longer one is about more than that).
HELP_SEEKING_MAX_WORDS = 20

#: What the bot says to a plan to reach out (then the lines once more), per language.
_HELP_SEEKING_ACK: dict[str, str] = {
    "en": "I'm really glad you're reaching out to them. That's a strong step, and you don't "
    "have to have the right words when you do.",
    "de": "Ich bin wirklich froh, dass du dich dort meldest. Das ist ein starker Schritt, und du "
    "brauchst dafür nicht die richtigen Worte.",
    "fr": "Je suis vraiment contente que tu les contactes. C'est un vrai pas, et tu n'as pas "
    "besoin de trouver les bons mots pour le faire.",
    "es": "Me alegra de verdad que vayas a contactar con ellos. Es un paso importante, y no "
    "necesitas tener las palabras perfectas para hacerlo.",
    "nl": "Ik ben echt blij dat je contact met ze opneemt. Dat is een sterke stap, en je hoeft "
    "daar niet de juiste woorden voor te hebben.",
}


def seeking_help(state: RiskState, check: SafetyCheck, text: str, now: datetime) -> bool:
    """Whether ``text``, in a conversation whose risk is raised, says the person will reach out
    (or did): "i think i'll call them tomorrow" after the lines. A review found it answered
    with a second full crisis reply, because the classifier read it as risk; it deserves a warm
    acknowledgement (with the lines again). Never when the rules read risk in the words
    ("i'll call them but i want to die"), beside a refusal, a goodbye or a last time ("call my
    mum to say goodbye"), in a long message, or with a means or overdose signal: then the
    screen's own answer stands."""
    if not elevated(state, now) or "rules" in check.sources:
        return False
    base = normalise_base(text[:4000])
    if len(base.split()) > HELP_SEEKING_MAX_WORDS or _not_help_seeking().search(base):
        return False
    if context_signals(text) & {"means", "taken", "join_deceased"}:
        return False
    return _help_seeking().search(base) is not None


def help_seeking_reply(country: str | None, language: str | None = None) -> str:
    """The answer to a plan to reach out: glad, then the lines once more, in ``language``
    (the same lines and emergency line as the goodbye's, ``safety.before_you_go``)."""
    lang = language if language in LANGUAGES else "en"
    texts: dict[str, str] = load_toml("risk_taxonomy.toml")["text"][lang]
    listed = bulleted_helplines(country, ("crisis",), lang, emergency_led=False)
    return f"{_HELP_SEEKING_ACK[lang]}\n\n{texts['check_in_again']}\n{listed}"


def raised_language(state: RiskState, text: str, now: datetime) -> str | None:
    """The language other than English to answer ``text`` in while the conversation's risk is
    raised, or None (English, or not raised). A message clearly in German, French, Spanish or
    Dutch; or one that leans no more to English than to the language the conversation's
    flag was in ("merci de m'écouter", "grapje hoor haha" after a French or Dutch flag: too
    short for the everyday reply's language test, which then answered in English)."""
    if not elevated(state, now):
        return None
    return _language_leaning(text, state.language)


def _language_leaning(text: str, earlier: str | None) -> str | None:
    """The language other than English ``text`` is in: one it is clearly in, or ``earlier``
    (the conversation's language so far) when ``text`` leans no more to English than to it;
    None otherwise (English, or too unclear)."""
    found = other_language(text)
    if found in LANGUAGES and found != "en":
        return found
    if earlier in LANGUAGES and earlier != "en" and found is None:
        scores = language_scores(text)
        if scores.get(earlier, 0.0) >= scores.get("en", 0.0):
            return earlier
    return None


def gentle_line(language: str) -> str:
    """A short gentle line in ``language`` for a raised conversation's ordinary message there
    (the everyday replies are English): "I'm here, and I'm listening" (``closing`` in
    ``risk_taxonomy.toml``), nothing cheerful, no question."""
    lang = language if language in LANGUAGES else "en"
    return str(load_toml("risk_taxonomy.toml")["text"][lang]["closing"])


def mark_signed_off(state: RiskState, now: datetime) -> RiskState:
    """The state once a goodbye has carried the lines (not again in this episode)."""
    return replace(state, signed_off_at=now)


def recently_asked(state: RiskState, now: datetime) -> bool:
    """Whether the bot asked the direct question within :data:`ANSWER_WINDOW` (a reply to
    its answer must not ask it again)."""
    return _within(state.asked_at, now, ANSWER_WINDOW)


def end_answer_window(state: RiskState) -> RiskState:
    """The state once the bot has asked something else (a command's "Are you sure?" with
    choices): a "yes" after that answers the new question, not the one about suicide (a review
    found a typed "yes" at /forget's prompt read as one and answered with the crisis reply)."""
    return replace(state, asked_at=None) if state.asked_at is not None else state


def mark_asked(
    state: RiskState, asked_at: datetime | None = None, language: str | None = None
) -> RiskState:
    """The state once the reply has answered the pending note (cleared); ``asked_at``: when
    the reply asked the direct question about suicide, if it did (None keeps the last time),
    and ``language`` the language it asked in."""
    if asked_at is None:
        return replace(state, ask_directly=None)
    return replace(state, ask_directly=None, asked_at=asked_at, language=language or state.language)


_WHAT: dict[RiskCategory, str] = {
    RiskCategory.IMMEDIATE_DANGER: "being in danger right now",
    RiskCategory.HARM_TO_OTHERS: "wanting to hurt someone",
    RiskCategory.SUICIDAL_IDEATION: "thoughts of not wanting to be alive",
    RiskCategory.FAREWELL: "saying goodbye",
    RiskCategory.ABUSE: "someone hurting you",
    RiskCategory.PSYCHOSIS: "voices telling you to do things",
    RiskCategory.SELF_HARM: "hurting yourself",
    RiskCategory.EATING_DISORDER: "a hard time with eating",
}


def _listed(things: list[str]) -> str:
    return things[0] if len(things) == 1 else ", ".join(things[:-1]) + " and " + things[-1]


def explain(state: RiskState, now: datetime | None = None) -> str:
    """A few plain sentences for /why: whether attune is being careful and because of what
    (categories named in everyday words, never the person's own message).

    Honest about the source: what the rules recognised in the person's words is "you
    mentioned …"; what only the learned classifier or the conversation context raised is the
    safety check's reading ("my safety check read your messages as possibly about …"), with an
    invitation to say if it got that wrong."""
    if not state.categories or (now is not None and not elevated(state, now)):
        return "Nothing you've said recently made me worried for your safety."
    order = list(_WHAT)
    ranked = sorted(state.categories, key=order.index)
    said = [_WHAT[c] for c in ranked if c in state.worded]
    read = [_WHAT[c] for c in ranked if c not in state.worded]
    when = "recently"
    if now is not None and state.raised_at is not None:
        hours = int((now - state.raised_at).total_seconds() // 3600)
        when = "within the last hour" if hours < 1 else f"about {hours} hours ago"
    how = (
        "the way our conversation went"
        if "model" not in state.sources and "context" in state.sources
        else "your messages"
    )
    reading = f"my safety check read {how} as possibly about {_listed(read)}" if read else ""
    if said:
        because = f"{when} you mentioned {_listed(said)}"
        because += f", and {reading}" if reading else ""
    else:
        because = f"{when} {reading}"
    unsure = " If I got that wrong, tell me." if read else ""
    tail = (
        " You said it was nothing, but I'd rather check in gently for a while."
        if (state.retracted_at is not None)
        else ""
    )
    return (
        f"I'm being careful with my replies because {because}, "
        f"and I want to make sure you're okay.{unsure}{tail}"
    )
