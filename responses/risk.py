"""The risk taxonomy shared by the crisis rules, the learned risk classifier and the core.

Categories follow clinical practice: suicidal ideation is graded on the Columbia Suicide
Severity Rating Scale (C-SSRS, Posner et al. 2011: wish to be dead -> active thoughts ->
method -> intent -> plan -> preparatory behaviour); the other categories are the
safeguarding disclosures a listening service must route to specialised help. A single message
can belong to several categories. The severity of each category, its replies and helplines
live in ``responses/data/`` (data, editable by people who are not programmers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class RiskCategory(StrEnum):
    """What a flagged message discloses. The values are the labels in every data file."""

    SUICIDAL_IDEATION = "suicidal_ideation"
    FAREWELL = "farewell"
    SELF_HARM = "self_harm"
    EATING_DISORDER = "eating_disorder"
    ABUSE = "abuse"
    PSYCHOSIS = "psychosis"
    HARM_TO_OTHERS = "harm_to_others"
    IMMEDIATE_DANGER = "immediate_danger"


class CssrsLevel(IntEnum):
    """C-SSRS suicidal ideation ladder (screen version, items 1-6); 0 = nothing said."""

    NONE = 0
    WISH_TO_BE_DEAD = 1
    ACTIVE_THOUGHTS = 2
    METHOD = 3
    INTENT = 4
    PLAN = 5
    PREPARATORY_BEHAVIOUR = 6


#: The languages the screen and its replies cover (ISO 639-1), English first.
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "nl")


@dataclass(frozen=True, slots=True)
class RiskPrediction:
    """The learned risk classifier's reading of one message (see ``responses/risk_model.py``).

    ``scores`` maps every category to a probability in [0, 1]; ``flagged`` holds the categories
    whose score reached the model's confident threshold (few false alarms: these get the crisis
    reply); ``watch`` those between the recall-first threshold and the confident one (the
    core answers them with a gentle check-in that asks directly, not the crisis reply);
    ``language`` is the ISO 639-1 code the model read the message as. ``decisive``: the
    confident band was measured precise enough on dev data (<= 5 % of the look-alikes, <= 0.5 %
    of ordinary chat) for ``flagged`` to send the crisis reply by itself; when False the core
    answers a classifier-only flag with the check-in (``bot/risk.py``).
    """

    scores: Mapping[RiskCategory, float]
    flagged: frozenset[RiskCategory]
    language: str = "en"
    watch: frozenset[RiskCategory] = frozenset()
    decisive: bool = False
