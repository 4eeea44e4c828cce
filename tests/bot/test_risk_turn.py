"""One turn's risk decisions, without the core: bot/risk_turn.py's pure functions."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.explain import CHECK_IN_TONE, HELPER_TONE
from bot.risk import Screened
from bot.risk_turn import (
    CRISIS_TONE,
    HELP_SEEKING_TONE,
    Decision,
    Opening,
    answer_kind,
    asked_at,
    composed_answer,
    crisis_answer,
    crisis_text,
    distressed,
    open_turn,
)
from emotion.labels import Emotion, EmotionEstimate, Source
from responses import bank, risk_state, safety
from responses.risk import RiskCategory
from responses.risk_state import EMPTY, RiskState

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
COUNTRY = "GB"
#: What the composer answered, as the decisions receive it.
DRAFT = {"reply_text": "How has today been?", "tone": "warm", "reply_id": "warm-3"}
MODEL_ONLY = safety.SafetyCheck(flagged=False, sources=frozenset({"model"}))


def _open(
    text: str,
    before: RiskState = EMPTY,
    *,
    at: datetime = T0,
    private: bool = True,
    screened: Screened | None = None,
    distress: bool = False,
) -> Opening:
    return open_turn(
        before,
        screened or Screened(safety.screen(text)),
        text=text,
        distress=distress,
        now=at,
        private=private,
    )


def _raised(*, language: str = "en", asked: bool = False) -> RiskState:
    """A conversation flagged at T0 ("I want to kill myself"), the question asked or not."""
    state = _open("I want to kill myself").state
    state = replace(state, language=language)
    return risk_state.mark_asked(state, T0, language) if asked else state


def _estimate(top: Emotion) -> EmotionEstimate:
    return EmotionEstimate.from_mapping({top: 0.8, Emotion.NEUTRAL: 0.2}, Source.TEXT, 0.9)


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (Emotion.SAD, True),
        (Emotion.FEAR, True),
        (Emotion.ANGRY, True),
        (Emotion.HAPPY, False),
        (Emotion.NEUTRAL, False),
        (Emotion.DISGUST, False),
    ],
)
def test_sadness_fear_and_anger_are_distress(top: Emotion, expected: bool) -> None:
    assert distressed(_estimate(top)) is expected


def test_nothing_read_is_not_distress() -> None:
    assert not distressed(None)


def test_asked_at_is_now_only_when_the_reply_asks_in_the_checks_language() -> None:
    german = safety.make_check((), language="de")
    asking = f"Danke.\n\n{safety.direct_question('de')}"
    assert asked_at(asking, german, T0) == T0
    assert asked_at("Danke, dass du schreibst.", german, T0) is None
    # The English question in a German conversation is not the question it asked.
    assert asked_at(safety.direct_question("en"), german, T0) is None


def test_the_crisis_text_avoids_a_lead_used_lately() -> None:
    crisis_set = bank.bank()[str(bank.ReplySet.CRISIS)]
    leads = {r.id: r.render({}) for r in crisis_set if not r.slots and not r.needs_photo}
    assert len(leads) > 1
    kept = sorted(leads)[0]
    recent = [i for i in leads if i != kept]
    check = safety.screen("I want to kill myself")
    for seed in range(5):
        text = crisis_text(check, COUNTRY, recent_ids=recent, rng=random.Random(seed))
        assert text == safety.crisis_response(check, COUNTRY, lead=leads[kept])


def test_opening_a_flagged_message_raises_the_state() -> None:
    opening = _open("I want to kill myself")
    assert opening.check.flagged and not opening.seeking
    assert RiskCategory.SUICIDAL_IDEATION in opening.state.categories
    assert opening.before == EMPTY and opening.now == T0
    assert answer_kind(opening) == "crisis"


def test_a_plan_to_reach_out_only_the_classifier_read_is_help_seeking_in_private() -> None:
    text = "i think i'll call them tomorrow"
    unsure = Screened(MODEL_ONLY, watch=frozenset({RiskCategory.SUICIDAL_IDEATION}))
    at = T0 + timedelta(minutes=5)
    opening = _open(text, _raised(), at=at, screened=unsure)
    assert opening.seeking
    assert not opening.check.flagged and not opening.watch  # no crisis reply, no check-in
    assert answer_kind(opening) == "help_seeking"
    # In a group the same words keep the classifier's check-in.
    group = _open(text, _raised(), at=at, screened=unsure, private=False)
    assert not group.seeking and group.watch
    assert answer_kind(group) == "check_in"


def test_risk_the_rules_read_beside_a_plan_to_call_keeps_the_crisis_reply() -> None:
    opening = _open("i'll call them but i want to die", _raised(), at=T0 + timedelta(minutes=5))
    assert not opening.seeking
    assert answer_kind(opening) == "crisis"


def test_distress_then_a_question_about_means_is_a_crisis() -> None:
    first = _open("today was awful", distress=True)
    assert answer_kind(first) == "everyday"
    question = "what time does the last train pass through"
    then = _open(question, first.state, at=T0 + timedelta(hours=1))
    assert answer_kind(then) == "crisis" and "context" in then.check.sources


def _opening(
    check: safety.SafetyCheck,
    *,
    watch: frozenset[RiskCategory] = frozenset(),
    seeking: bool = False,
    state: RiskState = EMPTY,
    private: bool = True,
) -> Opening:
    return Opening(EMPTY, state, check, watch, seeking, private, T0)


def test_the_answer_kind_takes_the_first_that_applies() -> None:
    flagged = safety.make_check({RiskCategory.SUICIDAL_IDEATION})
    helper = safety.make_check((), about_someone_else=True)
    plain = safety.make_check(())
    watch = frozenset({RiskCategory.SELF_HARM})
    assert answer_kind(_opening(flagged, watch=watch, seeking=True)) == "crisis"
    assert answer_kind(_opening(helper, watch=watch, seeking=True)) == "help_seeking"
    assert answer_kind(_opening(helper, watch=watch)) == "helper"
    assert answer_kind(_opening(plain, watch=watch)) == "check_in"
    assert answer_kind(_opening(plain)) == "everyday"


def test_a_raised_state_makes_replies_careful_in_private_only() -> None:
    plain = safety.make_check(())
    assert _opening(plain, state=_raised()).raised
    assert _opening(plain, state=_raised()).careful
    group = _opening(plain, state=_raised(), private=False)
    assert not group.raised and not group.careful
    # The classifier's doubt about this very message is careful anywhere.
    unsure = _opening(plain, watch=frozenset({RiskCategory.SELF_HARM}), private=False)
    assert unsure.careful and not unsure.raised
    assert not _opening(plain).careful


def test_the_crisis_answer_asks_and_remembers_asking() -> None:
    opening = _open("I want to kill myself")
    decision = crisis_answer(opening, country=COUNTRY, recent_ids=[], rng=random.Random(1))
    assert decision.kind == "crisis" and decision.tone == CRISIS_TONE
    assert decision.reply_id is None and not decision.private
    assert decision.check is opening.check
    assert safety.direct_question("en") in decision.text
    assert decision.state.asked_at == T0 and decision.state.language == "en"
    assert decision.state.ask_directly is None


def test_the_crisis_answer_right_after_the_question_does_not_ask_again() -> None:
    at = T0 + timedelta(minutes=10)
    opening = _open("i really want to die", _raised(asked=True), at=at)
    assert opening.check.flagged
    decision = crisis_answer(opening, country=COUNTRY, recent_ids=[], rng=random.Random(1))
    assert safety.direct_question("en") not in decision.text
    assert decision.state.asked_at == T0  # the last time it was asked stands


def test_a_flag_raised_only_by_what_was_said_elsewhere_is_answered_privately() -> None:
    context_only = safety.make_check({RiskCategory.SUICIDAL_IDEATION}, sources=("context",))
    rules = safety.make_check({RiskCategory.SUICIDAL_IDEATION})
    rng = random.Random(1)
    for check, private_chat, expected in [
        (context_only, False, True),
        (context_only, True, False),
        (rules, False, False),
    ]:
        opening = _opening(check, private=private_chat)
        decision = crisis_answer(opening, country=COUNTRY, recent_ids=[], rng=rng)
        assert decision.private is expected, (check.sources, private_chat)


def test_an_everyday_turn_keeps_the_composed_reply() -> None:
    opening = _open("had pasta for dinner")
    decision = composed_answer(opening, text="had pasta for dinner", country=COUNTRY, **DRAFT)
    assert decision.kind == "everyday" and not decision.private
    assert (decision.text, decision.tone, decision.reply_id) == (
        DRAFT["reply_text"],
        DRAFT["tone"],
        DRAFT["reply_id"],
    )
    assert decision.state == opening.state and decision.check is opening.check


def test_a_flagged_opening_is_not_answered_with_a_composed_reply() -> None:
    opening = _open("I want to kill myself")
    with pytest.raises(ValueError):
        composed_answer(opening, text="I want to kill myself", country=COUNTRY, **DRAFT)


def test_the_check_in_replaces_the_composed_reply_and_remembers_asking() -> None:
    watch = frozenset({RiskCategory.SUICIDAL_IDEATION})
    text = "i dont see the point of anything"
    opening = _open(text, screened=Screened(MODEL_ONLY, watch=watch))
    decision = composed_answer(opening, text=text, country=COUNTRY, **DRAFT)
    assert decision.kind == "check_in" and decision.tone == CHECK_IN_TONE
    assert decision.reply_id is None
    assert decision.text == safety.check_in(watch, COUNTRY, opening.check.language)
    assert DRAFT["reply_text"] not in decision.text
    assert decision.state.asked_at == T0


def test_a_check_in_right_after_the_question_does_not_ask_again() -> None:
    watch = frozenset({RiskCategory.SUICIDAL_IDEATION})
    text = "i dont see the point of anything"
    at = T0 + timedelta(minutes=20)
    opening = _open(text, _raised(asked=True), at=at, screened=Screened(MODEL_ONLY, watch=watch))
    decision = composed_answer(opening, text=text, country=COUNTRY, **DRAFT)
    assert decision.kind == "check_in"
    assert safety.direct_question("en") not in decision.text
    assert decision.state.asked_at == T0


def test_someone_asking_how_to_help_gets_the_helper_reply() -> None:
    text = "my sister wants to die and i don't know what to do"
    opening = _open(text)
    assert opening.check.about_someone_else and not opening.check.flagged
    decision = composed_answer(opening, text=text, country=COUNTRY, **DRAFT)
    assert decision.kind == "helper" and decision.tone == HELPER_TONE
    assert decision.reply_id is None
    assert decision.text == safety.crisis_response(opening.check, COUNTRY)
    assert safety.direct_question("en") not in decision.text
    assert decision.state.asked_at is None


def test_a_plan_to_reach_out_is_acknowledged_with_the_lines() -> None:
    text = "i think i'll call them tomorrow"
    unsure = Screened(MODEL_ONLY, watch=frozenset({RiskCategory.SUICIDAL_IDEATION}))
    opening = _open(text, _raised(), at=T0 + timedelta(minutes=5), screened=unsure)
    decision = composed_answer(opening, text=text, country=COUNTRY, **DRAFT)
    assert decision.kind == "help_seeking" and decision.tone == HELP_SEEKING_TONE
    assert decision.reply_id is None and not decision.check.flagged
    assert decision.text == risk_state.help_seeking_reply(COUNTRY, "en")


def test_a_retraction_gets_the_direct_question_after_the_reply_in_private() -> None:
    at = T0 + timedelta(minutes=5)
    opening = _open("jk", _raised(), at=at)
    assert opening.state.ask_directly == "retraction" and not opening.check.flagged
    decision = composed_answer(opening, text="jk", country=COUNTRY, **DRAFT)
    assert decision.kind == "everyday"
    question = safety.direct_question("en")
    assert decision.text == f"{DRAFT['reply_text']}\n\n{question}"
    assert decision.state.ask_directly is None and decision.state.asked_at == at


def test_a_retraction_right_after_the_question_is_not_asked_it_again() -> None:
    opening = _open("jk", _raised(asked=True), at=T0 + timedelta(minutes=5))
    decision = composed_answer(opening, text="jk", country=COUNTRY, **DRAFT)
    assert decision.text == DRAFT["reply_text"]
    assert decision.state.ask_directly is None and decision.state.asked_at == T0


def test_a_pending_question_is_not_asked_in_a_group() -> None:
    pending = replace(_raised(), ask_directly="retraction")
    opening = _opening(safety.make_check(()), state=pending, private=False)
    decision = composed_answer(opening, text="morning all", country=COUNTRY, **DRAFT)
    assert decision.text == DRAFT["reply_text"]
    assert decision.state.ask_directly == "retraction"


def test_an_ordinary_message_in_their_language_gets_the_gentle_line() -> None:
    text = "ich bin heute einfach nur müde und will schlafen"
    opening = _open(text, _raised(language="de"), at=T0 + timedelta(minutes=30))
    assert opening.raised and not opening.check.flagged
    decision = composed_answer(opening, text=text, country=COUNTRY, **DRAFT)
    assert decision.text == risk_state.gentle_line("de")
    assert decision.reply_id is None and decision.tone == DRAFT["tone"]


def test_a_goodbye_while_raised_carries_the_lines_once() -> None:
    at = T0 + timedelta(hours=1)
    opening = _open("ok thanks, bye", _raised(), at=at)
    decision = composed_answer(opening, text="ok thanks, bye", country=COUNTRY, **DRAFT)
    assert decision.text == safety.before_you_go(COUNTRY, "en")
    assert decision.reply_id is None and decision.state.signed_off_at == at
    # The next goodbye in the same episode gets the everyday reply.
    again = _open("bye", decision.state, at=at + timedelta(minutes=1))
    assert composed_answer(again, text="bye", country=COUNTRY, **DRAFT).text == DRAFT["reply_text"]
    # In a group the lines would tell others what was said elsewhere.
    group = _open("ok thanks, bye", _raised(), at=at, private=False)
    assert (
        composed_answer(group, text="ok thanks, bye", country=COUNTRY, **DRAFT).text
        == (DRAFT["reply_text"])
    )


def test_in_a_group_the_crisis_reply_does_not_show_the_question_was_asked_elsewhere() -> None:
    """Leaving the question out in a group would tell the group it was asked in private."""
    asked = _raised(asked=True)
    at = T0 + timedelta(minutes=10)
    rng = random.Random(1)
    fresh = crisis_answer(
        _open("i want to die", at=at, private=False), country=COUNTRY, recent_ids=[], rng=rng
    )
    after_dm = crisis_answer(
        _open("i want to die", asked, at=at, private=False),
        country=COUNTRY,
        recent_ids=[],
        rng=random.Random(1),
    )
    question = safety.direct_question("en")
    assert question in fresh.text
    assert question in after_dm.text
    # In private, just asked: the question is not asked again.
    in_private = crisis_answer(
        _open("i want to die", asked, at=at), country=COUNTRY, recent_ids=[], rng=random.Random(1)
    )
    assert question not in in_private.text


def test_in_a_group_the_check_in_does_not_show_the_question_was_asked_elsewhere() -> None:
    watched = Screened(safety.SafetyCheck(flagged=False), frozenset({RiskCategory.FAREWELL}))
    at = T0 + timedelta(minutes=10)
    replies = [
        composed_answer(
            _open("bye all", before, at=at, private=False, screened=watched),
            text="bye all",
            country=COUNTRY,
            **DRAFT,
        ).text
        for before in (EMPTY, _raised(asked=True))
    ]
    assert replies[0] == replies[1]
    assert safety.direct_question("en") in replies[0]


# --- a helper's follow-ups: someone else is in danger now -------------------------------------

#: What the classifier read in the console's follow-ups (a review found "ok i called 911, they
#: are coming" answered with the writer's check-in: "move away from anything you could hurt
#: yourself with", then "are you thinking about ending your life?").
DANGER_READ = Screened(MODEL_ONLY, watch=frozenset({RiskCategory.IMMEDIATE_DANGER}))
#: The classifier's confident flag on a follow-up (sources model only, nothing worded).
DANGER_FLAGGED = Screened(
    safety.make_check({RiskCategory.IMMEDIATE_DANGER}, sources=("model",)),
)


def _turn(
    text: str,
    before: RiskState,
    *,
    at: datetime,
    screened: Screened | None = None,
    private: bool = True,
    country: str = COUNTRY,
) -> Decision:
    """One whole turn through the pure functions, as the core runs them."""
    opening = _open(text, before, at=at, screened=screened, private=private, distress=True)
    if answer_kind(opening) == "crisis":
        return crisis_answer(opening, country=country, recent_ids=[], rng=random.Random(3))
    return composed_answer(opening, text=text, country=country, **DRAFT)


def _helping(text: str, language: str = "en", country: str = COUNTRY) -> RiskState:
    """The state after a message telling that someone else is in danger now, at T0."""
    decision = _turn(text, EMPTY, at=T0, country=country)
    assert decision.kind == "crisis" and decision.check.about_someone_else
    assert decision.state.helping_at == T0 and decision.state.helping_language == language
    return decision.state


def test_the_console_sequence_gets_the_helper_replies_not_the_writers_crisis() -> None:
    first = _turn("my friend just took a whole bottle of pills", EMPTY, at=T0)
    assert first.kind == "crisis" and first.text.startswith("Call 999 now")
    # The writer is not the one at risk: nothing raised, /why has nothing to say of them, and
    # the entry's /why is the helper's.
    assert first.tone == HELPER_TONE
    assert not first.state.categories and not risk_state.elevated(first.state, T0)
    assert "in danger right now" not in risk_state.explain(first.state, T0)

    called = _turn(
        "ok i called 911, they are coming",
        first.state,
        at=T0 + timedelta(minutes=4),
        screened=DANGER_READ,
    )
    assert called.kind == "helper_waiting" and called.tone == HELPER_TONE
    assert "recovery position" in called.text and "999" in called.text
    assert "hurt yourself" not in called.text
    assert safety.direct_question("en") not in called.text

    wait = _turn(
        "what do i do while i wait",
        called.state,
        at=T0 + timedelta(minutes=6),
        screened=DANGER_FLAGGED,
    )
    assert wait.kind == "helper_waiting" and not wait.check.flagged
    assert "ending your life" not in wait.text
    assert "You're doing the right thing" in wait.text
    assert not wait.text.startswith("Call 999")

    worse = _turn("she is breathing but wont wake up", wait.state, at=T0 + timedelta(minutes=9))
    assert worse.kind == "helper_waiting"
    assert worse.text.startswith("Call 999 again now")
    assert "How are you really feeling" not in worse.text and worse.reply_id is None
    assert not worse.state.categories


def test_the_german_sequence_is_answered_in_german_with_the_german_number() -> None:
    state = _helping("meine freundin hat gerade eine ganze packung tabletten genommen", "de", "DE")
    called = _turn(
        "ok ich hab den notruf angerufen, sie kommen",
        state,
        at=T0 + timedelta(minutes=3),
        screened=DANGER_READ,
        country="DE",
    )
    assert called.kind == "helper_waiting"
    assert "stabile Seitenlage" in called.text and "112" in called.text
    # "ok": too short to tell; answered in the episode's language.
    ok = _turn("ok", called.state, at=T0 + timedelta(minutes=5), country="DE")
    assert ok.kind == "helper_waiting" and ok.text.startswith("Du machst das Richtige")
    worse = _turn(
        "sie atmet aber wird nicht wach", ok.state, at=T0 + timedelta(minutes=7), country="DE"
    )
    assert worse.text.startswith("Ruf jetzt noch einmal die 112 an")


def test_the_writers_own_risk_in_a_follow_up_still_gets_the_crisis_reply() -> None:
    state = _helping("my friend just took a whole bottle of pills")
    own = _turn(
        "i cant do this anymore, i want to kill myself", state, at=T0 + timedelta(minutes=5)
    )
    assert own.kind == "crisis" and own.tone == CRISIS_TONE
    assert safety.direct_question("en") in own.text
    assert RiskCategory.SUICIDAL_IDEATION in own.state.categories
    assert risk_state.elevated(own.state, T0 + timedelta(minutes=5))


def test_a_group_chat_gets_no_helper_follow_up_from_a_private_episode() -> None:
    state = _helping("my friend just took a whole bottle of pills")
    group = _turn(
        "what do i do while i wait",
        state,
        at=T0 + timedelta(minutes=5),
        private=False,
        screened=DANGER_READ,
    )
    assert group.kind == "check_in"
    assert "recovery position" not in group.text
    plain = _turn("what do i do while i wait", state, at=T0 + timedelta(minutes=5), private=False)
    assert plain.kind == "everyday" and plain.text == DRAFT["reply_text"]


def test_the_helper_follow_ups_end_after_the_window() -> None:
    state = _helping("my friend just took a whole bottle of pills")
    later = T0 + risk_state.HELPER_WINDOW + timedelta(minutes=1)
    decision = _turn("what do i do while i wait", state, at=later)
    assert decision.kind == "everyday" and decision.state.helping_at is None


def test_a_means_question_while_helping_is_not_the_writers_risk() -> None:
    # Distress was read in the helper's message; a question about pills is about the friend.
    # (Only the context reads it as means: the rules flag nothing in the words.)
    text = "how many of those pills would be dangerous"
    assert not safety.screen(text).flagged
    state = _helping("my friend just took a whole bottle of pills")
    decision = _turn(text, state, at=T0 + timedelta(minutes=5))
    assert decision.kind == "helper_waiting" and not decision.state.categories
    # Without the episode, the same question after distress is the writer's (means after
    # distress), so the test above reads the episode, not the words.
    distressed_only = replace(EMPTY, last_distress_at=T0)
    assert _turn(text, distressed_only, at=T0 + timedelta(minutes=5)).kind == "crisis"
