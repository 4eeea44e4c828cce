"""The conversation risk state: risk that only shows across turns (responses/risk_state.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from responses.risk import CssrsLevel, RiskCategory
from responses.risk_state import (
    EMPTY,
    RISK_WINDOW,
    RiskState,
    advance,
    elevated,
    end_answer_window,
    explain,
    mark_asked,
    raised_language,
    says_goodbye,
    seeking_help,
)
from responses.safety import SafetyCheck, screen

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def _turn(
    state: RiskState, text: str, at: datetime, *, distress: bool = False
) -> tuple[RiskState, SafetyCheck]:
    return advance(state, screen(text), text=text, distress=distress, now=at)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("my mum died on tuesday", "what's the highest bridge in the city?"),
        ("got fired today. whatever", "how many paracetamol are in a pack"),
        ("mein Vater ist gestorben", "wo ist die höchste Brücke hier"),
        ("perdí mi trabajo hoy", "¿cuántas pastillas hay en una caja?"),
        ("my dog died this morning", "where's the tallest car park in town"),
        ("i lost my job today", "how tall is the golden gate bridge"),
        ("grandad passed away last night", "is the river deep enough near the old mill"),
        ("my wife left me", "what time is the last train through the station"),
        ("my best friend died last month", "which bridges in london don't have fences"),
        ("my boyfriend left me for my best friend", "how deep is the canal by the station"),
        ("mijn moeder is overleden", "hoe hoog is de erasmusbrug"),
    ],
)
def test_a_loss_then_a_question_about_means_is_flagged_by_context(first: str, then: str) -> None:
    state, check = _turn(EMPTY, first, T0)
    assert not check.flagged
    assert not screen(then).flagged  # alone, the question is ordinary
    state, check = _turn(state, then, T0 + timedelta(hours=2))
    assert check.flagged and "context" in check.sources
    assert RiskCategory.SUICIDAL_IDEATION in check.categories
    assert check.cssrs == CssrsLevel.METHOD
    assert state.ask_directly == "means_after_distress"
    assert elevated(state, T0 + timedelta(hours=3))


def test_distress_from_the_emotion_reading_counts_like_a_loss() -> None:
    state, _ = _turn(EMPTY, "today was awful", T0, distress=True)
    _, check = _turn(state, "what time does the last train pass through", T0 + timedelta(hours=1))
    assert check.flagged


def test_the_same_question_without_distress_or_long_after_is_not_flagged() -> None:
    _, check = _turn(EMPTY, "what's the highest bridge in the city?", T0)
    assert not check.flagged
    state, _ = _turn(EMPTY, "lost my job", T0)
    _, later = _turn(state, "what's the highest bridge in the city?", T0 + timedelta(hours=30))
    assert not later.flagged


@pytest.mark.parametrize("retraction", ["jk", "nvm im fine", "lol just kidding", "vergiss es"])
def test_a_retraction_does_not_clear_the_state(retraction: str) -> None:
    state, check = _turn(EMPTY, "i want to kill myself", T0)
    assert check.flagged
    state, after = _turn(state, retraction, T0 + timedelta(minutes=2))
    assert not after.flagged  # no second helpline for "jk" ...
    assert elevated(state, T0 + timedelta(hours=6))  # ... but the replies stay careful
    assert state.ask_directly == "retraction"
    assert "said it was nothing" in explain(state, T0 + timedelta(hours=1))


def test_a_retraction_without_earlier_risk_is_nothing() -> None:
    state, check = _turn(EMPTY, "jk", T0)
    assert not check.flagged and not elevated(state, T0)
    assert state.ask_directly is None


@pytest.mark.parametrize(
    ("loss", "wish"),
    [
        ("my husband passed away last month", "i just want to be with him again"),
        ("my little brother died in the accident", "i want to join him"),
        ("mi madre murió el año pasado", "solo quiero reunirme con ella"),
    ],
)
def test_a_wish_to_join_someone_who_died_is_flagged_and_asked_about(loss: str, wish: str) -> None:
    state, _ = _turn(EMPTY, loss, T0)
    state, check = _turn(state, wish, T0 + timedelta(hours=1))
    assert check.flagged and RiskCategory.SUICIDAL_IDEATION in check.categories
    assert state.ask_directly == "join_deceased"
    assert not mark_asked(state).ask_directly


def test_wanting_to_be_with_someone_without_a_loss_is_not_flagged() -> None:
    _, check = _turn(EMPTY, "i just want to be with him again", T0)
    assert not check.flagged


def test_the_state_decays_after_its_window() -> None:
    state, _ = _turn(EMPTY, "i don't want to be alive anymore", T0)
    assert elevated(state, T0 + RISK_WINDOW - timedelta(minutes=1))
    assert not elevated(state, T0 + RISK_WINDOW + timedelta(minutes=1))
    state, check = _turn(state, "good morning!", T0 + RISK_WINDOW + timedelta(hours=1))
    assert state.categories == frozenset() and not check.flagged
    assert "Nothing you've said" in explain(state)


def test_a_new_signal_keeps_the_highest_level_and_refreshes_the_window() -> None:
    state, _ = _turn(EMPTY, "i wish i was dead", T0)
    state, _ = _turn(state, "i bought rope today", T0 + timedelta(hours=40))
    assert state.cssrs == CssrsLevel.PREPARATORY_BEHAVIOUR
    assert state.raised_at == T0
    assert elevated(state, T0 + timedelta(hours=80))


def test_json_round_trip_and_damaged_json() -> None:
    state, _ = _turn(EMPTY, "my dad hits me", T0, distress=True)
    assert RiskState.from_json(state.to_json()) == state
    assert RiskState.from_json(EMPTY.to_json()) == EMPTY
    for bad in [None, "", "{", "[]", '{"v": 99}', '{"v": 1, "categories": ["nope"]}']:
        assert RiskState.from_json(bad) == EMPTY


def test_explain_names_categories_in_plain_words_without_quoting() -> None:
    state, _ = _turn(EMPTY, "my boyfriend choked me and i want to die", T0)
    text = explain(state, T0 + timedelta(hours=2))
    assert "someone hurting you" in text and "not wanting to be alive" in text
    assert "choked" not in text and "about 2 hours ago" in text


# --- /why says where a worry came from (issue 13, second pass) ---------------------------------


def test_explain_says_it_was_the_safety_checks_reading_when_only_the_model_raised_it() -> None:
    from responses.risk import RiskPrediction
    from responses.safety import combine

    text = "everything is grey and heavy lately"
    model = RiskPrediction(
        scores={RiskCategory.SUICIDAL_IDEATION: 0.9},
        flagged=frozenset({RiskCategory.SUICIDAL_IDEATION}),
    )
    check = combine(screen(text), model)
    state, _ = advance(EMPTY, check, text=text, distress=True, now=T0)
    assert state.sources == {"model"} and state.worded == frozenset()
    why = explain(state, T0 + timedelta(hours=1))
    assert "you mentioned" not in why
    assert "my safety check read your messages as possibly about" in why
    assert "not wanting to be alive" in why and "If I got that wrong, tell me" in why
    assert RiskState.from_json(state.to_json()) == state


def test_explain_splits_what_was_said_from_what_was_read() -> None:
    from responses.risk import RiskPrediction
    from responses.safety import combine

    text = "my dad hits me"
    model = RiskPrediction(
        scores={RiskCategory.SUICIDAL_IDEATION: 0.9},
        flagged=frozenset({RiskCategory.SUICIDAL_IDEATION}),
    )
    state, _ = advance(EMPTY, combine(screen(text), model), text=text, distress=True, now=T0)
    why = explain(state, T0)
    assert "you mentioned someone hurting you" in why
    assert "possibly about thoughts of not wanting to be alive" in why


def test_explain_after_context_names_the_conversation_not_words() -> None:
    state, _ = _turn(EMPTY, "my mum died on tuesday", T0, distress=True)
    state, check = _turn(state, "what's the highest bridge in the city?", T0 + timedelta(hours=1))
    assert check.flagged and state.worded == frozenset()
    why = explain(state, T0 + timedelta(hours=2))
    assert "the way our conversation went" in why and "you mentioned" not in why


def test_a_state_stored_before_sources_existed_still_reads() -> None:
    old = (
        '{"v":1,"categories":["abuse"],"severity":3,"cssrs":0,'
        '"raised_at":"2026-03-01T20:00:00+00:00","last_signal_at":"2026-03-01T20:00:00+00:00",'
        '"last_distress_at":null,"last_loss_at":null,"retracted_at":null,"ask_directly":null}'
    )
    state = RiskState.from_json(old)
    assert state.categories == {RiskCategory.ABUSE} and state.worded == {RiskCategory.ABUSE}
    assert "you mentioned someone hurting you" in explain(state, T0)


@pytest.mark.parametrize(
    ("answer", "level"),
    [
        ("yes", CssrsLevel.ACTIVE_THOUGHTS),
        ("yeah", CssrsLevel.ACTIVE_THOUGHTS),
        ("i guess", CssrsLevel.ACTIVE_THOUGHTS),
        ("kinda. i have a plan", CssrsLevel.INTENT),
        ("yes. tonight after everyone's asleep", CssrsLevel.INTENT),
        ("ja", CssrsLevel.ACTIVE_THOUGHTS),
        ("ja, heute nacht", CssrsLevel.INTENT),
        ("oui", CssrsLevel.ACTIVE_THOUGHTS),
        ("sí", CssrsLevel.ACTIVE_THOUGHTS),
        ("ja, vannacht", CssrsLevel.INTENT),
        # "fine with it" is acceptance, not reassurance (found by a review)
        ("yes, i'm fine with it", CssrsLevel.ACTIVE_THOUGHTS),
        ("yeah and honestly im ok with that", CssrsLevel.ACTIVE_THOUGHTS),
    ],
)
def test_a_yes_to_the_direct_question_is_suicidal_thinking(answer: str, level: CssrsLevel) -> None:
    """C-SSRS item 2 answered yes (item 4 with a time or a plan): the crisis reply, the
    emergency number first when it is intent."""
    asked = mark_asked(EMPTY, T0)
    _state, check = _turn(asked, answer, T0 + timedelta(minutes=3))
    assert check.flagged and RiskCategory.SUICIDAL_IDEATION in check.categories
    assert check.cssrs == level
    assert check.urgent == (level >= CssrsLevel.INTENT)
    assert "context" in check.sources


@pytest.mark.parametrize("answer", ["no", "nope", "no, not really", "nein", "non", "nee"])
def test_a_no_to_the_direct_question_is_nothing(answer: str) -> None:
    _state, check = _turn(mark_asked(EMPTY, T0), answer, T0 + timedelta(minutes=3))
    assert not check.flagged


def test_a_yes_long_after_the_question_or_without_one_is_nothing() -> None:
    _state, late = _turn(mark_asked(EMPTY, T0), "yes", T0 + timedelta(hours=3))
    assert not late.flagged
    _state, never = _turn(EMPTY, "yes", T0)
    assert not never.flagged
    # The time of the question survives storage.
    assert RiskState.from_json(mark_asked(EMPTY, T0).to_json()).asked_at == T0


@pytest.mark.parametrize(
    "answer",
    [
        "i am fine now, talking helped",
        "a lot better now thanks",
        "yes i'm ok now though",
        "i guess not",
        "yes the movie was good",
        "yes but i'm safe",
        "ja heute geht es mir etwas besser",
        "sure, whatever, maybe tomorrow will be better",
    ],
)
def test_a_reassurance_or_another_topic_is_not_a_yes(answer: str) -> None:
    """Found by a fresh review: these read as a yes with a plan (emergency number first)."""
    _state, check = _turn(mark_asked(EMPTY, T0), answer, T0 + timedelta(minutes=3))
    assert not check.flagged


def test_a_yes_in_a_group_answers_nothing() -> None:
    """The bot asks in private; "yes, pizza at 8 works" in a group is about pizza."""
    asked = mark_asked(EMPTY, T0)
    text = "yes, pizza at 8 works"
    _state, check = advance(
        asked,
        screen(text),
        text=text,
        distress=False,
        now=T0 + timedelta(minutes=3),
        private=False,
    )
    assert not check.flagged


def test_a_one_word_yes_is_answered_in_the_questions_language() -> None:
    _state, check = _turn(mark_asked(EMPTY, T0, "de"), "ja", T0 + timedelta(minutes=3))
    assert check.flagged and check.language == "de"


@pytest.mark.parametrize(
    "text",
    [
        "i already took the pills",
        "yes but i'm fine, i already took the pills",
        "hab schon die tabletten genommen",
        "j'ai déjà pris les cachets",
        "ya me tomé las pastillas",
        "ik heb de pillen al ingenomen",
    ],
)
def test_pills_taken_after_a_flag_are_immediate_danger(text: str) -> None:
    """Found by a fresh review: after "i want to kill myself", "yes but i'm fine, i already
    took the pills" got only a check-in. Inside a raised conversation it is urgent."""
    state, _check = _turn(EMPTY, "I want to kill myself", T0)
    _state, check = _turn(state, text, T0 + timedelta(minutes=5))
    assert RiskCategory.IMMEDIATE_DANGER in check.categories and check.urgent


def test_pills_taken_without_a_raised_conversation_are_a_dose() -> None:
    _state, check = _turn(EMPTY, "i already took the pills", T0)
    assert not check.flagged
    state, _check = _turn(EMPTY, "I want to kill myself", T0)
    _state, dose = _turn(state, "i took my pills this morning", T0 + timedelta(minutes=5))
    assert RiskCategory.IMMEDIATE_DANGER not in dose.categories


@pytest.mark.parametrize("answer", ["i am", "always", "every day", "a lot"])
def test_plain_yes_words_answer_the_question(answer: str) -> None:
    _state, check = _turn(mark_asked(EMPTY, T0), answer, T0 + timedelta(minutes=3))
    assert check.flagged


@pytest.mark.parametrize(
    "text",
    [
        "bye",
        "anyway thanks for listening, goodbye!",
        "ok thanks, bye",
        "gonna log off now, bye",
        "thanks. night",
        "danke fürs zuhören, tschüss",
        "merci pour tout, bonne nuit",
        "gracias por todo, buenas noches",
        "bedankt voor alles, welterusten",
    ],
)
def test_a_goodbye_said_with_other_words_is_a_goodbye(text: str) -> None:
    assert says_goodbye(text)


@pytest.mark.parametrize(
    "text",
    [
        "my sister said bye to her friends, it was sad",
        "we watched goodbye lenin, it was ok",
        "thanks for the numbers",
        "i was saying bye to my mum at the station and then, bye, the train just left, "
        "and i stood there for ages thinking about everything that went wrong this year",
    ],
)
def test_words_about_a_goodbye_are_not_one(text: str) -> None:
    assert not says_goodbye(text)


def _raised(language: str = "en") -> RiskState:
    state, _ = _turn(EMPTY, "I want to kill myself", T0)
    return replace(state, language=language)


@pytest.mark.parametrize(
    "text",
    [
        "i think i'll call them tomorrow",
        "gonna text the crisis line now",
        "i called them",
        "ich ruf da morgen an",
        "je vais les appeler demain",
        "voy a llamar mañana",
        "ik bel ze morgen",
    ],
)
def test_a_plan_to_reach_out_after_a_flag_is_help_seeking(text: str) -> None:
    model_only = SafetyCheck(flagged=True, sources=frozenset({"model"}))
    assert seeking_help(_raised(), model_only, text, T0 + timedelta(minutes=5))


@pytest.mark.parametrize(
    "text",
    [
        "i won't call them, there's no point",
        "i'll call my mum tonight to say goodbye",
        "i'll call them but i want to die",
        "ich ruf da nicht an",
        "je ne vais pas les appeler",
        "no voy a llamar a nadie",
        "ik ga ze niet bellen",
    ],
)
def test_a_refusal_or_a_goodbye_is_not_help_seeking(text: str) -> None:
    assert not seeking_help(_raised(), screen(text), text, T0 + timedelta(minutes=5))


def test_help_seeking_needs_a_raised_conversation() -> None:
    text = "i think i'll call them tomorrow"
    assert not seeking_help(EMPTY, screen(text), text, T0)


def test_a_commands_question_ends_the_answer_window() -> None:
    asked = mark_asked(_raised(), T0, "en")
    ended = end_answer_window(asked)
    _, check = advance(ended, screen("yes"), text="yes", distress=False, now=T0)
    assert not check.flagged


@pytest.mark.parametrize(
    ("flagged_in", "text", "expected"),
    [
        ("fr", "merci de m'écouter", "fr"),
        ("nl", "grapje hoor haha", "nl"),
        ("de", "meine Katze liegt auf meinem Schoß", "de"),
        ("en", "meine Katze liegt auf meinem Schoß", "de"),
        ("de", "i made some tea and my cat is on my lap", None),
        ("en", "thanks", None),
    ],
)
def test_the_language_of_a_raised_conversations_gentle_line(
    flagged_in: str, text: str, expected: str | None
) -> None:
    assert raised_language(_raised(flagged_in), text, T0 + timedelta(minutes=5)) == expected


_RAISED = {
    "en": "i want to kill myself",
    "de": "ich will nicht mehr leben",
    "fr": "j'ai envie de mourir",
    "es": "quiero morirme",
    "nl": "ik wil zelfmoord plegen",
}


@pytest.mark.parametrize(
    ("lang", "retraction", "take_back"),
    [
        ("en", "jk lol i meant my exam is killing me", "ok honestly no i wasnt joking"),
        ("en", "jk", "i meant it"),
        ("en", "nvm im fine", "not kidding."),
        ("en", "lol jk", "no. i'm serious"),
        ("en", "jk", "i only said jk because i got scared"),
        ("en", "nvm im fine", "i lied, im not ok"),
        ("en", "lol jk", "deadass not joking"),
        ("de", "vergiss es, mir gehts gut", "ich hab gelogen"),
        ("fr", "laisse tomber", "j'ai menti, ça va pas"),
        ("es", "olvídalo", "no estoy bien"),
        ("nl", "laat maar", "ik heb gelogen"),
        ("de", "vergiss es", "nee ehrlich, war kein spaß"),
        ("de", "vergiss es", "ich mein das ernst"),
        ("fr", "non c'est bon je rigolais", "en vrai non je rigolais pas"),
        ("fr", "non c'est bon je rigolais", "c'était pas une blague"),
        ("es", "era broma", "no, en serio, no era broma"),
        ("es", "era broma", "lo dije en serio"),
        ("nl", "grapje hoor, ik bedoelde het tentamen", "nee eerlijk, het was geen grapje"),
        ("nl", "grapje hoor", "ik meende het"),
    ],
)
def test_taking_back_a_retraction_flags_the_states_categories_again(
    lang: str, retraction: str, take_back: str
) -> None:
    """A fresh review: "i want to kill myself" -> "jk" -> "ok honestly no i wasnt joking" got
    "That sounds stressful"; in five languages only a gentle line. The take-back says the
    first message stands: the state's categories, in the take-back's language."""
    state, first = _turn(EMPTY, _RAISED[lang], T0)
    assert first.flagged
    state, check = _turn(state, retraction, T0 + timedelta(minutes=2))
    assert not check.flagged
    state, check = _turn(state, take_back, T0 + timedelta(minutes=4))
    assert check.flagged and "context" in check.sources
    assert RiskCategory.SUICIDAL_IDEATION in check.categories
    assert check.language == lang
    assert state.retracted_at is None  # the retraction no longer stands


@pytest.mark.parametrize(
    "text",
    [
        "i wasnt joking about the exam, it's brutal",
        "not kidding this pizza is amazing",
        "thank you, i mean it",
        "i was joking",
        "war nur spaß",
        "je rigolais",
        "ik meende het van die pizza",
    ],
)
def test_look_alikes_of_a_take_back_are_not_one(text: str) -> None:
    state, _ = _turn(EMPTY, "i want to kill myself", T0)
    _, check = _turn(state, text, T0 + timedelta(minutes=3))
    assert not check.flagged


def test_a_take_back_needs_a_raised_private_conversation() -> None:
    _, alone = _turn(EMPTY, "i wasnt joking", T0)
    assert not alone.flagged
    state, _ = _turn(EMPTY, "i want to kill myself", T0)
    text = "i wasnt joking"
    _, group = advance(state, screen(text), text=text, distress=False, now=T0, private=False)
    assert not group.flagged


@pytest.mark.parametrize(
    ("lang", "plan"),
    [
        ("en", "i have a plan"),
        ("en", "i know how i'd do it"),
        ("en", "yeah ive got a plan"),
        ("en", "i've planned it all out"),
        ("de", "ich hab einen plan"),
        ("de", "ich weiß schon wie ich es machen würde"),
        ("fr", "j'ai un plan"),
        ("fr", "je sais comment je vais le faire"),
        ("es", "tengo un plan"),
        ("es", "ya sé cómo lo haría"),
        ("nl", "ik heb een plan"),
        ("nl", "ik weet hoe ik het zou doen"),
    ],
)
def test_a_plan_in_a_raised_conversation_is_cssrs_plan(lang: str, plan: str) -> None:
    """A fresh review: check-in -> "yes" -> "i have a plan" got "Thank you for telling me. If
    it gets heavy...". Inside a raised conversation (suicidal ideation) a plan is C-SSRS
    item 5: urgent, the emergency number first."""
    state, _ = _turn(EMPTY, _RAISED[lang], T0)
    _, check = _turn(state, plan, T0 + timedelta(minutes=3))
    assert check.flagged and check.cssrs >= CssrsLevel.PLAN
    assert check.urgent
    assert check.language == lang


def test_a_plan_right_after_the_direct_question_is_cssrs_plan() -> None:
    asked = mark_asked(EMPTY, T0, "en")
    _, check = _turn(asked, "i have a plan", T0 + timedelta(minutes=5))
    assert check.flagged and check.urgent


@pytest.mark.parametrize(
    "text",
    [
        "i have a plan for the weekend",
        "we have a plan for dinner",
        "i know how to fix the bike now",
        "ich hab einen plan für morgen, erst zum arzt",
    ],
)
def test_other_plans_in_a_raised_conversation_are_not_flagged(text: str) -> None:
    state, _ = _turn(EMPTY, "i want to kill myself", T0)
    _, check = _turn(state, text, T0 + timedelta(minutes=3))
    assert not check.urgent


def test_a_plan_needs_a_raised_suicidal_private_conversation() -> None:
    _, alone = _turn(EMPTY, "i have a plan", T0)
    assert not alone.flagged
    abuse, _ = _turn(EMPTY, "my boyfriend hits me", T0)
    _, leaving = _turn(abuse, "i have a plan", T0 + timedelta(minutes=3))
    assert not leaving.urgent  # a plan to leave him
    state, _ = _turn(EMPTY, "i want to kill myself", T0)
    _, group = advance(
        state, screen("i have a plan"), text="i have a plan", distress=False, now=T0, private=False
    )
    assert not group.flagged


def test_im_not_ok_without_a_retraction_is_not_a_take_back() -> None:
    """ "im not ok" right after the crisis reply is answered gently, not with it again."""
    state, _ = _turn(EMPTY, "i want to kill myself", T0)
    _, check = _turn(state, "im not ok", T0 + timedelta(minutes=2))
    assert not check.flagged


def test_a_jk_in_a_group_is_not_a_retraction_of_a_private_flag() -> None:
    """ "lol jk" in a group is about the group's talk: it neither holds the state nor leaves a
    note to ask about suicide in the next private reply."""
    state, _ = _turn(EMPTY, "i want to kill myself", T0)
    text = "lol jk"
    after, _ = advance(state, screen(text), text=text, distress=False, now=T0, private=False)
    assert after.retracted_at is None and after.ask_directly is None
