"""A writer who says another person's risk is theirs too ("so do i", "same", "i relapsed too",
"asking for a friend") keeps their own crisis reply; it is never read as a helper's worry. A
fresh review found these answered "It's good that you want to help them", the writer never
flagged. A real helper's question stays a helper's."""

from __future__ import annotations

import pytest

from responses.safety import screen
from responses.safety_rules import about_another_person


@pytest.mark.parametrize(
    "text",
    [
        "my friend keeps cutting herself and so do i",
        "my friend wants to die and so do i",
        "my friend keeps saying she wants to die and honestly so do i",
        "my friend wants to die and same tbh",
        "my friend is suicidal. same",
        "she sings about wanting to die and honestly same",
        "my friend is suicidal, but honestly i think about it too",
        "my mom is suicidal and i'm starting to feel that way too",
        "my mum tried to kill herself and now i keep thinking about doing it",
        "my brother overdosed last month and i want to do the same",
        "my friend is self harming, i started again too",
        "my friend is cutting again and i relapsed too",
        "a friend of mine (me) keeps cutting",
        "meine schwester ritzt sich und ich mach das auch",
        "my friend overdosed last week. thinking of doing the same tonight",
        "my friend is going to jump and im going with her",
        "asking for a friend how many pills would kill someone",
        "my friend wants to know the most painless way to die",
    ],
)
def test_the_writer_in_it_too_is_flagged_as_themselves(text: str) -> None:
    check = screen(text)
    assert check.flagged, text
    assert not check.about_someone_else, text


@pytest.mark.parametrize(
    "text",
    [
        "my friend wants to kill herself, how do i help",
        "my best friend is suicidal what do i do",
        "i want to help my friend who is suicidal",
        "how do i help my brother who self harms",
        "meine freundin ritzt sich, wie kann ich ihr helfen",
    ],
)
def test_a_helpers_question_stays_a_helpers(text: str) -> None:
    check = screen(text)
    assert check.about_someone_else and not check.flagged, text


def test_a_sentence_about_no_one_else_is_the_writers_own() -> None:
    """ "my wife left with the kids. the rope is in the garage": the rope is the writer's."""
    assert about_another_person("my wife left with the kids. the rope is in the garage") == (
        False,
        False,
    )
    assert about_another_person("hes on the bridge rn") == (True, True)
