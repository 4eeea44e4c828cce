"""Review 5 of the crisis screen: run-together words and hashtags, overdose questions about an
organ giving out (five languages), being tired of life (five languages), and helpers asking
about someone else's risk in the word orders people use. Each family has look-alikes beside it."""

from __future__ import annotations

import pytest

from responses.safety import screen

RUN_TOGETHER = [
    "iwanttodie",
    "killmyself",
    "#iwanttodie",
    "#kms",
    "honestly #killmyself",
    "idontwanttolive anymore",
    "ugh #wanttodie",
    "#endmylife",
    "#jeveuxmourir",
    "ichwillsterben",
    "#quieromorir",
    "ikwildood",
    "#cutmyself again",
]


@pytest.mark.parametrize("text", RUN_TOGETHER)
def test_run_together_words_and_hashtags_are_read(text: str) -> None:
    assert screen(text).flagged, text


RUN_TOGETHER_LOOKALIKES = [
    "#overkill",
    "killmybill is a great app for splitting rent",
    "#killingit at the gym today",
    "#iwanttodiet before summer",
    "#skillsupmyselfimprovement",
    "#endmylifelongcoffeehabit lol",
    "mandatoryattendance is so annoying",
    "#takemylifeback after rehab, 1 year sober",
]


@pytest.mark.parametrize("text", RUN_TOGETHER_LOOKALIKES)
def test_ordinary_long_words_and_hashtags_stay_quiet(text: str) -> None:
    assert not screen(text).flagged, text


ORGAN_OVERDOSE = [
    "how much paracetamol does it take for my liver to fail",
    "how many tylenol until my liver gives out",
    "wie viele paracetamol braucht man damit die leber versagt",
    "wieviele tabletten bis die nieren kaputt sind",
    "combien de doliprane il faut pour que le foie lâche",
    "combien de cachets pour bousiller le foie",
    "combien de comprimés faut il pour ne plus se réveiller",
    "cuántos paracetamoles hacen falta para que falle el hígado",
    "cuantas pastillas necesito para reventarme el higado",
    "cuantas pastillas para no despertar",
    "hoeveel paracetamol heb je nodig om je lever kapot te maken",
    "hoeveel pillen tot je nieren het begeven",
    "hoeveel slaappillen om niet meer wakker te worden",
    "wie viele schlaftabletten um nicht mehr aufzuwachen",
    "quelle dose de doliprane pour tuer le foie",
    "cuantos ibuprofenos para joderme los riñones",
    "welke dosis paracetamol voordat je lever stopt",
    "how many pills to shut down my kidneys",
]


@pytest.mark.parametrize("text", ORGAN_OVERDOSE)
def test_overdose_questions_about_an_organ_giving_out(text: str) -> None:
    assert screen(text).flagged, text


ORGAN_LOOKALIKES = [
    "how many paracetamol a day is safe for your liver",
    "wie viele ibuprofen darf ich am tag nehmen ohne die nieren zu schädigen",
    "combien de doliprane par jour max sans abîmer le foie, j'ai mal aux dents",
    "cuantos paracetamoles puedo tomar al dia sin dañar el higado? tengo gripe",
    "hoeveel paracetamol mag ik per dag zonder mijn lever te beschadigen, ik heb koorts",
    "combien de verres de vin avant que le foie fatigue lol",
    "wie viele ibuprofen darf ich nehmen, meine nieren sind eh kaputt",
    "combien de doliprane je peux prendre, mon coeur lache un peu avec le stress",
    "hoeveel paracetamol mag ik, mijn hart is stuk door de breakup",
    "cuantas pastillas para no despertarme con resaca",
]


@pytest.mark.parametrize("text", ORGAN_LOOKALIKES)
def test_dose_questions_for_pain_stay_quiet(text: str) -> None:
    assert not screen(text).flagged, text


TIRED_OF_LIFE = [
    "ich bin so müde vom leben",
    "bin einfach nur noch lebensmüde",
    "ich bin des lebens müde",
    "je suis fatiguée de la vie",
    "tellement fatigué de vivre",
    "estoy cansada de vivir",
    "cansadísimo de la vida la verdad",
    "ik ben moe van het leven",
    "zo levensmoe de laatste tijd",
    "i am so tired of life",
    "honestly tired of living",
    "müde vom leben. einfach alles",
    "het leven zo moe",
    "estoy harta de esta vida",
]


@pytest.mark.parametrize("text", TIRED_OF_LIFE)
def test_being_tired_of_life_is_read(text: str) -> None:
    assert screen(text).flagged, text


TIRED_LOOKALIKES = [
    "ich bin so müde vom arbeitsleben",
    "müde vom leben in der großstadt, ich will aufs land ziehen",
    "tired of this life of commuting lol",
    "ik ben moe van het leven in de stad, wil verhuizen",
    "fatigué de la vie parisienne, vivement les vacances",
    "cansada de la vida en la ciudad, me mudo al pueblo",
    "ich bin müde vom leben im homeoffice",
    "moe van het leven als student haha",
    "fatiguée de la vie de bureau",
]


@pytest.mark.parametrize("text", TIRED_LOOKALIKES)
def test_tired_of_a_way_of_life_stays_quiet(text: str) -> None:
    assert not screen(text).flagged, text


HELPERS = [
    "meine freundin hat mir erzählt dass sie an suizid denkt, wie kann ich ihr helfen?",
    "mein bruder hat gesagt, dass er sich umbringen will. was soll ich tun",
    "wie kann ich meinem bruder helfen, er verletzt sich selbst",
    "mijn vriendin vertelde dat ze aan zelfmoord denkt, hoe kan ik haar helpen",
    "mijn broer zei dat hij zichzelf snijdt, hoe help ik hem",
    "how do i support my brother, he's been self harming",
    "my friend told me she's been thinking about suicide, how can i help her?",
    "my friend keeps cutting herself and i don't know what to say to her",
    "ma sœur m'a dit qu'elle pense au suicide, comment je peux l'aider",
    "mi hermano me dijo que piensa en suicidarse, ¿cómo lo ayudo?",
    "my friend told me she's suicidal, how do i help",
    "my bf says hes suicidal and idk what to do",
    "how can i help my friend, she says she wants to die",
    "wie kann ich meiner freundin helfen, sie ritzt sich",
    "hoe kan ik mijn broer helpen, hij doet zichzelf pijn",
    "comment aider mon ami, il veut mourir",
    "cómo ayudo a mi hermana, se corta",
    "my son told me he's been cutting, how do i talk to him",
]


@pytest.mark.parametrize("text", HELPERS)
def test_helpers_are_read_as_someone_elses_risk(text: str) -> None:
    check = screen(text)
    assert check.about_someone_else, text
    assert not check.flagged, text


@pytest.mark.parametrize(
    "text",
    [
        "my sister is suicidal and so am i",
        "my friend keeps cutting herself and i want to cut myself too",
        "meine freundin hat mir erzählt dass sie an suizid denkt und ich will auch sterben",
        "mijn vriendin vertelde dat ze aan zelfmoord denkt, ik wil ook dood",
        "my friend told me she's suicidal, me too tbh",
        "ma soeur veut mourir et moi aussi",
        "mein bruder ist suizidal und ich auch",
        "mi hermana se quiere matar y yo también",
        "mijn zus wil dood en ik ook",
        "my friend cuts herself and me too",
        # a relative named first, then the writer's own wish: not a helper's worry
        "mein bruder nervt und ich will sterben",
        "how do i help my sister she cries and im suicidal",
        "wie kann ich meiner mutter helfen ich will sterben",
        "mijn broer is irritant en ik wil dood",
    ],
)
def test_own_risk_beside_a_helpers_worry_stays_a_crisis(text: str) -> None:
    check = screen(text)
    assert check.flagged and not check.about_someone_else, text


def test_too_scared_is_not_me_too() -> None:
    check = screen("my friend is suicidal and i am too scared to ask her how do i help")
    assert check.about_someone_else and not check.flagged


@pytest.mark.parametrize(
    "text",
    [
        "my son has been cutting class, how do i talk to him",
        "cómo ayudo a mi hermana, se corta el pelo sola jaja",
    ],
)
def test_cutting_class_or_hair_is_not_a_helpers_worry(text: str) -> None:
    assert not screen(text).about_someone_else, text


@pytest.mark.parametrize(
    "text", ["i know how to do it, the maths homework i mean", "i know how to do it now, thanks"]
)
def test_knowing_how_to_do_a_task_is_not_a_plan(text: str) -> None:
    """Found by a helper: "i know how to do it" alone read as a suicide plan. Inside a raised
    conversation "i know how" is a plan (responses/risk_state.py); alone it is homework."""
    assert not screen(text).flagged


@pytest.mark.parametrize(
    "text", ["i know exactly how i would do it", "i know how to end it", "i know how id do it"]
)
def test_knowing_how_one_would_end_it_is_still_flagged(text: str) -> None:
    assert screen(text).flagged
