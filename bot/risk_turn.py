"""One turn's risk decisions: which answer the conversation's risk calls for, and the state after.

The core (``bot.core``) screens a message first, before any storage, then calls these in
order: :func:`open_turn` folds the screen into the conversation's risk state
(``responses.risk_state``), :func:`answer_kind` says which answer that calls for, and
:func:`crisis_answer` (no reply is composed) or :func:`composed_answer` (after the everyday
reply was composed, which it may keep, add to or replace) gives the :class:`Decision`: the
check to act on and store, the state to store, the reply's text, tone and reply id, and whether
it goes privately. Composing, storing, notes and logging stay in the core (its log lines keep
their logger); nothing here does I/O or awaits, and the only randomness is the crisis lead
drawn from the caller's ``rng``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.explain import CHECK_IN_TONE, HELPER_TONE
from bot.risk import Screened
from emotion.labels import Emotion, EmotionEstimate
from responses import bank, risk_state, safety
from responses.risk import RiskCategory
from responses.risk_state import RiskState

#: The tone stored with an entry that got the crisis reply.
CRISIS_TONE = "crisis"
#: The tone stored with an entry that got the answer to a plan to reach out.
HELP_SEEKING_TONE = "help_seeking"

#: Readings that count as distress for the risk state (a loss then a question about means).
_DISTRESS = frozenset({Emotion.SAD, Emotion.FEAR, Emotion.ANGRY})

#: Which answer a turn gets: the crisis reply; the acknowledgement of a plan to reach out; what
#: to do while waiting for help, to a helper's follow-up (someone else is in danger now); the
#: reply to someone asking how to help another person; the classifier's check-in; or the
#: composed everyday reply (which the risk state may still make a gentle line in the person's
#: language, end with the direct question, or replace with the lines before a goodbye).
AnswerKind = Literal["crisis", "help_seeking", "helper_waiting", "helper", "check_in", "everyday"]


def distressed(estimate: EmotionEstimate | None) -> bool:
    """Whether the words read as sadness, fear or anger (the risk state's distress signal).
    None (nothing was read) is not distress."""
    return estimate is not None and estimate.top in _DISTRESS


def asked_at(reply_text: str, check: safety.SafetyCheck, now: datetime) -> datetime | None:
    """``now`` when the reply asks the direct question about suicide (in ``check.language``;
    then a yes answers it: ``risk_state.advance``), else None."""
    return now if safety.direct_question(check.language) in reply_text else None


def mark_reply_asked(
    state: RiskState, reply_text: str, check: safety.SafetyCheck, now: datetime
) -> RiskState:
    """``state`` once ``reply_text`` (a crisis reply or a check-in) was sent: the pending note
    cleared, and the question's time and language kept when the reply asked it."""
    return risk_state.mark_asked(state, asked_at(reply_text, check, now), check.language)


def crisis_text(
    check: safety.SafetyCheck,
    country: str | None,
    *,
    recent_ids: list[str],
    rng: random.Random,
    ask: bool = True,
) -> str:
    """The whole crisis reply for ``check``: a lead from the bank's crisis set not among
    ``recent_ids`` (drawn with ``rng``), then ``safety.crisis_response`` for ``country`` (ISO
    code; None: the international lines). ``ask=False`` leaves out the direct question."""
    lead = bank.pick(bank.ReplySet.CRISIS, bank.ReplyContext(), recent_ids, rng)
    return safety.crisis_response(check, country, lead=lead.text, ask=ask)


@dataclass(frozen=True, slots=True)
class Opening:
    """A message's screen folded into the conversation's risk state, before any reply.

    ``before``: the stored state; ``state``: after this message (``risk_state.advance``);
    ``check``: the check to act on (the screen's, raised by context, or cleared for a plan to
    reach out); ``watch``: what only the classifier saw (answered with a check-in);
    ``seeking``: the message is a plan to reach out; ``private``: a private chat; ``now``:
    the turn's time (timezone-aware UTC); ``helping``: the message is a follow-up of someone
    who told that another person is in danger now (``risk_state.helping``), answered with
    what to do while they wait.
    """

    before: RiskState
    state: RiskState
    check: safety.SafetyCheck
    watch: frozenset[RiskCategory]
    seeking: bool
    private: bool
    now: datetime
    helping: bool = False

    @property
    def raised(self) -> bool:
        """Whether the state asks for careful replies here. Private stays private: in a group
        the state raised by what they said elsewhere must not shape the reply ("I'm listening.
        What's the hardest part?" to "who's up for pizza?", "glad you're back ... since we
        last talked" to "good morning all" told the group something was said); the group
        message's own screen still does."""
        return self.private and risk_state.elevated(self.state, self.now)

    @property
    def careful(self) -> bool:
        """Whether the composed reply keeps to the gentle, reviewed bank replies: the state is
        raised here, or the classifier is unsure about this message."""
        return self.raised or bool(self.watch)


def open_turn(
    before: RiskState,
    screened: Screened,
    *,
    text: str,
    distress: bool,
    now: datetime,
    private: bool,
) -> Opening:
    """Fold one screened message into the conversation's risk state: distress, then a question
    about means, escalates; a retraction does not clear it (``responses.risk_state``).

    ``before``: the stored state; ``screened``: the message's screen; ``text``: the cleaned
    message (read, never stored here); ``distress``: :func:`distressed` of its reading;
    ``now``: timezone-aware; ``private``: a private chat. Never raises on odd text.
    """
    check, watch = screened.check, screened.watch
    # "i think i'll call them tomorrow" after the lines: what only the classifier read as
    # risk is a plan to reach out; it is acknowledged, not answered with the crisis reply
    # again (risk the rules read in the words always keeps the crisis reply).
    # "ok i called 911, they are coming" after "my friend just took a whole bottle of pills":
    # the helper's situation, not the writer's own risk (a review found it answered with
    # "move away from anything you could hurt yourself with", then asked whether they were
    # suicidal). What only the classifier read is cleared; the writer's own words flagged by
    # the rules keep the crisis reply (risk_state.helping).
    helping = risk_state.helping(before, check, now, private=private)
    seeking = not helping and private and risk_state.seeking_help(before, check, text, now)
    if seeking or helping:
        check, watch = safety.make_check((), language=check.language), frozenset()
    state, check = risk_state.advance(
        before, check, text=text, distress=distress, now=now, private=private
    )
    return Opening(before, state, check, watch, seeking, private, now, helping)


def answer_kind(opening: Opening) -> AnswerKind:
    """Which answer ``opening`` calls for, first match wins: a flagged check gets the crisis
    reply (also a helper's follow-up that the context raised as the writer's own risk: "i
    have a plan" after their suicidal talk); then a helper's follow-up, a plan to reach out,
    a question about someone else's risk, what only the classifier saw; else the everyday
    reply."""
    if opening.check.flagged:
        return "crisis"
    if opening.helping:
        return "helper_waiting"
    if opening.seeking:
        return "help_seeking"
    if opening.check.about_someone_else:
        return "helper"
    if opening.watch:
        return "check_in"
    return "everyday"


@dataclass(frozen=True, slots=True)
class Decision:
    """What one turn answers, as the risk decided it.

    ``check``: the final check (stored as the entry's ``crisis`` when flagged; a flagged reply
    goes before any notes); ``state``: the risk state to store (when it differs from the stored
    one); ``text``, ``tone``, ``reply_id``: the reply and what is stored with it (``reply_id``
    None for replies not from the bank); ``private``: the reply goes to the person privately,
    not to the chat it came from; ``kind``: which answer it is (:func:`answer_kind`).
    """

    check: safety.SafetyCheck
    state: RiskState
    text: str
    tone: str
    reply_id: str | None
    kind: AnswerKind
    private: bool = False


def crisis_answer(
    opening: Opening,
    *,
    country: str | None,
    recent_ids: list[str],
    rng: random.Random,
) -> Decision:
    """The crisis reply for a flagged ``opening`` (:func:`crisis_text`; ``recent_ids``: the
    reply ids used lately, ``rng``: draws the lead), the direct question's time kept when it
    asked it. Private when the flag came only from what they said elsewhere and this is a group
    chat."""
    check, now = opening.check, opening.now
    # Just asked and answered: the reply does not ask the same question again. Only in
    # private: in a group, leaving the question out would tell the group it was asked
    # elsewhere, so the reply there is the one anyone would get.
    ask = not (opening.private and risk_state.recently_asked(opening.before, now))
    text = crisis_text(check, country, recent_ids=recent_ids, rng=rng, ask=ask)
    # Raised only by what they said elsewhere: answer them, not the group.
    private_reply = check.sources == {"context"} and not opening.private
    state = mark_reply_asked(opening.state, text, check, now)
    # Someone else in danger now ("my friend just took a whole bottle of pills"): the reply
    # is the helper's (safety.crisis_response), and /why says so (bot.explain: HELPER_TONE),
    # not that the writer seemed unsafe.
    tone = HELPER_TONE if check.about_someone_else else CRISIS_TONE
    return Decision(check, state, text, tone, None, "crisis", private_reply)


def composed_answer(
    opening: Opening,
    *,
    text: str,
    reply_text: str,
    tone: str,
    reply_id: str | None,
    country: str | None,
) -> Decision:
    """The answer to an unflagged ``opening`` once the everyday reply (``reply_text``,
    ``tone``, ``reply_id``) was composed for ``text``, the cleaned message: kept, or made a
    gentle line in the person's language, or replaced by the answer :func:`answer_kind` names
    (help seeking, helper, check-in); an everyday one may end with the direct question or
    become the lines before a goodbye. ``country``: the helpline country (None: international).
    Raises ValueError for a flagged ``opening`` (that is :func:`crisis_answer`'s).
    """
    kind = answer_kind(opening)
    if kind == "crisis":
        raise ValueError("a flagged check gets crisis_answer, not a composed reply")
    before, state, check, now = opening.before, opening.state, opening.check, opening.now
    private = opening.private
    local = risk_state.raised_language(state, text, now) if opening.raised else None
    if local is not None:
        # The everyday replies are English ("How has today been?" and "I read English
        # best" after "ich will nicht mehr leben"): a gentle line in their language.
        reply_text, reply_id = risk_state.gentle_line(local), None
    if state.ask_directly is not None and private and risk_state.recently_asked(before, now):
        # Just asked (by the crisis reply or a check-in): asking again right after "jk
        # im fine" pushes. The reply stays careful (elevated); the note is dropped.
        state = risk_state.mark_asked(state)
    if kind == "helper_waiting":
        # What to do until help comes, in their language, the emergency number in it (and
        # first when the other person is getting worse); never the direct question to them.
        language = risk_state.helper_language(state, check, text)
        worse = risk_state.getting_worse(text)
        reply_text = risk_state.helper_reply(country, language, worse=worse)
        tone, reply_id = HELPER_TONE, None
    elif kind == "help_seeking":
        language = risk_state.raised_language(state, text, now) or check.language
        reply_text = risk_state.help_seeking_reply(country, language)
        tone, reply_id = HELP_SEEKING_TONE, None
    elif kind == "helper":
        # Someone asking how to help another person at risk: told how, with the lines;
        # never asked whether they themselves are suicidal (safety.crisis_response).
        reply_text = safety.crisis_response(check, country)
        tone, reply_id = HELPER_TONE, None
    elif kind == "check_in":
        # The classifier is unsure: a gentle reply that asks directly and leaves the
        # way to help open, instead of the full crisis answer for a likely look-alike.
        # It replaces the composed reply: a reflection would echo the risk words back.
        reply_text = safety.check_in(
            opening.watch,
            country,
            check.language,
            # As in crisis_answer: in a group, the check-in anyone would get.
            ask=not (private and risk_state.recently_asked(before, now)),
            means=check.means,
        )
        tone, reply_id = CHECK_IN_TONE, None  # /why says it was a check-in
        state = mark_reply_asked(state, reply_text, check, now)
    elif state.ask_directly is not None and private:
        asked_in = local or check.language
        reply_text = f"{reply_text}\n\n{safety.direct_question(asked_in)}"
        state = risk_state.mark_asked(state, now, asked_in)
    elif private and risk_state.signing_off(state, text, now):
        # Private only: in a group the lines would tell others what was said elsewhere.
        # The whole reply: "how has today been?" before a goodbye reads wrong.
        language = state.language or check.language
        reply_text, reply_id = safety.before_you_go(country, language), None
        state = risk_state.mark_signed_off(state, now)
    return Decision(check, state, reply_text, tone, reply_id, kind)
