"""Reflective listening: say back what the person told us, in their words, from our side.

Counsellors reflect content ("It sounds like your interview went badly") before they ask
anything (Miller & Rollnick, *Motivational Interviewing*, simple reflections; Rogers'
person-centred "reflection of content and feeling"). Here that is done offline and cheaply:

1. The message is tokenised with NLTK's ``TweetTokenizer`` (no data download needed) and cut
   into clauses at sentence punctuation.
2. The clause that carries the news is chosen: not a formula ("thanks", "lol"), not a stock
   sarcastic tag ("love that for me"), preferring the clause after "but" and clauses about the
   person's own life (first person, a named person or thing of theirs).
3. Its point of view is turned around: I -> you, my -> your, me -> you, am -> are, was ->
   were, and the other way for "you" (attune). Contractions are handled whole ("I'm" ->
   "you're").
4. The result is checked; if it is long, a question, or not a plain clause we can vouch for,
   the reflection falls back to the topic noun phrase ("your flatmate"), and if there is none,
   to nothing: the reply then uses a plainer template. A broken sentence is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from nltk.tokenize import TweetTokenizer

#: Longest clause we echo back, in words; longer ones are shortened at "and"/"because" or
#: replaced by the topic noun phrase.
MAX_EVENT_WORDS = 14
MIN_EVENT_WORDS = 2


@dataclass(frozen=True, slots=True)
class Reflection:
    """What to say back. Every field is ready to drop into a sentence, or None.

    ``event``: a clause from our side ("your interview went really badly this afternoon").
    ``belief``: the same for a clause about the future or a fixed belief ("you'll end up
    alone"): it must be reflected as what they fear, never echoed as a fact.
    ``topic``: the main person or thing ("your interview"). The feeling itself is said by the
    reply template chosen for the tone, not echoed from the words.
    """

    event: str | None = None
    belief: str | None = None
    topic: str | None = None


@cache
def _tokenizer() -> TweetTokenizer:
    return TweetTokenizer(preserve_case=True, reduce_len=True, strip_handles=True)


# Point-of-view swaps; a contraction is one TweetTokenizer token ("I'm", "don't").
_SWAP = {
    "i": "you",
    "i'm": "you're",
    "im": "you're",
    "i've": "you've",
    "ive": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "ill": None,  # "ill" is a word too: leave it
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "am": "are",
    "we": "you",
    "we're": "you're",
    "we've": "you've",
    "we'll": "you'll",
    "we'd": "you'd",
    "our": "your",
    "ours": "yours",
    "us": "you",
    "ourselves": "yourselves",
    "you": "me",
    "your": "my",
    "yours": "mine",
    "yourself": "myself",
    "you're": "I'm",
    "youre": "I'm",
    "you've": "I've",
    "you'll": "I'll",
    "you'd": "I'd",
    "u": "me",
    "ur": "your",
}


def _words_set(words: str) -> frozenset[str]:
    """A word list written as one string, as people would type it."""
    return frozenset(words.split())


_PAST_BE_AFTER_I = {"was": "were", "wasn't": "weren't", "wasnt": "weren't"}
_YOU_SUBJECT_BE = {"are": "am", "were": "was", "aren't": "am not", "weren't": "wasn't"}

#: A subjectless clause starting with a state, not an action: it takes "I'm".
_FEELING_FIRST = re.compile(
    r"^(?:tired|exhausted|worried|scared|excited|bored|stressed|sick|fed|done|sad|happy|"
    r"anxious|nervous|angry|lonely|proud|glad|sorry|upset|annoyed|overwhelmed|hungry|"
    r"[a-z]{3,}ed\s+(?:of|about|with|at|by|that))\b"
)
#: "I'm fine", "I feel so tired": a bare state; plain replies answer it better than an echo.
_STATE_ONLY = re.compile(
    r"^(?:I'?m|im|I\s+am|I\s+feel|I\s+felt|I\s+was)\s+(?:(?:so|really|very|pretty|quite|"
    r"just|kinda|a\s+bit|a\s+little|totally|super|fine|ok|okay|good|great|tired|bad|sad|"
    r"happy|meh|alright|exhausted|stressed|bored|sick|down|low|great|well|not)\s*)+$",
    re.I,
)
_META = re.compile(
    r"^\s*(?:i\s+(?:told|said|mean|meant|already\s+said)|like\s+i\s+said|as\s+i\s+said)\b"
)
_QUESTION = re.compile(
    r"^\s*(?:can|could|would|will|should|shall|do|does|did|is|are|am|was|were|have|has|what|"
    r"how|why|when|where|who|which)\b(?!['’])",
    re.I,
)
_PREPOSITIONS = _words_set(
    "with at to for about of from on by like than without around towards into onto"
)
#: Words that cannot follow a subject "you" as its verb.
_NOT_A_VERB = _words_set(
    "the a an my your our his her their this that these those so too very much more a lot "
    "and but or because if when i i'm me you he she it we they again back now today anyway "
    "already either though"
)
_FILLERS = _words_set(
    "like literally honestly basically tbh ngl lol lmao omg ugh um uh idk fr rn just so really"
)
_DROP_LEAD = _words_set(
    "and but so well anyway also then oh hey hi hello ok okay yeah yes no um wow ugh sigh "
    "welp hmm yay guess what update still"
)
#: Sentence-initial capitalised words that are ordinary nouns, not names.
_COMMON_START = _words_set(
    "work school college uni university today yesterday tonight life everything everyone "
    "nothing nobody things mum mom dad grandma grandpa family home money"
)
#: A clause may not end on one of these (it would dangle).
_BAD_END = _words_set(
    "the a an my your our to of for in on at with from and but or so because that which who "
    "is are was were be been"
)
#: A clause with one of these states a belief or fear about the future, not an event.
_BELIEF = re.compile(
    r"^you(?:'ll|\s+will|\s+won't|'re\s+(?:never\s+|not\s+)?(?:going\s+to|gonna)|"
    r"\s+(?:always|never)\b|'ll\s+(?:never|always))|\bforever\b|\bever\s+again\b|"
    r"\bfor\s+the\s+rest\s+of\s+your\s+life\b|"
    r"^(?:everyone|everybody|nobody|no\s+one|people)\b.*\b(?:always|eventually|ever|never)\b"
)
#: A rhetorical "why do I always ..." is said back as the belief it carries.
_WHY_ME = re.compile(
    r"^\s*why\s+(?:do|does|did|can'?t|am|is)\s+(i|everything|everyone|nobody)\b\s*", re.I
)
#: Asides that would read wrongly once turned around ("I guess" -> "you guess").
_ASIDE = re.compile(r"\b(?:i\s+guess|i\s+mean|you\s+know|i\s+suppose|i\s+think)\b[,]?\s*", re.I)
_LAUGHTER = re.compile(r"^(?:h[ae]h[ae]\w*|lol+|lmf?ao+|hehe+|xd+|rofl)$", re.I)
_SUBJECTS = _words_set(
    "you your you're you've you'll you'd we our they their he his she her it its it's there "
    "there's this that these those the a an everyone everything nobody someone people today "
    "yesterday tonight work school life nothing nothing's everything's that's no nobody things "
    "stuff mum mom dad mother father brother sister boss partner wife husband girlfriend "
    "boyfriend friend teacher doctor grandma grandpa"
)
#: Chat drops the subject ("failed my exam"); these verbs are safe to give "you" back.
_SUBJECTLESS_VERB = re.compile(
    r"^(?:got|get|lost|had|have|went|did|made|broke|failed|fell|found|saw|took|passed|finished|"
    r"started|quit|won|missed|forgot|burned|burnt|spent|feel|felt|can't|cant|couldn't|"
    r"keep|kept|need|want|love|hate|miss|think|thought|wish|moved|met|tried|"
    r"[a-z]{3,}ed)$"
)
_STOP_TOPIC = _words_set(
    "is was are were has had have never always just really keeps keep kept never isn't wasn't "
    "doesn't didn't won't can't and but or so to of for in on at with from that who which "
    "what when because about again still too also very who's it's today yesterday tonight "
    "tomorrow now this last morning afternoon evening night week though tho anyway says "
    "thinks wants needs gets goes makes takes tells asks knows likes loves hates lives works "
    "seems looks feels will would can could should might must"
)
_VERBISH = re.compile(r"^(?:[a-z]+ed|went|got|left|came|said|told|made|broke|died|passed)$")
_STOCK_TAG = re.compile(
    r"^(?:love\s+that\s+for\s+me|just\s+(?:great|perfect|fantastic|wonderful)|"
    r"(?:wow|great|fantastic|perfect|brilliant|awesome|amazing|lovely|nice|cool|yay|ugh|"
    r"oh|sigh|lol|haha|omg|hi|hey|hello|thanks|thank\s+you|ok|okay|well)"
    r"(?:\s+(?:wow|great|fantastic|perfect|just|so|really|oh))*)$"
)
_NOT_TOPIC = _words_set(
    "own life day time way head mind fault rest worst best same other whole first last end "
    "thing things point lot most least only month year week weekend morning evening night"
)
_NOUNISH_SECOND = _words_set("test exam interview job boss flat car partner")
_SPLIT = re.compile(r"(?<=[.!?;])\s+|\s*[.!?;]+\s*|\n+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_ASCII_WORD = re.compile(r"^[\w'’-]+$", re.UNICODE)
_CONTRAST = re.compile(r"\b(?:but|though|although)\b", re.IGNORECASE)


def swap_person(words: list[str]) -> list[str] | None:
    """Turn a clause's point of view around (I -> you, you -> me), or None if unsure.

    ``words`` are tokens without punctuation. Verb agreement: "I was" -> "you were", "you
    are" -> "I am"; any other verb keeps its form because "I" and "you" share it in English.
    """
    out: list[str] = []
    previous_was_i = previous_was_you = False
    for i, word in enumerate(words):
        low = word.lower().replace("\u2019", "'")
        if low == "ill" or low == "id":
            return None  # "ill"/"id" or a typo for "I'll"/"I'd": cannot tell
        if previous_was_i and low in _PAST_BE_AFTER_I:
            out.append(_PAST_BE_AFTER_I[low])
        elif previous_was_you and low in _YOU_SUBJECT_BE:
            out.append(_YOU_SUBJECT_BE[low])
        elif low in ("you", "u"):
            # Subject "you" -> "I", object "you" -> "me". Object after a preposition, at the
            # end, or before a word that cannot be its verb ("told you the truth", "love you
            # so much"); otherwise a verb follows and it is the subject.
            nxt = words[i + 1].lower() if i + 1 < len(words) else ""
            before = words[i - 1].lower() if i > 0 else ""
            subject = i == 0 or (
                bool(nxt) and before not in _PREPOSITIONS and nxt not in _NOT_A_VERB
            )
            out.append("I" if subject else "me")
        elif low in _SWAP and _SWAP[low] is not None:
            swapped = _SWAP[low]
            assert swapped is not None
            out.append(swapped)
        else:
            out.append(word)
        previous_was_i = low == "i"
        previous_was_you = low in ("you", "u")
    return out


def _words(clause: str) -> list[str]:
    tokens = _tokenizer().tokenize(_URL.sub(" ", clause))
    return [t for t in tokens if _ASCII_WORD.match(t) and not t.startswith("#")]


def _clean_lead(words: list[str]) -> list[str]:
    while words and (words[0].lower() in _DROP_LEAD or words[0].lower() in _FILLERS):
        if words[0].lower() == "no" and len(words) > 1 and words[1].lower() in {"one", "body"}:
            break  # "no one gets it" keeps its subject
        words = words[1:]
    return [
        w
        for w in words
        if w.lower() not in {"tbh", "ngl", "omg", "ugh", "idk"} and not _LAUGHTER.match(w)
    ]


def _clauses(text: str) -> list[str]:
    """Sentences, and the comma-separated parts of each ("wow, fantastic, my car ...")."""
    parts: list[str] = []
    for sentence in _SPLIT.split(text):
        sentence = sentence.strip(" ,")
        if sentence:
            parts.extend(p.strip() for p in re.split(r"\s*,\s*", sentence) if p.strip())
    return parts


def _shorten(words: list[str]) -> list[str]:
    if len(words) <= MAX_EVENT_WORDS:
        return words
    lowered = [w.lower() for w in words]
    for cut in ("because", "cause", "since", "and", "so", "which", "when"):
        if cut in lowered[MIN_EVENT_WORDS + 1 :]:
            at = lowered.index(cut, MIN_EVENT_WORDS + 1)
            if at <= MAX_EVENT_WORDS:
                return words[:at]
    return []


def _score(clause: str) -> float:
    low = clause.lower()
    score = float(len(clause.split()))
    if re.search(r"\b(?:i|i'm|im|my|me|i've|we|our)\b", low):
        score += 10
    if re.search(r"\b(?:my|our)\s+\w", low):
        score += 3  # names someone or something of theirs
    if _STOCK_TAG.match(" ".join(_words(low))):
        score -= 100
    if _META.match(low):
        score -= 50  # "I told you already" is about the chat, not their news
    return score


#: "X is killing me": an idiom for "X is a lot"; said back literally it sounds absurd or grim.
_KILLING = re.compile(
    r"^(.*?\S)\s*(?:\s(is|are|was|were)|('s|'re))\s+(?:literally\s+|actually\s+|really\s+|"
    r"honestly\s+|absolutely\s+|so\s+|just\s+)?(?:killing|murdering|destroying)\s+me\b.*$",
    re.I,
)
#: Death hyperbole ("I'm dead", "dying of embarrassment"): never echoed as news.
_DEATH_HYPERBOLE = re.compile(
    r"\b(?:i'?m|im|i\s+am)\s+(?:literally\s+|actually\s+|so\s+|lowkey\s+)?(?:dead|dying|"
    r"deceased)\b|\bdying\s+(?:of|from|with|laughing)\b|\bkill\s+me\s+now\b|"
    r"\bcould\s+(?:have\s+|'ve\s+)?died\b|\bdeath\s+of\s+me\b",
    re.I,
)


def _idiom(clause: str) -> str | None:
    """The clause with a hyperbolic idiom said plainly, or None when it cannot be said back."""
    if _DEATH_HYPERBOLE.search(clause):
        return None
    killing = _KILLING.match(clause)
    if killing:
        verb = killing.group(2) or {"'s": "is", "'re": "are"}[killing.group(3).lower()]
        present = {"was": "is", "were": "are"}.get(verb.lower(), verb.lower())
        return f"{killing.group(1)} {present} a lot right now"
    return clause


def _event(clause: str) -> str | None:
    idiom = _idiom(clause.replace("\u2019", "'"))
    if idiom is None:
        return None
    clause = idiom
    why = _WHY_ME.match(clause)
    if why:
        clause = f"{why.group(1)} {clause[why.end() :]}"
    elif _QUESTION.match(clause):
        return None  # a question is answered, never said back as news
    clause = clause if clause.lower().startswith(("i think", "i guess")) else _ASIDE.sub("", clause)
    words = _clean_lead(_words(clause))
    if len(words) < MIN_EVENT_WORDS:
        return None
    first = words[0].lower()
    if first in {"i", "i'm", "im", "i've", "i'd", "i'll", "my", "we", "our", "we're"}:
        pass
    elif _FEELING_FIRST.match(" ".join(w.lower() for w in words[:2])):
        words = ["I'm", *words]  # "tired of pretending" -> "you're tired of pretending"
    elif (
        first in {"finally", "just", "actually", "already", "also", "literally"}
        and len(words) > 2
        and _SUBJECTLESS_VERB.match(words[1].lower())
        and words[2].lower() not in {"me", "us"}
    ):
        words = ["I", *words]  # "finally finished my first marathon"
    elif _SUBJECTLESS_VERB.match(first):
        if len(words) > 1 and words[1].lower() in {"me", "us"}:
            return None  # "wish me luck", "tell me": a request to attune, not news
        words = ["I", *words]
    elif first not in _SUBJECTS and not (words[0][:1].isupper() and first not in {"i"}):
        return None
    words = _shorten(words)
    if len(words) < MIN_EVENT_WORDS or _STATE_ONLY.match(" ".join(words)):
        return None
    swapped = swap_person(words)
    if swapped is None:
        return None
    if words[0].lower() == "i":
        # "I missed the bus and was late" -> "... and were late": the subject carries over.
        for i in range(1, len(swapped)):
            if swapped[i] in _PAST_BE_AFTER_I and swapped[i - 1].lower() in {"and", "but", "then"}:
                swapped[i] = _PAST_BE_AFTER_I[swapped[i]]
    # Lower-case the first word unless it is a name ("Sam quit" stays "Sam").
    head = swapped[0]
    name = words[0][:1].isupper() and words[0].lower() not in {*_SWAP, *_SUBJECTS, *_COMMON_START}
    if head != "I" and not name:
        swapped[0] = head[:1].lower() + head[1:]
    if swapped[0] == "I" or swapped[-1].lower() in _BAD_END:
        return None
    return " ".join(swapped)


def topic_of(text: str) -> str | None:
    """The main person or thing of theirs named in ``text``, as "your X" (1-2 words), or None.

    Possessives are the reliable cue in chat ("my flatmate", "my driving test"); when there is
    none, "the X"/"this X" is taken with its determiner kept.
    """
    words = _words(text)
    lowered = [w.lower() for w in words]
    for i, word in enumerate(lowered[:-1]):
        if word not in {"my", "our", "the", "this", "his", "her", "their"}:
            continue
        noun: list[str] = []
        for w in lowered[i + 1 : i + 3]:
            if w in _STOP_TOPIC or _VERBISH.match(w) or w in _SWAP or not w.isalpha():
                break
            noun.append(w)
        if len(noun) == 2 and noun[1] not in _NOUNISH_SECOND and noun[1].endswith(("ly", "ing")):
            noun = noun[:1]
        if not noun or noun[0] in _NOT_TOPIC:
            continue
        det = {"my": "your", "our": "your"}.get(word, word)
        return f"{det} {' '.join(noun)}"
    return None


def reflect(text: str, *, focus: str | None = None) -> Reflection:
    """Build a reflection of ``text``; ``focus`` is the clause the reading weighed most.

    Contrast is reflected whole ("you love this job, but you're exhausted all the time") when
    both sides make clean clauses, because naming both halves is what makes a person feel
    heard.
    """
    clauses = _clauses(text)
    event = None
    contrast = _CONTRAST.search(text)
    if contrast is not None and focus is not None:
        at = text.lower().rfind(focus.lower())
        before = text[:at] if at > 0 else ""  # "we found him though": no other side
        before = re.sub(r"[\s,]*\b(?:but|though|although|yet)\s*$", "", before, flags=re.I)
        before_clause = _clauses(before)[-1] if _clauses(before) else ""
        left, right = _event(before_clause), _event(re.sub(r"\s+(?:though|tho)$", "", focus))
        if left and right and len(left.split()) + len(right.split()) <= MAX_EVENT_WORDS + 2:
            event = f"{left}, but {right}"
        elif right:
            event = right
    if event is None and contrast is None and focus is not None:
        # A denial then the truth: "I'm not upset with you, just worn out".
        at = text.lower().rfind(focus.lower())
        left_text = re.sub(r"[,\s]*\bjust\s*$", "", text[:at], flags=re.IGNORECASE)
        left = _event(left_text) if at > 0 else None
        truth = swap_person(_words(focus))
        if left and truth and len(truth) <= 4 and truth[-1].lower() not in _BAD_END:
            event = f"{left}, just {' '.join(truth)}"
    if event is None and clauses:
        best = max(clauses, key=_score)
        if _score(best) > 0:
            event = _event(best)
    if event is not None and _BELIEF.search(event):
        return Reflection(belief=event, topic=topic_of(text))
    return Reflection(event=event, topic=topic_of(text))
