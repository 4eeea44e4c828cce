"""Fresh examples of the families a rules-only tester found missed (issue 13, second pass).

Written for these tests, in different words from the tester's messages; never tuned on the
held-out set. Each row: (text, language, categories that must be in the check, minimum C-SSRS
level, must be urgent). ``NEGATIVES`` are look-alikes that must stay unflagged.
"""

from __future__ import annotations

from responses.risk import CssrsLevel, RiskCategory

SI = RiskCategory.SUICIDAL_IDEATION
DANGER = RiskCategory.IMMEDIATE_DANGER
SH = RiskCategory.SELF_HARM
ED = RiskCategory.EATING_DISORDER
C = CssrsLevel

Row = tuple[str, str, frozenset[RiskCategory], CssrsLevel, bool]


def _r(text: str, lang: str, cats: set[RiskCategory], level: CssrsLevel, urgent: bool) -> Row:
    return (text, lang, frozenset(cats), level, urgent)


# 1. plan + means + timing (urgent; immediate danger when the means are at hand now)
PLAN_MEANS_TIMING: list[Row] = [
    _r("this is it, tonight i go through with it. i've worked out how", "en", {SI}, C.PLAN, True),
    _r(
        "the rope's in the boot of my car, i'm just waiting for my wife to fall asleep",
        "en",
        {SI},
        C.PLAN,
        True,
    ),
    _r(
        "i've got the whole packet of tablets sitting next to me and the lid is already off",
        "en",
        {SI, DANGER},
        C.PREPARATORY_BEHAVIOUR,
        True,
    ),
    _r("been going over and over in my head how i would end it", "en", {SI}, C.METHOD, False),
    _r(
        "picked up a handgun last week and it's meant for me",
        "en",
        {SI},
        C.PREPARATORY_BEHAVIOUR,
        True,
    ),
    _r(
        "kept back my meds for weeks, tomorrow night i swallow the lot",
        "en",
        {SI},
        C.PREPARATORY_BEHAVIOUR,
        True,
    ),
    _r(
        "i know exactly how im going to do it and its happening this weekend",
        "en",
        {SI},
        C.PLAN,
        True,
    ),
    _r(
        "j'ai mis de côté mes cachets depuis un mois, cette nuit je les avale tous",
        "fr",
        {SI},
        C.PLAN,
        True,
    ),
    _r("ce soir c'est le soir, je sais comment je vais le faire", "fr", {SI}, C.PLAN, True),
    _r(
        "llevo semanas guardando pastillas y esta noche me las tomo todas", "es", {SI}, C.PLAN, True
    ),
    _r(
        "tengo las pastillas delante de mí ahora mismo, ya abiertas",
        "es",
        {SI, DANGER},
        C.PREPARATORY_BEHAVIOUR,
        True,
    ),
    _r(
        "ich habe seit Wochen Tabletten gesammelt, heute Nacht nehme ich sie alle",
        "de",
        {SI},
        C.PLAN,
        True,
    ),
    _r(
        "die Tabletten liegen jetzt vor mir und die Packung ist schon offen",
        "de",
        {SI, DANGER},
        C.PREPARATORY_BEHAVIOUR,
        True,
    ),
    _r("ik heb pillen gespaard en vannacht neem ik ze allemaal in", "nl", {SI}, C.PLAN, True),
    _r("de pillen liggen nu voor me klaar", "nl", {SI, DANGER}, C.PREPARATORY_BEHAVIOUR, True),
]

# 2. explicit German and Dutch (suicide with a time; better off without me; purging)
EXPLICIT_DE_NL: list[Row] = [
    _r("heute Nacht bringe ich mich um", "de", {SI}, C.PLAN, True),
    _r("ich werde mir morgen das Leben nehmen", "de", {SI}, C.PLAN, True),
    _r("vanavond maak ik mezelf van kant", "nl", {SI}, C.PLAN, True),
    _r("ik ga mezelf morgen ophangen", "nl", {SI}, C.PLAN, True),
    _r("jeder hier wäre ohne mich besser dran", "de", {SI}, C.WISH_TO_BE_DEAD, False),
    _r("ze zijn allemaal beter af zonder mij", "nl", {SI}, C.WISH_TO_BE_DEAD, False),
    _r("ich übergebe mich absichtlich, damit ich nicht zunehme", "de", {ED}, C.NONE, False),
    _r("nach dem Abendessen breche ich immer alles wieder aus", "de", {ED}, C.NONE, False),
    _r("ik kots expres na het eten", "nl", {ED}, C.NONE, False),
    _r("ik geef over zodat ik niet aankom", "nl", {ED}, C.NONE, False),
]

# 3. emoji and coded (an emoji with a first-person time, "again" or "myself" is a signal)
EMOJI_CODED: list[Row] = [
    _r("all of these 💊 tonight", "en", {SI}, C.PLAN, True),
    _r("💊💊💊💊 bye", "en", {SI}, C.WISH_TO_BE_DEAD, False),
    _r("🔫 myself", "en", {SI}, C.METHOD, False),
    _r("just want to 🔫 me", "en", {SI}, C.METHOD, False),
    _r("🩸🔪 again tonight", "en", {SH}, C.NONE, False),
    _r("gonna be with my nan soon if u know what i mean", "en", {SI}, C.WISH_TO_BE_DEAD, False),
    _r("bald bin ich bei opa, ihr wisst schon was ich meine", "de", {SI}, C.WISH_TO_BE_DEAD, False),
]

# 4. look-alikes: hyperbole, greetings, goodbyes, grief without risk, reading, helping a friend,
#    and ordinary medicine, cooking and plans that share words with the families above.
NEGATIVES: list[tuple[str, str]] = [
    ("diese prüfung bringt mich um", "de"),
    ("der Chef bringt mich noch um mit seinen Mails", "de"),
    ("tonight's the night! the concert is finally here", "en"),
    ("i know how i'm going to do it: flour first, then the eggs", "en"),
    ("bought a rifle for hunting season with my dad", "en"),
    ("remember to take your pills tonight before bed", "en"),
    ("taking my 💊 tonight before bed as usual", "en"),
    ("🔪🥕 chopping carrots for the soup", "en"),
    ("new knife set arrived 🔪 cooking steak again tonight", "en"),
    ("🔫 pew pew lol", "en"),
    ("🔫 me now, this meeting is endless", "en"),
    ("🔪", "en"),
    ("er macht mir das Leben schwer", "de"),
    ("die Kinder bringen mich um den Schlaf", "de"),
    ("bye everyone, see you tomorrow 👋", "en"),
    ("my grandpa died last year and I still miss him", "en"),
    ("going to see grandpa at the care home soon", "en"),
    ("reading a book about self-harm recovery for my course", "en"),
    ("how can i help my friend who says she wants to die?", "en"),
    ("ich nehme heute Abend meine Tabletten wie immer", "de"),
    ("Tschüss, bis morgen!", "de"),
    ("ce soir je prends mes médicaments comme d'habitude", "fr"),
    ("ma grand-mère est morte l'an dernier, elle me manque", "fr"),
    ("esta noche me tomo la pastilla para dormir", "es"),
    ("estoy leyendo un libro sobre autolesiones para clase", "es"),
    ("vanavond neem ik mijn pillen in zoals altijd", "nl"),
    ("hoe kan ik mijn vriendin helpen die zichzelf snijdt?", "nl"),
    ("ik geef over van de griep", "nl"),
]


# A second fresh batch, written after the first batch's fixes and scored once before any rule
# was changed for it (first try: 13/22 flagged, 3/12 look-alikes flagged). All must be flagged.
BATCH_2: list[tuple[str, str]] = [
    (
        "the belt's already hanging from the wardrobe, "
        "just need everyone out of the house tomorrow",
        "en",
    ),
    ("ive got 60 paracetamol in my drawer and ive picked sunday", "en"),
    ("holding the razor right now, not sure i can stop this time", "en"),
    ("got my grandads old shotgun out of the loft. it's for me", "en"),
    ("been saving my insulin for a week. i know what im doing with it", "en"),
    ("bottle of vodka and all my sertraline lined up on the bed", "en"),
    ("about to 💊 all of them", "en"),
    ("🔪 on my wrist again", "en"),
    ("morgen früh springe ich von der Brücke", "de"),
    ("ich hab das Seil schon im Keller, warte nur bis alle schlafen", "de"),
    ("ich kotze jeden Abend absichtlich, damit ich abnehme", "de"),
    ("meine Familie wäre ohne mich viel besser dran", "de"),
    ("j'ai acheté une corde hier, c'est pour moi", "fr"),
    ("les médicaments sont devant moi, la boîte est ouverte", "fr"),
    ("je me fais vomir après chaque repas pour ne pas grossir", "fr"),
    ("mañana por la noche me mato, ya lo tengo todo preparado", "es"),
    ("tengo una cuerda guardada y espero a que todos se duerman", "es"),
    ("vomito a propósito después de cenar", "es"),
    ("ik heb een touw gekocht en wacht tot iedereen slaapt", "nl"),
    ("morgen spring ik voor de trein", "nl"),
    ("ik spuug expres alles uit na het eten", "nl"),
]
NEGATIVES += [
    ("bought a rope for the climbing trip tomorrow", "en"),
    ("my meds are next to me on the nightstand, took them already", "en"),
    ("waiting for everyone to fall asleep so i can eat the last cake lol", "en"),
    ("i know exactly how i'm going to do it tomorrow, the presentation will be great", "en"),
    ("🔪🧅 prepping dinner tonight again", "en"),
    ("💊💊💊 vitamin time tonight", "en"),
    ("heute Nacht schlafe ich endlich mal aus", "de"),
    ("das Wetter bringt mich noch um", "de"),
    ("ce soir je prends l'avion, je sais comment je vais faire pour le bagage", "fr"),
    ("esta noche me tomo todas las uvas de nochevieja", "es"),
    ("morgen ga ik met de trein naar oma", "nl"),
    ("ik heb pillen voor mijn allergie, ze liggen klaar voor morgen", "nl"),
]
