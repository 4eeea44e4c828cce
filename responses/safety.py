"""Crisis screen and crisis reply: every text and caption is checked here before anything else.

Why rules first: this check must work when every ML model failed to load, must be explainable
line by line, and must be editable by people who are not programmers. The rules live in
``responses/data/crisis_patterns.toml`` (applied by ``responses.safety_rules``); categories,
severities and the words of each reply in ``risk_taxonomy.toml``; helplines per country and
kind in ``helplines.toml``. A learned classifier (``responses.risk_model``), when it loads,
adds recall through :func:`combine`; the conversation risk state (``responses.risk_state``)
adds what only shows across turns.

The screen leans towards recall: a caring message with a helpline shown to someone who was
only venting costs little, a missed crisis costs a great deal. Everyday hyperbole ("dying of
laughter", "this exam is killing me") is kept out by writing the patterns narrowly (first
person, self-directed) and by blanking known idioms first.

Categories follow ``responses.risk.RiskCategory``; suicidal ideation is graded on the C-SSRS
(Posner et al. 2011, Am J Psychiatry 168(12)). Reply wording follows safe-messaging guidance
(WHO/IASP, "Preventing suicide: a resource for media professionals", 2023 update): care
first, a direct question, help named, no method details.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from responses._data import load_toml
from responses.language import guess_language
from responses.risk import LANGUAGES, CssrsLevel, RiskCategory, RiskPrediction
from responses.safety_rules import (
    about_another_person,
    match_rules,
    normalise,
    others_in_danger,
    someone_elses_risk,
    writer_shares_risk,
)

__all__ = [
    "SAFE",
    "SOURCES",
    "SafetyCheck",
    "bulleted_helplines",
    "combine",
    "crisis_reply",
    "crisis_response",
    "danger_sentence",
    "direct_question",
    "helplines",
    "make_check",
    "normalise",
    "read_means",
    "screen",
    "severity_of",
    "with_language_hint",
]

#: Where a flag came from: the rules, the learned classifier, or the conversation context.
SOURCES: tuple[str, ...] = ("rules", "model", "context")

#: Ties in severity are broken in this order (the first is the one the reply leads with).
_PRIORITY: tuple[RiskCategory, ...] = (
    RiskCategory.IMMEDIATE_DANGER,
    RiskCategory.HARM_TO_OTHERS,
    RiskCategory.SUICIDAL_IDEATION,
    RiskCategory.FAREWELL,
    RiskCategory.ABUSE,
    RiskCategory.PSYCHOSIS,
    RiskCategory.SELF_HARM,
    RiskCategory.EATING_DISORDER,
)


@dataclass(frozen=True, slots=True)
class SafetyCheck:
    """The outcome of screening one message.

    ``categories`` holds every risk category found (a message can hit several); ``category``
    is the value of the most severe one (None when nothing was flagged), kept for callers that
    need one label. ``severity`` runs 0 (nothing) .. 4 (urgent: the reply starts with the
    emergency number), from ``risk_taxonomy.toml``. ``cssrs`` is the C-SSRS level of any
    suicidal ideation. ``language`` is the ISO 639-1 code the reply should use; ``sources``
    says which of ``SOURCES`` raised the flag; ``worded`` the categories the rules recognised
    in the person's own words (the rest came from the classifier's reading or the context), so
    that /why can say honestly where a worry came from. ``means`` names the dangers the words
    speak of (``[means]`` in ``risk_taxonomy.toml``: "overdose", "height", "tracks", "gas"),
    read on every screened message so the immediate-danger sentence fits ("step back from the
    edge", not overdose advice, to someone on a roof); None when the check was built without
    reading the words (then the reply keeps the overdose advice beside the general sentence).
    ``about_someone_else``: the message asks how to help another person (the "helper"
    context kind of ``crisis_patterns.toml``) and the rules read nothing in the writer's own
    words; a flag on it (the classifier's) gets the reply for a helper, not the crisis reply.
    ``others_in_danger``: another person is in danger right now (the "helper_danger"
    context kind, or a message about another person alone that says it is happening now):
    the helper reply leads with the emergency number, and a writer's own crisis reply beside
    it also says to tell the operator about them. ``third_person`` and ``happening_now``: the
    message (English) speaks of another person alone, and says it is happening now
    (``responses.safety_rules.about_another_person``); :func:`as_helper` reads the
    classifier's flag on such a message as a helper's worry.
    """

    flagged: bool
    category: str | None = None
    categories: frozenset[RiskCategory] = frozenset()
    severity: int = 0
    cssrs: CssrsLevel = CssrsLevel.NONE
    language: str = "en"
    sources: frozenset[str] = frozenset()
    worded: frozenset[RiskCategory] = frozenset()
    means: frozenset[str] | None = None
    about_someone_else: bool = False
    others_in_danger: bool = False
    third_person: bool = False
    happening_now: bool = False

    @property
    def urgent(self) -> bool:
        """Whether the reply must lead with the emergency number."""
        return self.severity >= _taxonomy_urgent()


SAFE = SafetyCheck(flagged=False)


def _taxonomy_urgent() -> int:
    return int(load_toml("risk_taxonomy.toml")["urgent"])


def severity_of(category: RiskCategory, cssrs: CssrsLevel = CssrsLevel.NONE) -> int:
    """The severity (1..4) of one category; suicidal ideation's depends on its C-SSRS level
    (``cssrs_severity`` in ``risk_taxonomy.toml``)."""
    entry = load_toml("risk_taxonomy.toml")["category"][category.value]
    ladder = entry.get("cssrs_severity")
    if ladder is not None:
        return int(ladder[int(cssrs)])
    return int(entry["severity"])


def make_check(
    categories: Iterable[RiskCategory],
    *,
    cssrs: CssrsLevel = CssrsLevel.NONE,
    language: str = "en",
    sources: Iterable[str] = ("rules",),
    worded: Iterable[RiskCategory] | None = None,
    means: Iterable[str] | None = None,
    about_someone_else: bool = False,
    others_in_danger: bool = False,
    third_person: bool = False,
    happening_now: bool = False,
) -> SafetyCheck:
    """A consistent check for these categories: flagged when there is any, ``category`` and
    ``severity`` from the most severe, C-SSRS level at least 1 when suicidal ideation is in
    (and NONE when it is not). No categories gives a check that is not flagged. ``worded``
    (the categories the rules recognised in the words) defaults to all of them when "rules"
    is among ``sources``, else none; it is always cut to ``categories``. ``means`` (the dangers
    the words name, :func:`read_means`) is kept as given, None when not read; so is
    ``about_someone_else``, ``others_in_danger``, ``third_person`` and ``happening_now``."""
    cats = frozenset(categories)
    named = frozenset(means) if means is not None else None
    sources = frozenset(sources)
    said = frozenset(worded) if worded is not None else (cats if "rules" in sources else None)
    lang = language if language in LANGUAGES else "en"
    if not cats:
        return SafetyCheck(
            flagged=False,
            language=lang,
            means=named,
            about_someone_else=about_someone_else,
            others_in_danger=others_in_danger,
            third_person=third_person,
            happening_now=happening_now,
        )
    if RiskCategory.SUICIDAL_IDEATION in cats:
        cssrs = max(cssrs, CssrsLevel.WISH_TO_BE_DEAD)
    else:
        cssrs = CssrsLevel.NONE
    ranked = sorted(cats, key=lambda c: (-severity_of(c, cssrs), _PRIORITY.index(c)))
    return SafetyCheck(
        flagged=True,
        category=ranked[0].value,
        categories=cats,
        severity=severity_of(ranked[0], cssrs),
        cssrs=cssrs,
        language=lang,
        sources=sources,
        worded=(said or frozenset()) & cats,
        means=named,
        about_someone_else=about_someone_else,
        others_in_danger=others_in_danger,
        third_person=third_person,
        happening_now=happening_now,
    )


#: Long texts are screened in overlapping windows so the cost stays linear in the length.
_WINDOW = 4000
_OVERLAP = 300


def screen(text: str) -> SafetyCheck:
    """Screen one message (text or caption) with the rules alone. Never raises on odd input.

    Every window of a long text is screened and the hits are merged. ``language`` is the
    guessed language of the message (``responses.language``), also when nothing is flagged.
    """
    if not text or not text.strip():
        return SAFE
    categories: set[RiskCategory] = set()
    means: set[str] = set()
    cssrs = CssrsLevel.NONE
    step = _WINDOW - _OVERLAP
    for start in range(0, max(len(text) - _OVERLAP, 1), step):
        window = text[start : start + _WINDOW]
        hits = match_rules(window)
        categories.update(hits.categories)
        cssrs = max(cssrs, hits.cssrs)
        means.update(read_means(window))
    # Someone asking how to help another person: only when the rules read nothing in the
    # writer's own words once the other person's are blanked, so that "my friend said i
    # should talk to someone, i want to kill myself" keeps the crisis reply.
    # Another person in danger now ("my friend just took a whole bottle of pills"): the
    # emergency number comes first whoever is at risk; when the writer's own words read
    # nothing, the reply tells them what to do for the other person (the helper reply).
    language = guess_language(text[:2000])
    others_danger = others_in_danger(text)
    helper = others_danger and someone_elses_risk(text, "helper_danger")
    helper = (
        helper or someone_elses_risk(text) or someone_elses_risk(text, "helper_danger", over=True)
    )
    # English only ("he" is "hey" in Dutch, and the other languages often drop "I"): a
    # message about another person alone, in words no pattern names ("hes on the bridge rn",
    # "my kid took my pills i dont know how many").
    alone, now = about_another_person(text) if language == "en" else (False, False)
    if not helper and alone and categories and categories <= _ABOUT_SAFETY:
        helper = True
        others_danger = others_danger or now or RiskCategory.IMMEDIATE_DANGER in categories
    if helper:
        # The rules' hits were the other person's ("my best friend is suicidal"): the writer
        # is told how to help, with the lines, not answered as if at risk.
        categories.clear()
        cssrs = CssrsLevel.NONE
    elif not categories and writer_shares_risk(text):
        # "my brother overdosed last month and i want to do the same": the other person's
        # risk is the writer's too, though their own words name none.
        categories.add(RiskCategory.SUICIDAL_IDEATION)
    if others_danger:
        categories.add(RiskCategory.IMMEDIATE_DANGER)
    return make_check(
        categories,
        cssrs=cssrs,
        language=language,
        means=means,
        about_someone_else=helper,
        others_in_danger=others_danger,
        third_person=alone,
        happening_now=now,
    )


@cache
def _means_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    table = load_toml("risk_taxonomy.toml")["means"]
    return tuple(
        (kind, re.compile("|".join(f"(?:{p})" for p in pats))) for kind, pats in table.items()
    )


def read_means(text: str) -> frozenset[str]:
    """The dangers ``text`` names (``[means]`` in ``risk_taxonomy.toml``: "overdose",
    "height", "tracks", "gas"), read on the screen's normalised text. They only choose the
    words of the immediate-danger sentence; they never flag anything."""
    if not text or not text.strip():
        return frozenset()
    plain = normalise(text)
    return frozenset(kind for kind, pattern in _means_patterns() if pattern.search(plain))


def combine(rules: SafetyCheck, model: RiskPrediction | None) -> SafetyCheck:
    """The rules' check with the learned classifier's categories added (a union: the model only
    ever adds recall, it never clears a rule's flag). ``model`` None (no model loaded, or it
    failed) returns ``rules`` unchanged. A model-only suicidal ideation flag gets C-SSRS level 1
    (the lowest level that is ideation at all); the rules' level is kept otherwise. "model" joins
    ``sources`` whenever the model flagged anything, also when it agreed with the rules."""
    if model is None or not model.flagged:
        return rules
    sources = set(rules.sources) | {"model"}
    return make_check(
        rules.categories | _agreeing(rules.categories, model.flagged),
        cssrs=rules.cssrs,
        language=rules.language,
        sources=sources,
        worded=rules.worded,
        means=rules.means,
        about_someone_else=rules.about_someone_else,
        others_in_danger=rules.others_in_danger,
        third_person=rules.third_person,
        happening_now=rules.happening_now,
    )


def with_language_hint(check: SafetyCheck, text: str, hint: str | None) -> SafetyCheck:
    """``check`` with its reply language read again with ``hint`` (the learned classifier's
    reading of the language): it decides only where the words leave the language open
    (``responses.language.guess_language``), so "jpp jveux crever" gets French, while "i want
    to die" stays English whatever the classifier read."""
    language = guess_language(text[:2000], hint=hint)
    return check if language == check.language else replace(check, language=language)


#: Categories about the writer's own safety, the opposite direction from harm to others.
_SELF_DIRECTED = frozenset(
    {
        RiskCategory.SUICIDAL_IDEATION,
        RiskCategory.FAREWELL,
        RiskCategory.SELF_HARM,
        RiskCategory.EATING_DISORDER,
    }
)


#: What a message about another person alone can be a helper's worry about: their safety.
#: Abuse, harm to others and psychosis keep their own replies ("my dad hits my mom" needs
#: "it is not your fault" and the child line, not how to help).
_ABOUT_SAFETY = _SELF_DIRECTED | {RiskCategory.IMMEDIATE_DANGER}


def as_helper(
    rules: SafetyCheck, flagged: Iterable[RiskCategory], watch: Iterable[RiskCategory] = ()
) -> SafetyCheck | None:
    """The classifier's reading of a message about another person alone (``rules`` unflagged,
    ``rules.third_person``) as a helper's worry, or None when it is not one.

    ``flagged``/``watch``: the categories the classifier put in its confident and check-in
    bands. Only the other person's safety counts (:data:`_ABOUT_SAFETY`). The result is not
    flagged (the helper reply, with the lines) unless the classifier itself read immediate
    danger, or flagged the message and it says the danger is happening now: then it is an
    immediate-danger flag whose reply leads with the emergency number.
    """
    confident, unsure = frozenset(flagged), frozenset(watch)
    read = confident | unsure
    if rules.flagged or not rules.third_person or not read or not read <= _ABOUT_SAFETY:
        return None
    danger = RiskCategory.IMMEDIATE_DANGER in confident or (bool(confident) and rules.happening_now)
    return make_check(
        {RiskCategory.IMMEDIATE_DANGER} if danger else (),
        language=rules.language,
        sources={"model"},
        means=rules.means,
        about_someone_else=True,
        others_in_danger=danger,
        third_person=True,
        happening_now=rules.happening_now,
    )


def _agreeing(
    rules: frozenset[RiskCategory], model: frozenset[RiskCategory]
) -> frozenset[RiskCategory]:
    """The model's categories, less those that point the other way from what the rules read.

    A linear model on n-grams cannot tell "kill myself" from "kill him" or "he'll hurt my mum"
    (a child's disclosure) from "I'll hurt him" (a threat); when the rules read the direction
    from the grammar, a model category of the opposite direction is its confusion, and keeping
    it would put the wrong words in the reply (thanking a child for not acting on a threat,
    telling the person who threatens that it is not their fault). Where the rules found
    nothing, the model's reading stands whole (it is there for recall)."""
    drop: set[RiskCategory] = set()
    if RiskCategory.HARM_TO_OTHERS not in rules and (
        rules & _SELF_DIRECTED or RiskCategory.ABUSE in rules
    ):
        drop.add(RiskCategory.HARM_TO_OTHERS)
    if RiskCategory.HARM_TO_OTHERS in rules and RiskCategory.ABUSE not in rules:
        drop.add(RiskCategory.ABUSE)
    return model - drop


# --- the reply ---------------------------------------------------------------------------------

#: The English lead the old single-category reply used; kept for callers that show it.
DEFAULT_LEAD = (
    "I'm really glad you told me, and I'm so sorry you're going through this. "
    "You deserve support right now from someone who can be there with you."
)


def _country(country: str | None) -> dict[str, object]:
    data = load_toml("helplines.toml")
    code = (country or "").strip().upper()
    code = str(data.get("aliases", {}).get(code, code))
    entry = data.get(code) if code not in {"ALIASES", "DEFAULT"} else None
    if not isinstance(entry, dict) or "lines" not in entry:
        entry = data["default"]
    return entry


def helplines(
    country: str | None, kinds: Iterable[str] = ("crisis",), language: str | None = None
) -> tuple[str, ...]:
    """The helpline lines of these kinds (``helplines.toml``: crisis, child, domestic_violence,
    eating_disorder) for an ISO country code (any case), the general crisis line always last
    among them; unknown or missing countries get the international default (findahelpline),
    worded in ``language`` when the default has that language (else English)."""
    entry = _country(country)
    lines_by_kind = entry["lines"]
    localised = entry.get("localised")
    if isinstance(localised, dict) and isinstance(localised.get(language or ""), dict):
        lines_by_kind = localised[str(language)]
    assert isinstance(lines_by_kind, dict)
    out: list[str] = []
    for kind in [*kinds, "crisis"]:
        for line in lines_by_kind.get(kind, ()):
            if str(line) not in out:
                out.append(str(line))
    return tuple(out)


def emergency_number(country: str | None, texts: dict[str, str]) -> str:
    """The emergency number every crisis-type reply gives for ``country`` (``helplines.toml``
    ``emergency``, e.g. "999", "15 (SAMU) / 112"), or the ``local_emergency`` words of
    ``texts`` (one language's ``[text]`` table of ``risk_taxonomy.toml``) where it has none."""
    number = _country(country).get("emergency")
    return str(number) if number else texts["local_emergency"]


def bulleted_helplines(
    country: str | None,
    kinds: Iterable[str],
    language: str | None,
    *,
    emergency_led: bool,
) -> str:
    """The helplines block every crisis-type reply ends with (the crisis reply, the helper
    reply, the check-in, the goodbye, and the risk state's answer to a plan to reach out).

    ``country``: an ISO 3166-1 alpha-2 code in any case, or None (unknown codes get the
    international default, ``helplines.toml``). ``kinds``: ``helplines.toml`` kinds (crisis,
    child, domestic_violence, eating_disorder). ``language``: one of ``responses.risk.LANGUAGES``
    (anything else reads as English); it picks the wording of the emergency line and of a
    localised default. ``emergency_led``: the reply already led with the emergency number, so
    it is not said again here.

    Returns one string of lines joined by "\\n" (no trailing newline), each "• <line>": the
    lines of :func:`helplines` for ``kinds`` (the general crisis line last among them, none
    twice), then, unless ``emergency_led``, the ``emergency_line`` text of
    ``risk_taxonomy.toml`` with the country's emergency number (or the ``local_emergency``
    words where ``helplines.toml`` has none). Never raises for odd country or language codes.
    """
    lang = language if language in LANGUAGES else "en"
    texts: dict[str, str] = load_toml("risk_taxonomy.toml")["text"][lang]
    lines = list(helplines(country, kinds, lang))
    if not emergency_led:
        lines.append(texts["emergency_line"].format(emergency=emergency_number(country, texts)))
    return "\n".join(f"• {line}" for line in lines)


def crisis_response(
    check: SafetyCheck,
    country: str | None,
    language: str | None = None,
    lead: str | None = None,
    *,
    ask: bool = True,
) -> str:
    """The whole crisis answer for ``check``, in ``language`` (default: the check's own).
    ``ask=False`` leaves out the direct question (the person has just answered it).

    Shape: for an urgent check (severity 4) the emergency number FIRST; then the lead of the
    most severe category (care before numbers), what each category found needs said (abuse:
    "not your fault"), a direct question where the taxonomy has one (suicidal ideation,
    farewells), the helplines of the kinds the categories name for ``country`` (child,
    domestic-violence, eating-disorder lines) with the general crisis line, the emergency line
    when it was not already first, and an open door. ``lead`` replaces the first words (the
    reply bank's English "crisis" set) and is used only for English replies. A check with no
    categories (e.g. a conversation the risk state keeps careful) gets the suicidal-ideation
    answer. Depends on nothing but the shipped data files; never raises for odd country or
    language codes.
    """
    taxonomy = load_toml("risk_taxonomy.toml")
    lang = language if language in LANGUAGES else check.language
    lang = lang if lang in LANGUAGES else "en"
    texts: dict[str, str] = taxonomy["text"][lang]
    if check.about_someone_else:
        return _helper_response(check, country, lang)
    cats = check.categories or frozenset({RiskCategory.SUICIDAL_IDEATION})
    cssrs = check.cssrs
    ranked = sorted(cats, key=lambda c: (-severity_of(c, cssrs), _PRIORITY.index(c)))
    entries = [taxonomy["category"][c.value] for c in ranked]
    urgent = max(check.severity, severity_of(ranked[0], cssrs)) >= int(taxonomy["urgent"])
    emergency = emergency_number(country, texts)

    parts: list[str] = []
    if urgent:
        parts.append(texts["emergency_first"].format(emergency=emergency))
    if check.others_in_danger and not check.about_someone_else:
        # "my friend just took a whole bottle of pills and i want to die too": both of them.
        parts.append(taxonomy["helper"]["also"][lang])
    if RiskCategory.ABUSE in cats and RiskCategory.HARM_TO_OTHERS in cats:
        # A threat next to a disclosure is the abuser's threat (to the writer or their family):
        # the words are the abuse ones; the urgency (emergency number first) stays.
        ranked = [c for c in ranked if c is not RiskCategory.HARM_TO_OTHERS]
        entries = [taxonomy["category"][c.value] for c in ranked]
    first = lead.strip() if lead and lead.strip() and lang == "en" else entries[0]["lead"][lang]
    said = [first]
    for category, entry in zip(ranked, entries, strict=True):
        say = _say(category, entry, check, cats, lang)
        if say and say not in said and len(said) < 3:
            said.append(say)
    parts.append(" ".join(said))
    question = next((e["ask"][lang] for e in entries if "ask" in e), None) if ask else None
    if question:
        parts.append(question)
    kinds = [kind for entry in entries for kind in entry.get("helplines", ())]
    parts.append(bulleted_helplines(country, kinds, lang, emergency_led=urgent))
    parts.append(texts["closing"])
    return "\n\n".join(parts)


def _helper_response(check: SafetyCheck, country: str | None, lang: str) -> str:
    """The reply to someone asking how to help another person (``[helper]`` in
    ``risk_taxonomy.toml``): what helps, the lines for them to call together (the kinds the
    flagged categories name, with the general crisis line) and the emergency line, and how
    the writer is holding up. Never the question whether the writer is suicidal, nor
    overdose advice meant for the person at risk."""
    taxonomy = load_toml("risk_taxonomy.toml")
    texts: dict[str, str] = taxonomy["text"][lang]
    helper = taxonomy["helper"]
    emergency = emergency_number(country, texts)
    kinds = sorted(
        {k for c in check.categories for k in taxonomy["category"][c.value].get("helplines", ())}
    )
    if check.others_in_danger:
        # The other person is in danger now (the rules read it, or the classifier read
        # immediate danger in a message about them alone): the emergency number leads, and
        # nothing is asked. A classifier flag on a helper's question alone is not enough.
        lines = bulleted_helplines(country, kinds, lang, emergency_led=True)
        return "\n\n".join([helper["urgent"][lang].format(emergency=emergency), lines])
    lines = bulleted_helplines(country, kinds, lang, emergency_led=False)
    said = f"{helper['lead'][lang]} {helper['say'][lang].format(emergency=emergency)}"
    return "\n\n".join([said, lines, helper["ask"][lang], texts["closing"]])


def _say(
    category: RiskCategory,
    entry: dict[str, object],
    check: SafetyCheck,
    cats: frozenset[RiskCategory],
    lang: str,
) -> str | None:
    """The sentence one category adds, fitted to the others it comes with.

    Immediate danger from someone else (with abuse, no self-directed category) gets the
    get-to-safety sentence, not "move away from anything you could hurt yourself with"; with
    harm to others alone it adds nothing (that category's own sentence says keep distance).
    The self-harm wound-care sentence is left out when only the classifier read self-harm and
    the rules read suicidal ideation or danger (a gun bought "for myself" is not a wound)."""
    texts = entry.get("say", {})
    if category is RiskCategory.IMMEDIATE_DANGER and not cats & _SELF_DIRECTED:
        if RiskCategory.ABUSE in cats:
            texts = entry.get("say_abuse", texts)
        elif RiskCategory.HARM_TO_OTHERS in cats:
            return None
    if (
        category is RiskCategory.SELF_HARM
        and RiskCategory.SELF_HARM not in check.worded
        and check.worded & {RiskCategory.SUICIDAL_IDEATION, RiskCategory.IMMEDIATE_DANGER}
    ):
        return None
    if category is RiskCategory.IMMEDIATE_DANGER and texts is entry.get("say"):
        return danger_sentence(lang, check.means)
    assert isinstance(texts, dict)
    say = texts.get(lang)
    return str(say) if say else None


#: The order the means sentences come in when a message names several.
_MEANS_ORDER: tuple[str, ...] = ("height", "tracks", "gas", "overdose")


def danger_sentence(language: str, means: Iterable[str] | None) -> str:
    """What the person can do now about a danger to themselves, in ``language``: the sentence
    of each danger named (``say_means`` in ``risk_taxonomy.toml``: step back from the edge,
    off the tracks, out into fresh air, medical help after an overdose); the general "move
    away from anything you could hurt yourself with" when the words named none; the overdose
    advice and the general sentence as one (``say_unread``) when the words were not read
    (``means`` None: a check built from context, "i already took them", must never lose the
    overdose advice)."""
    entry = load_toml("risk_taxonomy.toml")["category"][RiskCategory.IMMEDIATE_DANGER.value]
    lang = language if language in LANGUAGES else "en"
    by_means: dict[str, dict[str, str]] = entry["say_means"]
    general = str(entry["say"][lang])
    if means is None:
        return str(entry["say_unread"][lang])
    named = [kind for kind in _MEANS_ORDER if kind in set(means)]
    if not named:
        return general
    return " ".join(str(by_means[kind][lang]) for kind in named)


def direct_question(language: str | None = None) -> str:
    """The direct question about suicide in ``language`` (default English), for a reply the
    conversation risk state marks ``ask_directly`` (``risk_taxonomy.toml``, suicidal ideation)."""
    lang = language if language in LANGUAGES else "en"
    entry = load_toml("risk_taxonomy.toml")["category"][RiskCategory.SUICIDAL_IDEATION.value]
    return str(entry["ask"][lang])


#: Categories whose check-in is the direct question about suicide (C-SSRS screen, item 2).
_ASK_ABOUT_SUICIDE = frozenset(
    {
        RiskCategory.SUICIDAL_IDEATION,
        RiskCategory.FAREWELL,
        RiskCategory.SELF_HARM,
        RiskCategory.IMMEDIATE_DANGER,
    }
)


def check_in(
    watch: Iterable[RiskCategory],
    country: str | None,
    language: str | None = None,
    *,
    ask: bool = True,
    means: Iterable[str] | None = None,
) -> str:
    """A gentle check-in for a message only the classifier's recall band saw (not flagged):
    the whole reply, never after a reflection (which would echo the risk words back, "so you
    want to s uicide", or open with the bank's English note in another language).

    Thanks them, asks directly (about suicide when ``watch`` holds a self-directed category,
    else whether they are safe) and lists the helplines of the kinds those categories name (as
    :func:`crisis_response` does: child, domestic-violence, eating-disorder lines) with the
    general crisis line and the emergency line, so someone at risk still has a way to help,
    while a look-alike gets a question rather than the full crisis answer. When a category is
    urgent (immediate danger: severity 4 in ``risk_taxonomy.toml``) the emergency number comes
    first, as in the crisis reply: a short "pills in my hand" the rules missed is asked about,
    but never without the number to call, nor without the immediate-danger sentence ("if you
    have already taken something, get medical help now"). ``ask=False`` (the question was
    just asked and not answered yes) leaves the question out: thanks and the lines only.
    ``means`` (``SafetyCheck.means`` of the message) fits that sentence to the danger named
    (:func:`danger_sentence`); None keeps the overdose advice beside the general sentence.
    """
    lang = language if language in LANGUAGES else "en"
    taxonomy = load_toml("risk_taxonomy.toml")
    texts: dict[str, str] = taxonomy["text"][lang]
    watched = sorted(set(watch), key=_PRIORITY.index)
    emergency = emergency_number(country, texts)
    if not ask:
        question = f"{texts['check_in_lead']} {texts['check_in_again']}"
    elif _ASK_ABOUT_SUICIDE.intersection(watched):
        question = f"{texts['check_in_lead']} {direct_question(lang)}"
    elif watched == [RiskCategory.EATING_DISORDER]:
        question = f"{texts['check_in_lead']} {texts['check_in_eating']}"
    else:
        question = f"{texts['check_in_lead']} {texts['check_in']}"
    urgent = any(severity_of(c) >= int(taxonomy["urgent"]) for c in watched)
    if urgent:
        danger = _check_in_danger(frozenset(watched), lang, means)
        first = texts["emergency_first"].format(emergency=emergency)
        question = f"{first} {danger}\n\n{question}"
    kinds = [k for c in watched for k in taxonomy["category"][c.value].get("helplines", ())]
    return f"{question}\n{bulleted_helplines(country, kinds, lang, emergency_led=urgent)}"


def _check_in_danger(
    watched: frozenset[RiskCategory], lang: str, means: Iterable[str] | None
) -> str:
    """The immediate-danger sentence of an urgent check-in, as :func:`_say` fits it in the
    crisis reply: for a danger to themselves, :func:`danger_sentence`; for danger from someone
    else (abuse, nothing self-directed) "get somewhere safer"; for harm to others (nothing
    self-directed: "the voices tell me to hurt my mother") distance from the person, never
    overdose advice."""
    category = load_toml("risk_taxonomy.toml")["category"]
    if watched & _SELF_DIRECTED or not watched & {RiskCategory.ABUSE, RiskCategory.HARM_TO_OTHERS}:
        return danger_sentence(lang, means)
    if RiskCategory.ABUSE in watched:
        return str(category[RiskCategory.IMMEDIATE_DANGER.value]["say_abuse"][lang])
    return str(category[RiskCategory.HARM_TO_OTHERS.value]["say"][lang])


def before_you_go(country: str | None, language: str | None = None) -> str:
    """The lines again when someone signs off while their conversation's risk is raised: a
    short lead, the country's crisis line(s) and the emergency line, in ``language``."""
    lang = language if language in LANGUAGES else "en"
    texts: dict[str, str] = load_toml("risk_taxonomy.toml")["text"][lang]
    listed = bulleted_helplines(country, ("crisis",), lang, emergency_led=False)
    return f"{texts['before_you_go']}\n{listed}"


def crisis_reply(country: str | None, lead: str | None = None) -> str:
    """The English crisis answer for suicidal ideation (the old single-category reply), kept
    for callers that have no :class:`SafetyCheck`; see :func:`crisis_response`."""
    check = make_check({RiskCategory.SUICIDAL_IDEATION})
    return crisis_response(check, country, "en", lead)
