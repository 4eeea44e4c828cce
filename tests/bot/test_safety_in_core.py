"""The crisis screen as the core runs it: categories and languages, the conversation's risk
state, edited messages, the learned classifier's bands and faults, and no celebrating after."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, Reply, UserRef
from bot.explain import CHECK_IN_WHY, CRISIS_WHY, HELPER_WHY
from bot.inference import EmotionService
from bot.risk import RiskScreen
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.text.lexicon import LexiconEstimator
from responses import safety
from responses.risk import RiskCategory, RiskPrediction
from responses.risk_state import RiskState
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)

NO_RISK = RiskPrediction(scores=dict.fromkeys(RiskCategory, 0.0), flagged=frozenset())


@dataclass
class ScriptedClassifier:
    """A classifier whose answer per text is set by the test (others: no risk)."""

    answers: dict[str, RiskPrediction] = field(default_factory=dict)
    delay_s: float = 0.0
    fail: bool = False

    def predict(self, texts: list[str]) -> list[RiskPrediction]:
        if self.fail:
            raise RuntimeError("model crashed")
        if self.delay_s:
            import time

            time.sleep(self.delay_s)
        return [self.answers.get(t, NO_RISK) for t in texts]


@asynccontextmanager
async def _core(
    db_url: str, classifier: ScriptedClassifier | None = None, **options: object
) -> AsyncIterator[Core]:
    engine = create_engine(db_url)
    core = Core(
        Repository(session_factory(engine)),
        EmotionService(LexiconEstimator(), None),
        CoreOptions(**options),  # type: ignore[arg-type]
        rng=random.Random(3),
        risk=RiskScreen(classifier, timeout_s=0.5),
    )
    try:
        yield core
    finally:
        core.risk.close()
        core.emotions.close()
        await core.writes.flush(timeout_s=5.0)
        await engine.dispose()


@pytest.fixture()
async def core(db_url: str) -> AsyncIterator[Core]:
    async with _core(db_url) as core:
        yield core


_ids = iter(range(1, 10_000))


def msg(text: str, user: str = "u1", **kw: object) -> Message:
    kw.setdefault("message_id", str(next(_ids)))
    return Message(
        user=UserRef(Platform.TELEGRAM, user, display_name="Sam"),
        chat_id=f"chat-{user}",
        text=text,
        **kw,  # type: ignore[arg-type]
    )


async def _tone_of_last(core: Core, user: str = "u1") -> str | None:
    found = await core.repository.find_user(UserRef(Platform.TELEGRAM, user))
    assert found is not None
    (entry,) = await core.repository.recent_entries(found.id, 1)
    return entry.tone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I've been making myself throw up after every meal so I don't gain weight", "Beat"),
        ("my stepdad comes into my room at night and says it's our secret", "Childline"),
        ("I'm going to get the knife and hurt him when he gets home", "999"),
    ],
)
async def test_each_category_gets_its_own_help(db_url: str, text: str, expected: str) -> None:
    async with _core(db_url, helpline_country="GB") as core:
        reply = await core.handle(msg(text))
        assert expected in reply.text
        assert await _tone_of_last(core) == "crisis"


async def test_a_german_message_gets_a_german_crisis_reply(db_url: str) -> None:
    async with _core(db_url, helpline_country="DE") as core:
        reply = await core.handle(msg("ich will nicht mehr leben, ich will einfach sterben"))
        assert "0800 111 0 111" in reply.text
        assert "Ich" in reply.text or "ich" in reply.text
        assert "I'm" not in reply.text


async def test_distress_then_a_question_about_means_is_answered_with_help(core: Core) -> None:
    first = await core.handle(
        msg("my dad died last week and I can't stop crying, everything hurts")
    )
    assert "988" not in first.text and "findahelpline" not in first.text
    second = await core.handle(msg("what's the highest bridge in the city?"))
    assert "findahelpline" in second.text  # the international default lines
    found = await core.repository.find_user(UserRef(Platform.TELEGRAM, "u1"))
    assert found is not None
    stored = RiskState.from_json(await core.repository.risk_state(found.id))
    assert RiskCategory.SUICIDAL_IDEATION in stored.categories


async def test_the_same_question_without_distress_is_ordinary(core: Core) -> None:
    reply = await core.handle(
        msg("what's the highest bridge in the city? we're visiting with the kids")
    )
    assert "findahelpline" not in reply.text


async def test_a_retraction_keeps_replies_careful_and_asks_directly(core: Core) -> None:
    crisis = await core.handle(msg("I cut myself again last night"))
    assert "findahelpline" in crisis.text
    assert "ending your life" not in crisis.text  # the self-harm reply does not ask
    after = await core.handle(msg("lol jk forget it im fine"))
    assert "findahelpline" not in after.text
    assert "ending your life" in after.text or "suicide" in after.text.lower()
    assert await _tone_of_last(core) not in {"celebrate", "curious", "small_talk"}
    why = await core.handle(msg("/why"))
    assert "careful" in why.text


async def test_a_yes_to_the_bots_own_question_gets_the_crisis_reply(core: Core) -> None:
    """The check-in asks "are you thinking about ending your life?"; "yes" answers it (a fresh
    review found "yes", "ja", "yes. tonight" answered with small talk)."""
    crisis = await core.handle(msg("I want to kill myself"))
    assert "ending your life" in crisis.text  # the crisis reply asks directly
    yes = await core.handle(msg("yes"))
    assert await _tone_of_last(core) == "crisis"
    assert "findahelpline" in yes.text
    assert "ending your life" not in yes.text  # answered: not asked again
    soon = await core.handle(msg("yes. tonight after everyone's asleep"))
    assert soon.text.startswith("If you are in danger right now")
    no = await core.handle(msg("no, not really", user="u2"))
    assert "findahelpline" not in no.text  # nobody asked u2 anything


async def test_signing_off_after_a_flag_carries_the_lines_once_more(core: Core) -> None:
    await core.handle(msg("i wrote letters to my family today, they will understand"))
    await core.handle(msg("I want to die"))
    bye = await core.handle(msg("ok going to sleep now, see you tomorrow"))
    assert bye.text.startswith("Before you go") and "findahelpline" in bye.text
    again = await core.handle(msg("good night"))
    assert "Before you go" not in again.text  # once per episode, not on every goodbye
    # In a group the lines would tell others what was said in private: not there.
    group = await core.handle(msg("bye all", is_private_chat=False))
    assert "Before you go" not in group.text and "findahelpline" not in group.text
    # Without a raised risk a goodbye is a goodbye.
    plain = await core.handle(msg("ok going to sleep now, see you tomorrow", user="u3"))
    assert "Before you go" not in plain.text and "findahelpline" not in plain.text


async def test_why_after_a_crisis_message_does_not_present_a_mood_reading(core: Core) -> None:
    # The crisis reply goes out before any careful reading; the quick word-list estimate it
    # stores read this very sentence as calm and happy, which /why used to say.
    await core.handle(msg("I want to end my life tonight."))
    why = await core.handle(msg("/why"))
    assert why.text.startswith(CRISIS_WHY)
    assert "calm" not in why.text and "happiness" not in why.text


async def test_why_after_an_abuse_disclosure_does_not_speak_of_ending_a_life(core: Core) -> None:
    """Found by a review: /why told a child who disclosed abuse that they had sounded like
    "thinking about ending your life"; the state's line names what was read."""
    await core.handle(msg("my stepdad comes into my room at night and touches me"))
    why = await core.handle(msg("/why"))
    assert why.text.startswith(CRISIS_WHY)
    assert "ending your life" not in why.text
    assert "someone hurting you" in why.text


async def test_no_celebrating_right_after_a_crisis_message(core: Core) -> None:
    await core.handle(msg("I don't want to be alive anymore"))
    await core.handle(msg("I got the job!!! so happy 🎉"))
    assert await _tone_of_last(core) != "celebrate"


async def test_forget_erases_the_risk_state(core: Core) -> None:
    await core.handle(msg("I want to end my life"))
    found = await core.repository.find_user(UserRef(Platform.TELEGRAM, "u1"))
    assert found is not None
    assert await core.repository.risk_state(found.id) is not None
    await core.repository.forget(UserRef(Platform.TELEGRAM, "u1"))
    assert await core.repository.risk_state(found.id) is None


async def test_an_edit_that_newly_says_crisis_gets_help_once(core: Core) -> None:
    first = await core.handle(msg("I'm fine", message_id="77"))
    assert first.text
    edited = await core.handle(msg("I want to end my life", message_id="77", edited=True))
    assert "findahelpline" in edited.text and not edited.duplicate
    again = await core.handle(msg("I want to end my life tonight", message_id="77", edited=True))
    assert again.duplicate and not again.text


async def test_an_edit_that_flags_nothing_stays_silent(core: Core) -> None:
    await core.handle(msg("I had pasta", message_id="78"))
    edited = await core.handle(msg("I had pasta and salad", message_id="78", edited=True))
    assert edited.duplicate and not edited.text
    found = await core.repository.find_user(UserRef(Platform.TELEGRAM, "u1"))
    assert found is not None
    assert len(await core.repository.recent_entries(found.id, 5)) == 1  # no entry for edits


async def test_an_edit_only_the_unsure_band_sees_gets_the_check_in_once(db_url: str) -> None:
    text = "pills in my hand"  # the rules do not flag it; the classifier is unsure
    unsure = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.IMMEDIATE_DANGER: 0.5},
        flagged=frozenset(),
        watch=frozenset({RiskCategory.IMMEDIATE_DANGER}),
    )
    async with _core(db_url, ScriptedClassifier({text: unsure})) as core:
        await core.handle(msg("ok", message_id="91"))
        edited = await core.handle(msg(text, message_id="91", edited=True))
        assert edited.text.startswith("If you are in danger right now")  # urgent: number first
        again = await core.handle(msg(text, message_id="91", edited=True))
        assert again.duplicate and not again.text
        # The check-in asked; a yes answers it.
        await core.handle(msg("yes"))
        assert await _tone_of_last(core) == "crisis"


async def test_an_edits_check_in_keeps_a_raised_risk_state(db_url: str) -> None:
    """The edit's check-in records its question on the stored state; it must not replace a
    raised state with an empty one (the edited message counts as processed)."""
    text = "pills in my hand"
    unsure = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.IMMEDIATE_DANGER: 0.5},
        flagged=frozenset(),
        watch=frozenset({RiskCategory.IMMEDIATE_DANGER}),
    )
    async with _core(db_url, ScriptedClassifier({text: unsure})) as core:
        await core.handle(msg("ok", message_id="93"))
        await core.handle(msg("I want to kill myself"))
        await core.handle(msg(text, message_id="93", edited=True))
        bye = await core.handle(msg("bye"))
        assert bye.text.startswith("Before you go")  # still raised after the edit


async def test_a_classifier_that_is_not_decisive_never_sends_the_crisis_reply(
    db_url: str,
) -> None:
    text = "everything feels so grey lately, idk"  # the rules do not flag it
    confident = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.FAREWELL: 0.93},
        flagged=frozenset({RiskCategory.FAREWELL}),
    )
    async with _core(db_url, ScriptedClassifier({text: confident})) as core:
        reply = await core.handle(msg(text))
        assert "ending your life" in reply.text  # asked directly ...
        assert "findahelpline" in reply.text  # ... with a way to help
        assert await _tone_of_last(core) != "crisis"


async def test_a_decisive_confident_band_sends_the_crisis_reply_alone(db_url: str) -> None:
    # The ensemble's confident band, measured precise enough on dev (responses/README.md),
    # marks its predictions decisive: then it needs no rule to send the crisis reply.
    text = "everything feels so grey lately, idk"  # the rules do not flag it
    decisive = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.SUICIDAL_IDEATION: 0.93},
        flagged=frozenset({RiskCategory.SUICIDAL_IDEATION}),
        decisive=True,
    )
    async with _core(db_url, ScriptedClassifier({text: decisive})) as core:
        reply = await core.handle(msg(text))
        assert "findahelpline" in reply.text
        assert await _tone_of_last(core) == "crisis"


async def test_a_decisive_classifiers_watch_band_still_only_asks(db_url: str) -> None:
    text = "i just feel really tired of all of it"  # the rules do not flag it
    unsure = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.SUICIDAL_IDEATION: 0.6},
        flagged=frozenset(),
        watch=frozenset({RiskCategory.SUICIDAL_IDEATION}),
        decisive=True,
    )
    async with _core(db_url, ScriptedClassifier({text: unsure})) as core:
        reply = await core.handle(msg(text))
        assert "ending your life" in reply.text
        assert await _tone_of_last(core) != "crisis"


async def test_when_the_rules_flag_the_classifier_adds_categories(db_url: str) -> None:
    text = "I want to kill myself, I already gave my cat to my sister"
    both = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.FAREWELL: 0.95},
        flagged=frozenset({RiskCategory.FAREWELL}),
    )
    async with _core(db_url, ScriptedClassifier({text: both})) as core:
        reply = await core.handle(msg(text))
        assert "findahelpline" in reply.text
        assert await _tone_of_last(core) == "crisis"


async def test_the_classifiers_unsure_band_gets_a_check_in_not_the_crisis_reply(
    db_url: str,
) -> None:
    text = "i just feel really tired of all of it"  # the rules do not flag it
    unsure = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.SUICIDAL_IDEATION: 0.4},
        flagged=frozenset(),
        watch=frozenset({RiskCategory.SUICIDAL_IDEATION}),
    )
    async with _core(db_url, ScriptedClassifier({text: unsure})) as core:
        reply = await core.handle(msg(text))
        assert "ending your life" in reply.text  # the direct question
        assert "findahelpline" in reply.text  # and a way to help
        assert await _tone_of_last(core) != "crisis"
        # The check-in is the whole reply: no reflection echoing the words back first.
        assert reply.text.startswith("Thank you for telling me.")
        assert "tired" not in reply.text


async def test_a_second_unsure_message_soon_after_is_not_asked_again(db_url: str) -> None:
    text, again = "i'm going to sleep forever", "i'm going to sleep forever, really"
    unsure = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.SUICIDAL_IDEATION: 0.4},
        flagged=frozenset(),
        watch=frozenset({RiskCategory.SUICIDAL_IDEATION}),
    )
    async with _core(db_url, ScriptedClassifier({text: unsure, again: unsure})) as core:
        first = await core.handle(msg(text))
        assert "ending your life" in first.text
        second = await core.handle(msg(again))
        assert "ending your life" not in second.text  # asked already, not answered yes
        assert "findahelpline" in second.text  # the lines again


async def test_the_screen_reads_past_what_the_models_read(core: Core) -> None:
    """Telegram allows 4,096 characters; the models read 4,000. Risk in the tail is heard."""
    ramble = ("so today i made pasta and the sauce was fine and the bus was late again. " * 60)[
        :4010
    ]
    reply = await core.handle(msg(f"{ramble} i am going to kill myself tonight, i have the pills"))
    assert await _tone_of_last(core) == "crisis"
    assert "findahelpline" in reply.text


async def test_a_console_or_web_paste_is_screened_to_its_end(core: Core) -> None:
    """Found by a review: 22,500 characters ending in a plan got "That's great news about the
    weather!" (the screen read 20,000); it reads 100,000 now, off the event loop."""
    ramble = ("the weather was lovely and we walked the dog by the river again. " * 400)[:22_500]
    reply = await core.handle(msg(f"{ramble} i am going to kill myself tonight"))
    assert await _tone_of_last(core) == "crisis"
    assert "findahelpline" in reply.text and "great news" not in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "i want to commit sui\u200bcide",
        "i\u200bwant\u200bto\u200bdie",
        "i\u200dwant\u200dto\u200ddie",
        "i want to ki\u034fll myself",
    ],
)
async def test_zero_width_characters_hide_nothing(core: Core, text: str) -> None:
    """Inside a word they hide it; between words they are its only spaces: both are read."""
    reply = await core.handle(msg(text))
    assert await _tone_of_last(core) == "crisis"
    assert "findahelpline" in reply.text


@pytest.mark.parametrize("fault", ["fail", "slow"])
async def test_a_broken_or_slow_classifier_leaves_the_rules_answer(db_url: str, fault: str) -> None:
    classifier = ScriptedClassifier(fail=fault == "fail", delay_s=5.0 if fault == "slow" else 0)
    # The screen waits 0.5 s for the classifier.
    async with _core(db_url, classifier) as core:
        # A generous deadline, well under the stuck classifier's 5 s: answered on the rules.
        reply = await asyncio.wait_for(core.handle(msg("I want to kill myself")), timeout=4.0)
        assert "findahelpline" in reply.text


async def test_rules_alone_screen_when_no_model_loads(tmp_path: Path) -> None:
    screen = RiskScreen.load(model_dir=tmp_path / "missing")
    assert not screen.has_classifier
    screened = await screen.screen("I want to kill myself")
    assert screened.check.flagged
    screen.close()


async def test_a_group_reply_raised_only_by_private_history_goes_to_the_person(
    core: Core,
) -> None:
    await core.handle(msg("my mum died on sunday and I can't stop crying"))
    group = msg("where is the highest bridge around here", is_private_chat=False)
    reply: Reply = await core.handle(group)
    assert "findahelpline" in reply.text
    assert reply.private  # delivered to them, not posted in the group


@pytest.mark.parametrize("typed", ["yes", "Yes!", "ja", "oui", "ok"])
async def test_a_typed_yes_at_forgets_prompt_is_not_a_yes_to_the_suicide_question(
    core: Core, typed: str
) -> None:
    """A review found "yes" typed at /forget's confirmation, right after a crisis reply that
    asked directly, read as a yes to that question: a second crisis reply, nothing erased. It
    asks to pick one of the choices again (nothing is erased on a typed word)."""
    crisis = await core.handle(msg("I want to kill myself"))
    assert "ending your life" in crisis.text
    prompt = await core.handle(msg("/forget"))
    assert prompt.choices
    answer = await core.handle(msg(typed))
    assert "findahelpline" not in answer.text and "ending your life" not in answer.text
    assert answer.choices == prompt.choices  # asked to choose, the same choices offered
    done = await core.handle(msg(answer.choices[0].payload))
    assert "erased" in done.text


async def test_after_forgets_prompt_a_yes_answers_nothing_but_risk_is_still_heard(
    core: Core,
) -> None:
    """Cancelled, a later "yes" is not an answer to the question asked before the prompt; a
    message the screen flags is answered as one, prompt or not."""
    await core.handle(msg("I want to kill myself"))
    await core.handle(msg("/forget"))
    await core.handle(msg("/forget cancel"))
    later = await core.handle(msg("yes"))
    assert "findahelpline" not in later.text
    await core.handle(msg("/forget"))
    risk = await core.handle(msg("yes i want to die"))
    assert "findahelpline" in risk.text and not risk.choices


@pytest.mark.parametrize(
    ("risk", "goodbye", "lead"),
    [
        ("I want to die", "anyway thanks for listening, goodbye!", "Before you go"),
        ("I want to die", "ok thanks, bye", "Before you go"),
        ("I want to die", "gonna log off now, bye", "Before you go"),
        ("I want to die", "thanks. night", "Before you go"),
        ("I want to die", "thank you so much for today. good night x", "Before you go"),
        ("ich will nicht mehr leben", "danke fürs zuhören, tschüss", "Bevor du gehst"),
        ("ich will nicht mehr leben", "ok danke. gute nacht", "Bevor du gehst"),
        ("je veux mourir", "merci de m'avoir écoutée, bonne nuit", "Avant que tu partes"),
        ("quiero morirme", "gracias por escucharme, buenas noches", "Antes de que te vayas"),
        ("ik wil dood", "bedankt voor het luisteren, doei", "Voor je gaat"),
    ],
)
async def test_a_goodbye_with_thanks_after_a_flag_carries_the_lines(
    core: Core, risk: str, goodbye: str, lead: str
) -> None:
    """A review found only a bare "bye" carried the lines: a goodbye said with thanks or other
    words ("anyway thanks for listening, goodbye!") got a plain reply. Once per episode."""
    await core.handle(msg(risk))
    bye = await core.handle(msg(goodbye))
    assert bye.text.startswith(lead)
    again = await core.handle(msg(goodbye))
    assert not again.text.startswith(lead)
    group = await core.handle(msg(goodbye, user="u5", is_private_chat=False))
    assert not group.text.startswith(lead)


@pytest.mark.parametrize(
    "text",
    [
        "my sister said bye to her friends, it was sad",
        "we watched goodbye lenin, it was ok",
        "thanks for the numbers",
    ],
)
async def test_words_about_goodbyes_are_not_a_goodbye(core: Core, text: str) -> None:
    await core.handle(msg("I want to die"))
    reply = await core.handle(msg(text))
    assert not reply.text.startswith("Before you go")


async def test_why_after_a_check_in_says_the_safety_check_was_unsure(db_url: str) -> None:
    """A review found /why after the check-in ("are you thinking about ending your life?")
    presenting a mood reading alone ("Your words suggested happiness (about 54%)")."""
    text = "everything is grey and i'm so done with all of it, nothing will ever change"
    unsure = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.SUICIDAL_IDEATION: 0.6},
        flagged=frozenset(),
        watch=frozenset({RiskCategory.SUICIDAL_IDEATION}),
    )
    async with _core(db_url, ScriptedClassifier({text: unsure})) as core:
        reply = await core.handle(msg(text))
        assert "ending your life" in reply.text
        why = await core.handle(msg("/why"))
        assert why.text.startswith(CHECK_IN_WHY)
        assert "suggested" not in why.text and "happiness" not in why.text
        # An ordinary message after it is explained as a mood reading again.
        await core.handle(msg("I had a lovely walk with my dog"))
        plain = await core.handle(msg("/why"))
        assert not plain.text.startswith(CHECK_IN_WHY)


@pytest.mark.parametrize("retraction", ["jk jk im fine lol", "lol jk im good, just tired"])
async def test_a_retraction_right_after_the_question_is_not_asked_it_again(
    core: Core, retraction: str
) -> None:
    """A review found the crisis reply's direct question asked a second time right after
    "jk jk im fine lol": the reply stays careful without pushing, and the question is not left
    pending for the next message either."""
    crisis = await core.handle(msg("I want to kill myself"))
    assert "ending your life" in crisis.text
    after = await core.handle(msg(retraction))
    assert "ending your life" not in after.text and "findahelpline" not in after.text
    assert await _tone_of_last(core) not in {"celebrate", "curious", "small_talk"}
    later = await core.handle(msg("what should i watch tonight"))
    assert "ending your life" not in later.text
    why = await core.handle(msg("/why"))
    assert "careful" in why.text


_DECISIVE = RiskPrediction(
    scores={**NO_RISK.scores, RiskCategory.SUICIDAL_IDEATION: 0.9},
    flagged=frozenset({RiskCategory.SUICIDAL_IDEATION}),
    decisive=True,
)


@pytest.mark.parametrize(
    ("risk", "plan", "thanks"),
    [
        ("I want to kill myself", "i think i'll call them tomorrow", "glad"),
        ("I want to kill myself", "ok i'm going to text the crisis line now", "glad"),
        ("I want to kill myself", "i'll talk to my therapist on monday", "glad"),
        ("ich will nicht mehr leben", "ich ruf da morgen an", "froh"),
        ("je veux mourir", "je vais les appeler demain", "contente"),
        ("quiero morirme", "mañana los llamo", "alegra"),
        ("ik wil dood", "ik ga ze morgen bellen", "blij"),
    ],
)
async def test_saying_they_will_call_for_help_is_acknowledged_not_answered_as_a_crisis(
    db_url: str, risk: str, plan: str, thanks: str
) -> None:
    """A review found "i think i'll call them tomorrow" after the crisis reply answered with a
    second full crisis reply (the classifier read it as risk). In a raised conversation, a plan
    to reach out that the rules do not flag is acknowledged warmly, with the lines again."""
    async with _core(db_url, ScriptedClassifier({plan: _DECISIVE})) as core:
        await core.handle(msg(risk))
        reply = await core.handle(msg(plan))
        assert await _tone_of_last(core) != "crisis"
        assert thanks in reply.text
        assert "findahelpline" in reply.text  # the lines stay at hand
        assert "ending your life" not in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "i'll call them tomorrow but honestly i just want to die",
        "i won't call them, there's no point",
        "i'll call my mum tonight to say goodbye",
    ],
)
async def test_a_risk_message_beside_a_call_still_gets_the_crisis_reply(
    db_url: str, text: str
) -> None:
    """Never weaker for a real crisis message: risk the rules read, a refusal, a goodbye."""
    async with _core(db_url, ScriptedClassifier({text: _DECISIVE})) as core:
        await core.handle(msg("I want to kill myself"))
        await core.handle(msg(text))
        assert await _tone_of_last(core) == "crisis"


async def test_a_call_plan_with_no_raised_risk_is_left_to_the_screen(db_url: str) -> None:
    text = "i think i'll call them tomorrow"
    async with _core(db_url, ScriptedClassifier({text: _DECISIVE})) as core:
        await core.handle(msg(text))
        assert await _tone_of_last(core) == "crisis"


@pytest.mark.parametrize(
    ("risk", "follow", "line"),
    [
        ("ich will nicht mehr leben", "meine Katze liegt auf meinem Schoß", "Ich bin da"),
        ("ich will nicht mehr leben", "danke für die Nummer", "Ich bin da"),
        ("je veux mourir", "merci de m'écouter", "Je suis là"),
        ("quiero morirme", "gracias por escucharme", "Estoy aquí"),
        ("quiero morirme", "mi gato está conmigo", "Estoy aquí"),
        ("ik wil niet meer leven", "grapje hoor haha", "Ik ben er"),
        ("ik wil dood", "ik heb thee gezet", "Ik ben er"),
    ],
)
async def test_a_raised_conversation_in_another_language_gets_a_gentle_line_in_it(
    core: Core, risk: str, follow: str, line: str
) -> None:
    """A review found the next ordinary message after a German, French, Spanish or Dutch flag
    answered with English small talk and "I read English best" ("merci de m'écouter" -> "How
    has today been, all in all?"): a short gentle line in their language instead, nothing
    cheerful or curious."""
    await core.handle(msg(risk))
    reply = await core.handle(msg(follow))
    assert line in reply.text
    assert "English" not in reply.text and "?" not in reply.text
    assert await _tone_of_last(core) not in {"celebrate", "curious", "small_talk"}


async def test_an_english_message_after_a_german_flag_is_answered_in_english(core: Core) -> None:
    await core.handle(msg("ich will nicht mehr leben"))
    reply = await core.handle(msg("i made some tea and my cat is on my lap"))
    assert "Ich bin da" not in reply.text


async def test_a_check_in_on_a_roof_gets_the_edge_not_overdose_advice(db_url: str) -> None:
    """Found by a review: "im on the roof of my building rn", read by the classifier alone,
    got "if you have already taken something ... overdoses"; the sentence fits the danger."""
    text = "im on the roof of my building rn"
    unsure = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.IMMEDIATE_DANGER: 0.5},
        flagged=frozenset(),
        watch=frozenset({RiskCategory.IMMEDIATE_DANGER}),
    )
    async with _core(db_url, ScriptedClassifier({text: unsure})) as core:
        reply = await core.handle(msg(text))
    assert "overdose" not in reply.text
    assert safety.danger_sentence("en", {"height"}) in reply.text


async def test_someone_asking_how_to_help_a_friend_is_told_how(db_url: str) -> None:
    """Found by a review: the English question got small talk and no line at all; a check-in
    would have asked the helper whether THEY are suicidal."""
    text = "my friend says she wants to kill herself, how do i help her"
    unsure = RiskPrediction(
        scores={**NO_RISK.scores, RiskCategory.SUICIDAL_IDEATION: 0.5},
        flagged=frozenset(),
        watch=frozenset({RiskCategory.SUICIDAL_IDEATION}),
    )
    for classifier in (ScriptedClassifier(), ScriptedClassifier({text: unsure})):
        async with _core(db_url, classifier) as core:
            reply = await core.handle(msg(text, user="helper"))
            assert "ask them straight out" in reply.text
            assert "findahelpline" in reply.text
            assert "Are you thinking about ending your life" not in reply.text
            why = await core.handle(msg("/why", user="helper"))
            assert why.text.startswith(HELPER_WHY)


@pytest.mark.parametrize(
    ("risk", "retraction", "take_back", "lead"),
    [
        (
            "i want to kill myself",
            "jk lol i meant my exam is killing me",
            "ok honestly no i wasnt joking",
            "988",
        ),
        ("ich will nicht mehr leben", "vergiss es", "nee ehrlich, war kein spaß", "0800 111 0 111"),
        ("j'ai envie de mourir", "non c'est bon je rigolais", "en vrai je rigolais pas", "3114"),
        ("quiero morirme", "era broma", "no, en serio, no era broma", "024"),
        ("ik wil zelfmoord plegen", "grapje hoor", "nee eerlijk, het was geen grapje", "113"),
    ],
)
async def test_taking_back_a_retraction_gets_the_crisis_reply_again(
    db_url: str, risk: str, retraction: str, take_back: str, lead: str
) -> None:
    """A fresh review: after "jk", "ok honestly no i wasnt joking" got "That sounds stressful.
    Do you want to vent"; in German, French, Spanish and Dutch only a gentle line."""
    country = {"ich": "DE", "j'a": "FR", "qui": "ES", "ik ": "NL"}.get(risk[:3], "US")
    async with _core(db_url, helpline_country=country) as core:
        await core.handle(msg(risk))
        await core.handle(msg(retraction))
        reply = await core.handle(msg(take_back))
        assert await _tone_of_last(core) == "crisis"
        assert lead in reply.text
        # In a group the same words are about the group's talk.
        group = await core.handle(msg(take_back, is_private_chat=False))
        assert "0800" not in group.text and "988" not in group.text


_WATCH_SI = RiskPrediction(
    scores={**NO_RISK.scores, RiskCategory.SUICIDAL_IDEATION: 0.5},
    flagged=frozenset(),
    watch=frozenset({RiskCategory.SUICIDAL_IDEATION}),
)


@pytest.mark.parametrize(
    ("answer", "plan"),
    [
        ("yes", "i have a plan"),
        ("yes", "i know how i'd do it"),
        ("ja", "ich hab einen plan"),
        ("oui", "j'ai un plan"),
        ("si", "tengo un plan"),
        ("ja", "ik heb een plan"),
    ],
)
async def test_a_plan_after_the_check_in_gets_the_urgent_reply(
    db_url: str, answer: str, plan: str
) -> None:
    """A fresh review: "cant stop thinking about s*icide" -> "yes" -> "i have a plan" got
    "Thank you for telling me. If it gets heavy..."; a plan there is C-SSRS plan level."""
    text = "cant stop thinking about s*icide"
    async with _core(db_url, ScriptedClassifier({text: _WATCH_SI}), helpline_country="GB") as core:
        await core.handle(msg(text))
        await core.handle(msg(answer))
        reply = await core.handle(msg(plan))
        assert await _tone_of_last(core) == "crisis"
        assert "999" in reply.text.split("\n\n")[0]  # the emergency number first


async def test_a_weekend_plan_in_a_raised_conversation_is_not_urgent(core: Core) -> None:
    await core.handle(msg("I want to kill myself"))
    reply = await core.handle(msg("i have a plan for the weekend, hiking with my sister"))
    assert not reply.text.startswith("If you are in danger right now")
