"""Ordinary-chat negatives for the risk classifier's trainer (never imported at run time).

The labelled files under ``data/risk_train`` hold invented risk lines and HARD negatives
(look-alikes: "this exam is killing me"); a model trained on them alone never sees everyday
writing and put about a fifth of ordinary Reddit comments in its confident band. This module
supplies the missing everyday text:

* GoEmotions comments (Demszky et al. 2020, Reddit, English), read from
  ``../shared/data/goemotions_ekman/{train,dev}.tsv`` (``text<TAB>labels<TAB>id``) at
  training time and never copied into the repository; ``train`` for fitting, the first
  comments of ``dev`` (held apart) for choosing the cuts;
* hand-written everyday lines in every language (``data/risk_chat/<lang>.tsv``, one message
  a line), since GoEmotions is English only.

A comment is used as a "none" example only when it is clearly not a disclosure: the crisis
rules (``responses.safety.screen``) do not flag it and it contains none of a broad list of
risk words (``RISK_WORDS``; dropping too many costs nothing, a real disclosure labelled
"none" would teach the model to miss it).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Collection, Sequence
from pathlib import Path

from responses.safety import screen

ROOT = Path(__file__).resolve().parents[1]
GOEMOTIONS = ROOT.parent / "shared" / "data" / "goemotions_ekman"
CHAT_TRAIN = GOEMOTIONS / "train.tsv"
CHAT_DEV = GOEMOTIONS / "dev.tsv"
HAND_DIR = Path(__file__).resolve().parent / "data" / "risk_chat"

#: Words and stems that may belong to a risk disclosure (suicide, self-harm, eating disorders,
#: abuse, psychosis, violence, danger, despair). Deliberately broad: a false match only drops
#: an ordinary comment from the negatives.
RISK_WORDS = re.compile(
    r"suicid|\bkill|\bkms\b|\bdie\b|\bdied\b|\bdies\b|\bdying\b|\bdead\b|\bdeath|\bcut|"
    r"self.?harm|\bharm|overdos|\bod\b|\bods\b|\bpills?\b|\babus|\brap(e|ed|ist)\b|\bhurt|"
    r"\bbeat|\bhit(s|ting)?\b|\bpunch|\bslap|\bchok|\bstrangl|\bstab|\bshoot|\bshot\b|\bgun|"
    r"\bknife|\bblade|\brazor|\bblood|\bbleed|\bscar|\bburn|\bhang|\bnoose|\bjump|\bbridge|"
    r"\bstarv|\bvomit|\bpurg|\bthrow(ing)? up|\blaxativ|anorex|bulimi|\bbinge|\bfat\b|\bweight|"
    r"\bcalorie|\bvoices?\b|\bhallucin|\bparanoi|\bwatching me|\bmurder|\bviolen|\bweapon|"
    r"\bend (it|my)|\bgoodbye|\bfarewell|\bworthless|\bhopeless|\bpointless|\bno point|"
    r"\bhate (myself|my life)|\bmyself\b|\balive\b|\bliving\b|\bdisappear|\bgone\b|\bbury|"
    r"\bfuneral|\bgrave\b|\bdepress|\banxi|\bpanic|\btrauma|\bcrisis|\bhelp\b|\bscared|\bafraid|"
    r"\bpolice|\bhospital|\bemergency|\bdanger|\bunsafe|\bthreat|\bmolest|\bgroom|\bassault|"
    r"\bcry|\bcrying|\btears\b|\blonely|\balone\b|\bempty\b|\bnumb\b|\btired of|\bcan'?t take",
    re.IGNORECASE,
)

#: GoEmotions masks people's names as ``[NAME]``; real messages never contain the token, so it
#: is replaced by a name (chosen by the text's hash, so the same comment always reads the same)
#: rather than letting the model learn "[NAME]" as a sign of ordinary chat.
_NAMES = ("Sam", "Alex", "Maria", "Tom", "Priya", "Jonas", "Lea", "Omar", "Kate", "Luis")


def is_clear_chat(text: str) -> bool:
    """Whether a comment may serve as a "none" example: the crisis rules do not flag it and it
    has none of ``RISK_WORDS``."""
    return bool(text.strip()) and not RISK_WORDS.search(text) and not screen(text).flagged


def _unmask(text: str) -> str:
    name = _NAMES[int(hashlib.sha1(text.encode()).hexdigest(), 16) % len(_NAMES)]
    return text.replace("[NAME]", name).replace("[RELIGION]", "church")


def read_goemotions(path: Path) -> list[str]:
    """Every comment of a GoEmotions TSV (``text<TAB>labels<TAB>id``), in file order.

    Raises OSError when the file is missing or unreadable.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[0].strip() for line in lines if line.strip()]


def sample_chat(path: Path, n: int, seed: int, exclude: Collection[str] = frozenset()) -> list[str]:
    """``n`` clear comments (``is_clear_chat``) drawn from ``path`` with a seeded RNG, names
    unmasked; fewer when the file has fewer. Comments in ``exclude`` (the held-apart sample:
    GoEmotions repeats short comments such as "Thank you!" across its splits) are never drawn.
    """
    texts = sorted(set(read_goemotions(path)) - set(exclude))
    random.Random(seed).shuffle(texts)
    chosen: list[str] = []
    for text in texts:  # screening every comment would take minutes; stop at n
        if len(chosen) == n:
            break
        if is_clear_chat(text):
            chosen.append(_unmask(text))
    return chosen


def first_comments(path: Path, n: int, clear_only: bool = True) -> list[str]:
    """The first ``n`` comments of ``path`` (the held-apart ordinary-chat sample), names
    unmasked; with ``clear_only`` those that ``is_clear_chat`` drops are left out (a
    disclosure in the sample is not a false alarm)."""
    texts = read_goemotions(path)[:n]
    return [_unmask(t) for t in texts if not clear_only or is_clear_chat(t)]


def read_hand_written(directory: Path = HAND_DIR) -> list[tuple[str, str]]:
    """(language, text) for every line of ``directory/<lang>.tsv``; ``#`` lines are comments."""
    rows: list[tuple[str, str]] = []
    for path in sorted(directory.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                rows.append((path.stem, line.strip()))
    return rows


def file_digest(paths: Sequence[Path]) -> str:
    """SHA-256 of the files' bytes, in the order given (the GoEmotions files read)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()
