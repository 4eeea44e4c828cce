"""Composes the smaller, machine-combined part of the risk classifier's English training data.

``python -m responses.risk_compose`` writes ``responses/data/risk_train/en_composed.tsv`` from
the hand-written fragments below (openers x cores x endings, then chat noise: lower case,
dropped punctuation, a dropped letter). Seeded, so the file is reproducible; the hand-written
``en.tsv`` stays the larger part of the training set. Never imported at run time.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from responses.risk import RiskCategory as C

OUT = Path(__file__).resolve().parent / "data" / "risk_train" / "en_composed.tsv"
HEADER = (
    "# Risk classifier TRAINING data — invented messages written for training; not a test set."
    "\n# Composed by responses/risk_compose.py (seeded) from hand-written fragments.\n"
)

OPENERS = [
    "",
    "",
    "",
    "honestly ",
    "tbh ",
    "idk ",
    "ok so ",
    "i just need to say it, ",
    "hey. ",
    "sorry to bother you but ",
    "not sure why im telling a bot but ",
    "it's late and ",
    "cant sleep. ",
    "so yeah. ",
    "ugh. ",
    "i need to tell someone. ",
    "please dont judge. ",
]
ENDINGS = [
    "",
    "",
    "",
    " tonight",
    " rn",
    " idk",
    " and nobody knows",
    " and i don't know what to do",
    "...",
    " again",
    " lately",
    " and i'm scared",
    " i mean it",
    " for real",
    " tbh",
    " please",
    " every day now",
    " and i can't stop",
]

POSITIVE: dict[tuple[C, ...], list[str]] = {
    (C.SUICIDAL_IDEATION,): [
        "i keep wishing i wouldn't wake up",
        "i want to end my life",
        "i don't want to live anymore",
        "i've been thinking about killing myself",
        "i want to be dead",
        "i've been looking up ways to die",
        "i know how i'd do it",
        "i've been saving pills to end it",
        "i've decided to end my life",
        "i'm planning to kill myself",
        "everyone would be better off if i was gone",
        "i think about suicide all the time",
        "i want it all to stop forever",
        "i've picked a date to end it",
        "i looked up how much it takes to overdose",
        "i want to go be with my mum who passed",
        "there's no reason for me to stay alive",
        "i'm thinking about jumping off the bridge",
        "i'm a burden and i should just die",
        "i wish i could just die",
        "i'm going to kill myself",
        "i feel like ending it all",
    ],
    (C.FAREWELL,): [
        "this is my goodbye",
        "i've written letters for everyone",
        "i gave away all my things",
        "tell my family i love them, this is the last message",
        "you won't hear from me again",
        "thank you for everything, goodbye forever",
        "i've put my affairs in order, nothing left to do",
        "my note is on the table",
        "i said goodbye to everyone today without them knowing",
        "this is my last post",
        "please look after my cat when i'm gone",
    ],
    (C.SELF_HARM,): [
        "i cut myself",
        "i've been cutting again",
        "i burned myself on purpose",
        "i want to hurt myself",
        "i hit myself until i bruise",
        "i relapsed on self harm",
        "i have fresh cuts on my arms",
        "i need to cut",
        "i scratch myself till i bleed",
        "the urge to self harm is back",
    ],
    (C.EATING_DISORDER,): [
        "i made myself throw up after eating",
        "i've been purging",
        "i took laxatives to lose weight",
        "i haven't eaten in days",
        "i'm starving myself",
        "i only let myself eat 300 calories",
        "i binge and then throw up",
        "i hide food so nobody knows i'm not eating",
        "i'm underweight and still want to lose more",
        "i feel disgusting every time i eat",
    ],
    (C.ABUSE,): [
        "my dad hits me",
        "my boyfriend hurts me",
        "my uncle touches me and says it's a secret",
        "someone online is asking me for nude pics and i'm 13",
        "my husband beats me",
        "my partner won't let me leave the house",
        "i'm scared to go home because of my stepdad",
        "he forced me to have sex",
        "my mum hits me with things",
        "an older guy told me to keep our chats secret",
    ],
    (C.PSYCHOSIS,): [
        "the voices are telling me to hurt myself",
        "a voice keeps telling me to kill",
        "the voices say i have to die",
        "i hear voices ordering me to hurt people",
        "the voices want me to jump",
        "god is telling me to hurt my family",
    ],
    (C.HARM_TO_OTHERS,): [
        "i'm going to kill him",
        "i want to hurt my ex",
        "i'm going to stab someone",
        "i'm bringing a gun to school",
        "i'm scared i'll hurt my baby",
        "i'm going to make them all pay with blood",
        "i want to poison my roommate",
        "i'm going to burn his house down",
    ],
    (C.IMMEDIATE_DANGER, C.SUICIDAL_IDEATION): [
        "i have the pills in my hand right now",
        "i just took all my pills",
        "i'm on the bridge right now",
        "i'm on the roof about to jump",
        "the rope is ready and i'm doing it now",
        "i've taken an overdose",
        "i'm holding the knife to my wrist right now",
    ],
}

NEG_TEMPLATES: list[tuple[str, list[list[str]]]] = [
    (
        "{0} is killing me",
        [
            [
                "this essay",
                "my back",
                "the heat",
                "this traffic",
                "work",
                "this cold",
                "the suspense",
                "my commute",
                "this diet",
                "revision",
            ]
        ],
    ),
    (
        "{0} is going to kill me if {1}",
        [
            ["my mum", "my boss", "my dad", "my coach", "my wife", "my teacher", "my sister"],
            [
                "i'm late again",
                "i break another plate",
                "i forget the milk",
                "i fail this test",
                "i crash the car",
                "he sees my room",
            ],
        ],
    ),
    (
        "died {0} times on {1}",
        [
            ["ten", "twenty", "50", "so many", "like 100"],
            [
                "that boss",
                "the last level",
                "the raid",
                "dark souls",
                "this map",
                "the final dungeon",
            ],
        ],
    ),
    (
        "{0} the {1} and {2}",
        [
            ["cut", "chop", "slice", "dice", "beat", "whisk"],
            ["onions", "carrots", "eggs", "potatoes", "chicken", "butter"],
            ["fry them gently", "add salt", "leave to rest", "bake for 20 minutes", "set aside"],
        ],
    ),
    (
        "i used to {0} but {1}",
        [
            [
                "cut myself",
                "starve myself",
                "think about dying",
                "purge",
                "hear voices",
                "live with an abusive partner",
            ],
            [
                "i've been free of it for years",
                "therapy really helped",
                "i'm doing great now",
                "i'm in recovery and happy",
                "i got help and it got better",
            ],
        ],
    ),
    (
        "my {0} {1}, how can i help {2}?",
        [
            ["friend", "sister", "brother", "son", "daughter", "student", "coworker"],
            [
                "self harms",
                "says she wants to die",
                "stopped eating",
                "is in an abusive relationship",
                "hears voices",
                "talks about suicide",
            ],
            ["them", "them best", "without making it worse"],
        ],
    ),
    (
        "{0} about {1} for {2}",
        [
            [
                "reading",
                "writing an essay",
                "watching a documentary",
                "taking notes",
                "doing a presentation",
            ],
            [
                "suicide prevention",
                "eating disorders",
                "domestic violence",
                "self harm in teens",
                "psychosis",
                "child protection",
            ],
            ["uni", "my psych class", "nursing school", "work training", "a podcast"],
        ],
    ),
    (
        "{0}, goodbye {1}!",
        [
            [
                "moving to london next week",
                "last day at the office",
                "heading off to university",
                "leaving for my year abroad",
                "packing the last boxes",
                "my last shift",
            ],
            ["everyone", "guys", "team", "old flat", "friends"],
        ],
    ),
    (
        "giving away my {0} before {1}",
        [
            ["old sofa", "books", "clothes", "bike", "kids' toys"],
            ["the move", "we emigrate", "the renovation", "spring cleaning"],
        ],
    ),
    (
        "i'm {0} today but {1}",
        [
            ["sad", "tired", "a bit down", "stressed", "lonely", "grumpy"],
            [
                "i'll be fine",
                "tomorrow is a new day",
                "my friends are coming over",
                "a walk helped",
                "talking helps",
            ],
        ],
    ),
    (
        "{0} lol",
        [
            [
                "i'm dead",
                "kill me now it's monday",
                "i want to die of embarrassment",
                "that meme killed me",
                "literally dying",
                "im deceased",
                "rip me",
            ]
        ],
    ),
    (
        "how {0} is the {1}",
        [
            ["high", "long", "old", "famous"],
            ["eiffel tower", "golden gate bridge", "shard", "burj khalifa", "tower bridge"],
        ],
    ),
    (
        "{0} for my {1}",
        [
            [
                "took some ibuprofen",
                "picked up paracetamol",
                "got antibiotics",
                "took an antihistamine",
            ],
            ["headache", "cold", "allergies", "back pain", "toothache"],
        ],
    ),
    (
        "{0} {1}",
        [
            [
                "the character in the book",
                "the villain in the film",
                "my D&D character",
                "the hero in the game",
            ],
            [
                "wants revenge",
                "hears voices",
                "kills the king",
                "poisons the duke",
                "jumps off a cliff and survives",
            ],
        ],
    ),
]


def _noise(text: str, rng: random.Random) -> str:
    """Chat noise: no capitals, no final punctuation, sometimes one letter dropped."""
    if rng.random() < 0.3:
        text = text.rstrip(".!?")
    if rng.random() < 0.15 and len(text) > 12:
        i = rng.randrange(1, len(text) - 1)
        if text[i].isalpha():
            text = text[:i] + text[i + 1 :]
    return text


def compose(seed: int = 13, n_positive: int = 320, n_negative: int = 560) -> list[str]:
    """Distinct ``labels<TAB>text`` lines, positives then negatives, deterministic for a seed."""
    rng = random.Random(seed)
    seen: set[str] = set()
    lines: list[str] = []
    keys = list(POSITIVE)
    while len(lines) < n_positive:
        key = rng.choice(keys)
        core = rng.choice(POSITIVE[key])
        text = _noise(rng.choice(OPENERS) + core + rng.choice(ENDINGS), rng)
        if text not in seen:
            seen.add(text)
            lines.append(",".join(sorted(c.value for c in key)) + "\t" + text)
    negatives = 0
    while negatives < n_negative:
        template, slots = rng.choice(NEG_TEMPLATES)
        text = _noise(template.format(*(rng.choice(s) for s in slots)), rng)
        if text not in seen:
            seen.add(text)
            lines.append("none\t" + text)
            negatives += 1
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.write_text(HEADER + "\n".join(compose(args.seed)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
