"""The project's own Kazakh lemmatiser, and the stage that lemmatises kk/ru/en tokens.

``KazakhLemmatizer`` generates every way a word can be cut into a stem and a chain of
Kazakh endings (right to left: predicative person or similative, case, possessive,
plural, then for verbs participle/verbal noun/finite ending, negation and passive),
checks each ending against vowel harmony and consonant assimilation with the stem before
it, undoes final-consonant voicing (``кітабы → кітап``, ``жүрегі → жүрек``) and dropped
vowels (``аузы → ауыз``), and picks one stem by cost: a stem the dictionary knows beats
one it does not, fewer endings beat more, and a passive verb is reduced to its base
(UD Kazakh lemmas do so: ``жазылған → жаз``). The dictionary is the stem list of the
system's hunspell-kk (``/usr/share/hunspell/kk_KZ.dic``) where installed, plus a short
list of common stems written here; without hunspell the rules still apply.

A word-form frequency list from licensed Kazakh text (``resources/data/kk_wordfreq.tsv``,
see ``kk_wordfreq.md``) weighs the candidates: a stem seen in other forms in text counts
as known even when hunspell lacks it, well-attested stems are preferred and unattested
ones penalised (``дауысы → дауыс``, not ``дауы``). Closed-class words (``бойынша``,
``алайда``, ``кейін``) are their own lemma. Verbal nouns in ``-у`` go to their verb
(``алуға → ал``) unless the verb is not seen in text (``отау``, ``күйеу``).

Lemmas are lower case. Derivational endings that make a new word (``-лық``, ``-шы``,
``-сыз``) are kept, as UD Kazakh mostly does. Agent forms in ``-ушы`` go to their verb as
in UD (``айтушы → айт``), except the common agent nouns listed here (``оқушы``,
``жазушы``, ``қатысушы``): news needs the noun.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from birlik.domain.records import Document, Token
from birlik.nlp.morph_ru import russian_analyzer

logger = logging.getLogger(__name__)

HUNSPELL_KK = Path("/usr/share/hunspell/kk_KZ.dic")
WORDFREQ_FILE = "kk_wordfreq.tsv"

BACK = frozenset("аоұы")
FRONT = frozenset("әөүіе")
VOWELS = frozenset("аәеиоөуұүыіэюяё")
VOICELESS = frozenset("пкқтсшфхцчщ")
SONORANT_WRY = frozenset("руй")
VOICED_C = frozenset("лмнңзжбвгғд")
_DEVOICE = {"ғ": "қ", "г": "к", "б": "п"}

MIN_STEM = 2
# A stem seen this often in other forms counts as known without the dictionary.
MIN_EVIDENCE = 3
# How much one unit of log frequency of a stem is worth against one letter of endings cut.
EVIDENCE_WEIGHT = 0.5
# Beyond this (log) the count says more about look-alike words than about the stem.
EVIDENCE_CAP = 6.0
# With a frequency list, a dictionary stem never seen in text is a worse guess.
UNATTESTED_COST = 0.5
SHORT_STEM_COST = 2.0
# Two-letter verbs are common (ал, аш, іл, ки): a dictionary verb of two letters costs less.
SHORT_VERB_COST = 1.0
# A dictionary word this many times commoner than the other forms of its would-be stem is
# kept whole (derived adjectives: ``маңызды`` is not ``маңыз`` + accusative).
LEXEME_RATIO = 2.0
# ``боп`` is taken for ``болып`` only when the verb is this many times commoner than ``боп``.
CONTRACTION_RATIO = 10
_MEMO_LIMIT = 200_000

def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Pronouns, copula and other irregular forms: (lemma, forms). Written for this project.
# Demonstratives of quality and manner (мұндай, солай) go to their pronoun, as in UD Kazakh.
_IRREGULAR: tuple[tuple[str, str], ...] = (
    ("мен", "мен менің маған мені менде менен меннен менімен"),
    ("сен", "сен сенің саған сені сенде сенен сеннен сенімен"),
    ("ол", "ол оның оған оны онда одан онымен онан аның ондай олай"),
    ("олар", "олар олардың оларға оларды оларда олардан олармен оларсыз"),
    ("біз", "біз біздің бізге бізді бізде бізден бізбен"),
    ("сіз", "сіз сіздің сізге сізді сізде сізден сізбен"),
    ("сіздер", "сіздер сіздердің сіздерге сіздерді сіздерде сіздерден сіздермен"),
    ("жат", "жатыр жатырмын жатырсың жатырмыз жатырсыз жатырсыңдар жатырсыздар"),
    ("сендер", "сендер сендердің сендерге сендерді сендерде сендерден сендермен"),
    ("бұл", "бұл бұның мұның бұған мұған бұны мұны мұнда бұдан мұнан бұнымен мұнымен бұлар "
            "бұлардың бұларға бұларды бұларда бұлардан мұндай бұндай мұндайды былай"),
    ("осы", "осы осының осыған осыны осында осыдан осымен осылар осындай осылай"),
    ("сол", "сол соның соған соны сонда содан сонымен солар солардың соларға сондай солай"),
    ("ана", "ананың анаған"),
    ("кім", "кім кімнің кімге кімді кімде кімнен кіммен"),
    ("не", "не ненің неге нені неде неден немен"),
    ("е", "еді едім едің едік едіңіз екен екенін екені екендігі емес емеспін "
          "емессің емеспіз ерді"),
    ("де", "деп деді дейді деген дейтін деу деуге дегенмен десе дер"),
    ("жыл", "жылы"),
    ("өз", "өзі өзім өзің өзіңіз өзіміз өздері"),
    ("үш", "үшінші"),
    ("ғой", "ғой"),
)

# Common stems (nouns, verbs, adjectives) that rules alone cut wrongly or that end like
# an ending (``бала`` is not ``бал`` + converb ``-а``). Written for this project.
_STEMS = _words(
    "бала қала дала ана ата аға әке әже апа іні қыз ұл ер әйел адам халық ел жер су тау "
    "көл өзен орман үй мектеп кітап жүрек тарақ тіл сөз өмір дүние жыл ай күн апта сағат "
    "тарих мемлекет ұлт этнос қазақ орыс өзбек ұйғыр татар кәріс неміс украин дұңған түрік "
    "әзербайжан шешен қырғыз тәжік келісім бірлік достық татулық ынтымақ қоғам ассамблея "
    "облыс аудан ауыл көше мәслихат әкім әкімдік министрлік үкімет президент парламент "
    "депутат заң құқық сот полиция прокуратура азамат тұрғын жұмыс білім ғылым мәдениет "
    "өз дін мешіт шіркеу тіл жастар жас ауыл қызыл жасыл көңіл ақыл өкіл биыл оқушы жазушы "
    "оқытушы тұтынушы пайдаланушы қатысушы зерттеуші тыңдаушы сатушы "
    "отбасы орын ауыз мұрын ерін мойын қойын ерік "
    "бөрік көрік құлық қарын халық ой сана шара жоба бағдарлама мәселе жағдай жауап сұрақ "
    "бар кел ал бер айт жаз оқы біл көр тұр отыр жүр жат бол қыл ет жаса істе сөйле ойла "
    "шық кір түс қал өт кет сал қой ұста тап сат қос тіз тіре төк ти жи қорық "
    "баста құшақта тыңда қара сұра жыла тіле ашы аша жана жина жүргіз өткіз "
    "ұйымдастыр қатыс тірке айқында анықта қамтамасыз дамы дамыт нығайт сақта қорға "
    "тамаша ал бас төбе жол әр бір екі үш төрт бес алты жеті сегіз тоғыз он жүз мың "
    # the months, a closed class that ends like endings (тамыз is not та + -мыз)
    "қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан"
)

_VERB_STEMS = _words(
    "бар кел ал бер айт жаз оқы біл көр тұр отыр жүр жат бол қыл ет жаса істе сөйле ойла "
    "шық кір түс қал өт кет сал қой ұста тап сат қос тіз тіре төк ти жи қорық баста "
    "құшақта тыңда қара сұра жыла тіле жина жүргіз өткіз ұйымдастыр қатыс тірке айқында "
    "анықта дамы дамыт нығайт сақта қорға де же"
)

_NUMERALS = frozenset(_words(
    "бір екі үш төрт бес алты жеті сегіз тоғыз он жиырма отыз қырық елу алпыс жетпіс "
    "сексен тоқсан жүз мың"
))

# Stems whose last vowel drops before a vowel-initial ending, beyond the rule in ``_restore``.
# Stem-final vowel drop (орын → орны) is a rule (``_restore``); these few stems change
# otherwise.
_VOWEL_DROP = {"дәрм": "дәрмен"}
_DROP_BEFORE = frozenset("рлйумнзғқ")
_DROP_AFTER = frozenset("нзқкпм")

_PARTICLES = frozenset(_words("ау ақ ғой мыс ші шы ма ме ба бе па пе тағы"))

# Closed-class words (postpositions, conjunctions, adverbs, particles) that end like an
# ending but are their own lemma in UD Kazakh (``бойынша`` is not ``бой`` + ``-ынша``).
# Written for this project.
_FUNCTION_WORDS = frozenset(_words(
    "бойынша туралы арқылы кейін бірге дейін шейін сияқты секілді үшін қарай бері соң "
    "сайын қатар гөрі қарамастан жуық таман бұрын ретінде сәйкес қатысты байланысты "
    "басқа өзге бөлек және бірақ алайда немесе әрі яғни сондықтан өйткені егер әйтпесе "
    "сосын шынында әрине тіпті әсіресе әлі енді қазір бүгін кеше ертең мүлде мүлдем әбден "
    "өте тым аса жиі кейде әрқашан ешқашан қашан қайда қалай неге неліктен бірден алдымен "
    "шамамен кенеттен әзір қайта ғана қана тек ғой ақыры әрдайым орай міне онша сонша "
    "қанша неше қандай"
))
# The enclitic ``да`` in its harmony and assimilation variants.
_CLITIC_DA = {"де": "да", "та": "да", "те": "да"}

# --- ending inventories ---------------------------------------------------------------
# Each allomorph carries the context it needs on its left:
#   V  after a vowel              C  after any consonant      U  after a voiceless consonant
#   D  after a voiced consonant or р/у/й (the "д" forms)       A  anything but voiceless
#   R  after a vowel or р/у/й (the "л" of -лар)                N  after м/н/ң (-нан)
#   Z  after з/ж (-бен)  M  after a vowel, р/у/й, л, м, н, ң (-мен)  *  anywhere
_PLURAL = (("лар", "R"), ("лер", "R"), ("дар", "LZ"), ("дер", "LZ"), ("тар", "U"),
           ("тер", "U"))
_POSS = (
    ("ы", "C", "p3"), ("і", "C", "p3"), ("сы", "V", "p3"), ("сі", "V", "p3"),
    ("ым", "C", "p1"), ("ім", "C", "p1"), ("м", "V", "p1"),
    ("ың", "C", "p2"), ("ің", "C", "p2"), ("ң", "V", "p2"),
    ("ыңыз", "C", "p2"), ("іңіз", "C", "p2"), ("ңыз", "V", "p2"), ("ңіз", "V", "p2"),
    ("ымыз", "C", "p1"), ("іміз", "C", "p1"), ("мыз", "V", "p1"), ("міз", "V", "p1"),
)
# (form, context, requires possessive before: "p3", "p12" or "")
_CASE = (
    ("ның", "VN", ""), ("нің", "VN", ""), ("дың", "X", ""), ("дің", "X", ""), ("тың", "U", ""),
    ("тің", "U", ""),
    ("ны", "V", ""), ("ні", "V", ""), ("ды", "D", ""), ("ді", "D", ""), ("ты", "U", ""),
    ("ті", "U", ""), ("н", "V", "p3"),
    ("ға", "A", "np"), ("ге", "A", "np"), ("қа", "U", "np"), ("ке", "U", "np"), ("на", "V", "p3"),
    ("не", "V", "p3"), ("а", "*", "p12"), ("е", "*", "p12"),
    ("да", "A", ""), ("де", "A", ""), ("та", "U", ""), ("те", "U", ""), ("нда", "V", "p3"),
    ("нде", "V", "p3"),
    ("дан", "AL", ""), ("ден", "AL", ""), ("тан", "U", ""), ("тен", "U", ""), ("нан", "N", ""),
    ("нен", "N", ""), ("нан", "V", "p3"), ("нен", "V", "p3"),
    ("мен", "M", ""), ("бен", "Z", ""), ("пен", "U", ""), ("менен", "M", ""),
)
# Endings outside case: similative, equative, locative-attributive, predicative person.
_OUTER = (
    ("дай", "A", ""), ("дей", "A", ""), ("тай", "U", ""), ("тей", "U", ""),
    ("ндай", "V", "p3"), ("ндей", "V", "p3"),
    ("ша", "*", ""), ("ше", "*", ""), ("нша", "V", "p3"), ("нше", "V", "p3"),
    ("дағы", "A", ""), ("дегі", "A", ""), ("тағы", "U", ""), ("тегі", "U", ""),
    ("ндағы", "V", "p3"), ("ндегі", "V", "p3"),
    ("мын", "M", ""), ("мін", "M", ""), ("бын", "Z", ""), ("бін", "Z", ""), ("пын", "U", ""),
    ("пін", "U", ""),
    ("мыз", "M", ""), ("міз", "M", ""), ("быз", "Z", ""), ("біз", "Z", ""), ("пыз", "U", ""),
    ("піз", "U", ""),
)
# Participles, verbal nouns and other verb forms that decline like nouns.
_VERBAL_NOMINAL = (
    ("ған", "A"), ("ген", "A"), ("қан", "U"), ("кен", "U"),
    ("ғандық", "A"), ("гендік", "A"), ("қандық", "U"), ("кендік", "U"),
    ("атын", "C"), ("етін", "C"), ("йтын", "V"), ("йтін", "V"),
    ("ар", "C"), ("ер", "C"), ("р", "V"), ("арлық", "C"), ("ерлік", "C"), ("рлық", "V"),
    ("рлік", "V"),
    ("мақ", "M"), ("мек", "M"), ("бақ", "Z"), ("бек", "Z"), ("пақ", "U"), ("пек", "U"),
    ("мақшы", "M"), ("мекші", "M"), ("пақшы", "U"), ("пекші", "U"),
    ("у", "*"),
    ("мас", "M"), ("мес", "M"), ("бас", "Z"), ("бес", "Z"), ("пас", "U"), ("пес", "U"),
)
_EVIDENTIAL_BACK = ("ты", "пын", "пыз", "сың", "сыз", "сыңдар", "сыздар")
_EVIDENTIAL_FRONT = ("ті", "пін", "піз", "сің", "сіз", "сіңдер", "сіздер")
_DESIRE_BACK = ("м", "ң", "сы", "мыз", "ңыз", "сын")
_DESIRE_FRONT = ("м", "ң", "сі", "міз", "ңіз", "сін")
_PERSON_2_BACK = ("сың", "сыз", "сыңдар", "сыздар")
_PERSON_2_FRONT = ("сің", "сіз", "сіңдер", "сіздер")
_PERSON_2 = _PERSON_2_BACK + _PERSON_2_FRONT
_PERSON_PAST = ("", "м", "ң", "ңыз", "ңіз", "қ", "к", "ңдар", "ңдер", "ңыздар", "ңіздер")
_PERSON_PRES = ("ды", "ді", "мын", "мін", "сың", "сің", "сыз", "сіз", "мыз", "міз",
                "сыңдар", "сіңдер", "сыздар", "сіздер")
# Finite verb endings and converbs that end the word: (form, context).
_FINITE: tuple[tuple[str, str], ...] = (
    *((past + person, ctx) for past, ctx in (("ды", "A"), ("ді", "A"), ("ты", "U"), ("ті", "U"))
      for person in _PERSON_PAST),
    *(("а" + p, "C") for p in _PERSON_PRES), *(("е" + p, "C") for p in _PERSON_PRES),
    *(("й" + p, "V") for p in _PERSON_PRES),
    *((cond + p, "*") for cond in ("са", "се") for p in ("", "м", "ң", "ңыз", "ңіз", "қ", "к")),
    ("сын", "*"), ("сін", "*"), ("ыңыз", "C"), ("іңіз", "C"), ("ңыз", "V"), ("ңіз", "V"),
    ("айын", "C"), ("ейін", "C"), ("йын", "V"), ("йін", "V"),
    ("айық", "C"), ("ейік", "C"), ("йық", "V"), ("йік", "V"),
    ("ып", "C"), ("іп", "C"), ("п", "V"), ("а", "C"), ("е", "C"), ("й", "V"),
    ("ғалы", "A"), ("гелі", "A"), ("қалы", "U"), ("келі", "U"),
    ("ғанша", "A"), ("генше", "A"), ("қанша", "U"), ("кенше", "U"),
    ("ғын", "A"), ("гін", "A"), ("қын", "U"), ("кін", "U"), ("шы", "*"), ("ші", "*"),
    # imperative plural, plain and polite
    ("ыңдар", "C"), ("іңдер", "C"), ("ңдар", "V"), ("ңдер", "V"),
    ("ыңыздар", "C"), ("іңіздер", "C"), ("ңыздар", "V"), ("ңіздер", "V"),
    # evidential past (-ыпты) with its persons
    *((conv + person, ctx)
      for conv, ctx, persons in (("ып", "C", _EVIDENTIAL_BACK), ("іп", "C", _EVIDENTIAL_FRONT),
                                 ("п", "V", _EVIDENTIAL_BACK + _EVIDENTIAL_FRONT))
      for person in persons),
    # desiderative (-ғысы кел-): the verbal noun in -ғы with a possessive
    *((des + poss, ctx) for des, ctx, persons in (
        ("ғы", "A", _DESIRE_BACK), ("қы", "U", _DESIRE_BACK), ("гі", "A", _DESIRE_FRONT),
        ("кі", "U", _DESIRE_FRONT)) for poss in persons),
    # aorist/future and participles with the second-person predicative endings
    *((part + person, ctx) for part, ctx, persons in (
        ("ар", "C", _PERSON_2_BACK), ("ер", "C", _PERSON_2_FRONT), ("р", "V", _PERSON_2),
        ("ған", "A", _PERSON_2_BACK), ("ген", "A", _PERSON_2_FRONT), ("қан", "U", _PERSON_2_BACK),
        ("кен", "U", _PERSON_2_FRONT), ("мақ", "M", _PERSON_2_BACK), ("мек", "M", _PERSON_2_FRONT))
      for person in persons),
)
_NEGATION = (("ма", "M"), ("ме", "M"), ("ба", "ZN"), ("бе", "ZN"), ("па", "U"), ("пе", "U"))
# Final verb endings that close no name (see ``_plainly_verbal``).
_PLAINLY_VERBAL = frozenset(_words(
    "атын етін йтын йтін ып іп ады еді йды йді"
))
_PASSIVE = (("ыл", "C"), ("іл", "C"), ("л", "V"))
# Reflexive/passive -ын and reciprocal -ыс: a chosen verb stem is reduced to its base when
# the base is a verb too (UD Kazakh lemmas drop voice: көрінеді → көр, бөлісеміз → бөл).
_VOICE_SUFFIXES = (("ын", "C"), ("ін", "C"), ("н", "V"), ("ыс", "C"), ("іс", "C"), ("с", "V"))
# Comparative degree of adjectives (``арзанырақ → арзан``, ``кішірек → кіші``).
_COMPARATIVE = (("ырақ", "C"), ("ірек", "C"), ("рақ", "V"), ("рек", "V"))

# Endings that are also derivational suffixes of adjectives and nouns: -лы/-ды/-ты (having),
# -лық/-дық/-тық, -ғы/-қы (relative), -дай (like), -ша, and a final -а/-е/-ар/-ын of a stem.
_DERIVATIONAL = frozenset(_words(
    "ды ді ты ті лы лі ғы гі қы кі дық дік тық тік лық лік қа ға ке ге а е дай дей тай тей "
    "ша ше ар ер р ын ін н"
))
_ACCUSATIVE_DT = frozenset(("ды", "ді", "ты", "ті"))
# A bare participle or verbal noun: personal and place names are made of them.
_NAME_LIKE_ENDINGS = frozenset(_words("ған ген қан кен у"))
# The derivational -лық/-дық/-тық (abstract nouns, relative adjectives) in its variants.
_DERIVED_LYQ = frozenset(_words("лық лік дық дік тық тік"))
_HAVING = ("лы", "лі", "ды", "ді", "ты", "ті")
# Endings that follow an adjective in -лы but never an accusative or a past tense.
_AFTER_ADJECTIVE = _words(
    "лық лік лығы лігі лығын лігін рақ рек ға ге да де ның нің лар лер сы сі"
)
_HARMONY_FREE = frozenset(("мен", "бен", "пен", "менен"))
_RISKY_ALONE = frozenset(_words("а е й р у п н м ң ы і ым ім ың ің ын ін йын йін шы ші ша ше"))
_CONVERB_ALONE = frozenset(_words("а е й п р"))
# Endings that are often part of a stem instead (``отау``, ``жер``, ``таң``, ``қанша``).
_AMBIGUOUS_COST = {
    "у": 2.5, "р": 1.1, "ар": 0.6, "ер": 0.6, "ша": 1.0, "ше": 1.0,
    "м": 2.0, "ң": 2.0, "ым": 2.0, "ім": 2.0, "ың": 2.0, "ің": 2.0,
}


@dataclass(frozen=True, slots=True)
class Analysis:
    stem: str
    verbal: bool
    endings: tuple[str, ...]
    passive: bool = False
    restored: bool = False


def last_vowel(text: str) -> str | None:
    for ch in reversed(text):
        if ch in VOWELS:
            return ch
    return None


@lru_cache(maxsize=1 << 16)
def harmonises(stem: str, ending: str) -> bool:
    """The ending's vowels agree in backness with the stem's last vowel (lenient for
    loanwords: и, у, ю, я, э, ё and a final soft sign accept either). Memoised: the cuts of
    one word ask it about the same few stems and endings many times."""
    ending_vowel = last_vowel(ending)
    if ending in _HARMONY_FREE or ending_vowel is None or ending_vowel not in BACK | FRONT:
        return True
    if stem.endswith("ь"):
        return True
    stem_vowel = last_vowel(stem)
    if stem_vowel is None or stem_vowel not in BACK | FRONT:
        return True
    if any(ch in BACK for ch in stem) and any(ch in FRONT for ch in stem):
        return True  # a loanword (Тоқаев, министр) mixes both: accept either
    if ending_vowel == "е" and stem_vowel in "аоұы":
        return False
    return (ending_vowel in BACK) == (stem_vowel in BACK)


def fits_context(stem: str, context: str) -> bool:
    """Consonant assimilation: does an allomorph with this context follow the stem?"""
    if not stem or context == "*":
        return bool(stem)
    last = stem[-1]
    if last == "ь" and len(stem) > 1:
        last = stem[-2]
    elif last == "и" and len(stem) > 1:
        last = "й"  # и spells ый/ій: endings after it are those after й (киіп, киді)
    return _fits(last, context)


@lru_cache(maxsize=4096)
def _fits(last: str, context: str) -> bool:
    """``fits_context`` for the stem's last letter (a small domain: memoised)."""
    checks = {
        "V": last in VOWELS and last not in "у",
        "Y": last in VOWELS,
        "C": last not in VOWELS or last == "у",
        "U": last in VOICELESS or last in "бвгғд",
        "D": last in SONORANT_WRY or last in "лмнңзж",
        "A": last not in VOICELESS,
        "R": last in VOWELS or last in SONORANT_WRY,
        "L": last in "лмнңзж",
        "X": last in "руйлзж",
        "N": last in "мнң",
        "Z": last in "зж",
        "M": last in VOWELS or last in "руйлмнң",
    }
    return any(checks.get(code, False) for code in context)


_NOUN_PROBES: tuple[tuple[str, str], ...] = (
    *((p, c) for p, c in _PLURAL), ("ы", "C"), ("і", "C"), ("сы", "V"), ("сі", "V"),
    *((f, c) for f, c, needs in _CASE if not needs and f != "менен"),
)
_VERB_PROBES: tuple[tuple[str, str], ...] = (
    ("ған", "A"), ("ген", "A"), ("қан", "U"), ("кен", "U"), ("ып", "C"), ("іп", "C"), ("п", "V"),
    ("ады", "C"), ("еді", "C"), ("йды", "V"), ("йді", "V"), ("ды", "A"), ("ді", "A"), ("ты", "U"),
    ("ті", "U"), ("атын", "C"), ("етін", "C"), ("йтын", "V"), ("йтін", "V"),
    ("са", "*"), ("се", "*"), ("маған", "M"), ("меген", "M"), ("баған", "ZN"), ("беген", "ZN"),
    ("паған", "U"), ("пеген", "U"), ("май", "M"), ("мей", "M"), ("бай", "ZN"), ("бей", "ZN"),
    ("пай", "U"), ("пей", "U"),
)
_VOICE = {"п": "б", "к": "г", "қ": "ғ"}


class Attestation:
    """How often a stem is seen in running text in its commonest forms, from a word-form
    frequency list. The form being lemmatised is left out of the count, so a stem is only
    supported by evidence other than the word itself (``тақ`` is not supported by
    ``тақта``), and so is its single commonest form, which is often another word that
    looks like a form of the stem (``тағы`` "again" is not ``тақ`` + ``-ы``)."""

    def __init__(self, frequencies: Mapping[str, int]) -> None:
        self.frequencies = frequencies
        self._seen: dict[tuple[str, bool], tuple[tuple[str, int], ...]] = {}
        self._bases: frozenset[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.frequencies)

    def bases(self) -> frozenset[str]:
        """What is left of the listed words after cutting a probe ending: a stem that is
        none of these (nor is its voiced form) has no attested probe form (built on first
        use; most stems the rules try are such)."""
        if self._bases is None:
            endings = {form for form, _ in _NOUN_PROBES + _VERB_PROBES}
            longest = max(map(len, endings))
            self._bases = frozenset(
                word[:-cut] for word in self.frequencies
                for cut in range(1, min(longest, len(word)) + 1) if word[-cut:] in endings)
        return self._bases

    def count(self, stem: str, *, verbal: bool, word: str) -> int:
        seen = self._seen.get((stem, verbal))
        if seen is None:
            probes = _VERB_PROBES if verbal else _NOUN_PROBES
            bases = self.bases()
            if stem not in bases and _voiced(stem) not in bases:
                probes = ()  # no listed word is the stem (or its voiced form) + a probe
            forms = _probe_forms(stem, probes, self.frequencies, verbal=verbal)
            seen = tuple((form, self.frequencies[form]) for form in forms)
            if len(self._seen) >= _MEMO_LIMIT:
                self._seen.clear()
            self._seen[(stem, verbal)] = seen
        counts = [count for form, count in seen if form != word]
        return sum(counts) - max(counts, default=0)

    def total(self, stem: str, *, verbal: bool, word: str) -> int:
        """All attested forms of the stem but ``word``, the commonest one included."""
        self.count(stem, verbal=verbal, word=word)
        return sum(count for form, count in self._seen[(stem, verbal)] if form != word)


def _probe_forms(stem: str, probes: tuple[tuple[str, str], ...], frequencies: Mapping[str, int],
                 *, verbal: bool) -> list[str]:
    """The attested forms of the stem; harmony and assimilation are checked only for the
    few candidate forms the list holds, which keeps a cold lookup cheap."""
    forms = [] if verbal or stem not in frequencies else [stem]
    voiced = _voiced(stem)
    for form, context in probes:
        candidate = (voiced if form[0] in VOWELS else stem) + form
        if candidate in frequencies and harmonises(stem, form) and fits_context(stem, context):
            forms.append(candidate)
    return list(dict.fromkeys(forms))


def _voiced(stem: str) -> str:
    """The stem before a vowel-initial probe ending: a final п/к/қ voiced (кітап → кітабы)."""
    return stem[:-1] + _VOICE[stem[-1]] if stem[-1:] in _VOICE and len(stem) > 2 else stem


def load_word_frequencies() -> dict[str, int]:
    """The shipped Kazakh word-form frequency list (``kk_wordfreq.md`` says how it was
    built); empty, with a warning, when the file is missing."""
    try:
        text = resources.files("birlik.resources").joinpath("data", WORDFREQ_FILE).read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        logger.warning("%s is missing: Kazakh lemmas are chosen without word frequencies",
                       WORDFREQ_FILE)
        return {}
    frequencies: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition("\t")
        if count.isdigit():
            frequencies[word] = int(count)
    return frequencies


_Entry = tuple[str, ...]


def _by_last_letter(table: tuple[_Entry, ...]) -> dict[str, tuple[_Entry, ...]]:
    """The entries of an ending table grouped by the ending's last letter, each group in
    the table's order: a word is only tried against the endings it can end with (the
    order of the cuts, which decides ties, is unchanged)."""
    groups: dict[str, list[_Entry]] = {}
    for entry in table:
        groups.setdefault(entry[0][-1], []).append(entry)
    return {last: tuple(entries) for last, entries in groups.items()}


def _endings_of(word: str, groups: Mapping[str, tuple[_Entry, ...]]) -> tuple[_Entry, ...]:
    return groups.get(word[-1:], ())


_OUTER_BY_LAST = _by_last_letter(_OUTER)
_CASE_BY_LAST = _by_last_letter(_CASE)
_POSS_BY_LAST = _by_last_letter(_POSS)
_PLURAL_BY_LAST = _by_last_letter(_PLURAL)
_FINITE_BY_LAST = _by_last_letter(_FINITE)
_VERBAL_NOMINAL_BY_LAST = _by_last_letter(_VERBAL_NOMINAL)


def _verb_shaped(stem: str) -> bool:
    """Can a Kazakh verb stem look like this? hunspell-kk's verb flags also sit on nouns
    in -у (``тау``, ``бау``) and on fragments; a verb stem has a vowel, does not open
    with two consonants, and a two-letter stem ending in a vowel ends in a high one
    (``ту``, ``қу``, ``ки``; the verbs ``де``, ``же`` are written in the stem list)."""
    if not any(ch in VOWELS for ch in stem):
        return False
    if len(stem) >= 2 and stem[0] not in VOWELS and stem[1] not in VOWELS:
        return False
    return not (len(stem) == 2 and stem[1] in VOWELS and stem[1] not in "уыіиү")


def _plainly_verbal(analysis: Analysis) -> bool:
    """A capitalised word is read as a name unless a verb ending no name ends with
    closes it: a converb in -ып (``Өліп``), a present or future in -йды/-ады
    (``Жарайды``), a participle in -атын (``Қорықпайтын``). A capital at the start of a
    sentence says nothing about the word; a participle in -ған or a negative in -бай does
    not count (``Төлеген``, ``Құнанбай`` are names)."""
    endings = analysis.endings
    return bool(endings) and len(analysis.stem) >= 2 and endings[-1] in _PLAINLY_VERBAL


def _strip(word: str, form: str, context: str, min_left: int = 1) -> str | None:

    if not word.endswith(form) or len(word) - len(form) < min_left:
        return None
    stem = word[: len(word) - len(form)] if form else word
    if not harmonises(stem, form) or not fits_context(stem, context):
        return None
    return stem


class KazakhLemmatizer:
    """Rule-based Kazakh lemmatiser; build once, then call ``lemma`` per word."""

    def __init__(self, hunspell_dic: Path | None = HUNSPELL_KK, *, use_hunspell: bool = True,
                 frequencies: Mapping[str, int] | None = None, memo_limit: int = _MEMO_LIMIT,
                 withhold: Collection[str] = ()) -> None:
        """``frequencies`` maps word forms to counts; ``None`` loads the shipped list,
        an empty mapping turns frequencies off. ``withhold`` names lemmas whose entries in
        the lists written here (stems, closed-class and irregular forms) are left out: the
        k-fold evaluation withholds the lemmas seen only in its held-out fold, as if the
        lists had been written from the training folds alone."""
        held = frozenset(withhold)
        self.exceptions: dict[str, str] = {w: w for w in _FUNCTION_WORDS if w not in held}
        self.exceptions.update((f, lemma) for f, lemma in _CLITIC_DA.items() if lemma not in held)
        for lemma, forms in _IRREGULAR:
            if lemma in held:
                continue
            for form in forms.split():
                self.exceptions[form] = lemma
        self.attested = Attestation(load_word_frequencies() if frequencies is None else frequencies)
        self.hand_stems: frozenset[str] = frozenset(_STEMS) - held
        self.hand_verbs: frozenset[str] = frozenset(_VERB_STEMS) - held
        self.vowel_drop = {cut: stem for cut, stem in _VOWEL_DROP.items() if stem not in held}
        self.protected: frozenset[str] = self.hand_stems - self.hand_verbs
        self.nouns: set[str] = set(self.hand_stems)
        self.verbs: set[str] = set(self.hand_verbs)
        self.verbal_nouns: set[str] = set()  # hunspell's verbs in -у, some of them nouns
        self.hunspell = False
        if use_hunspell and hunspell_dic is not None and hunspell_dic.exists():
            self._load_hunspell(hunspell_dic)
        self._memo: dict[str, str] = {}
        self._nominal_memo: dict[str, bool] = {}
        self._initial_memo: dict[str, bool] = {}
        self._best_memo: dict[str, Analysis] = {}
        self._memo_limit = memo_limit

    def _load_hunspell(self, path: Path) -> None:
        with path.open(encoding="utf-8", errors="replace") as handle:
            next(handle, None)  # the first line is the entry count
            for line in handle:
                entry, _, flags = line.strip().lstrip("\ufeff").partition("/")
                entry = entry.lower()
                if not entry or " " in entry:
                    continue
                if not flags.startswith("Mm"):
                    self.nouns.add(entry)
                elif entry.endswith("у") and len(entry) > 2:
                    # the infinitive shows a stem-final қ/к/п voiced before -у (ағу, табу):
                    # the verb is ақ, тап (ақты, тапты)
                    stem = entry[:-1]
                    if stem[-1] in _DEVOICE and stem[-2:-1] in VOWELS:
                        stem = stem[:-1] + _DEVOICE[stem[-1]]
                    self.verbs.add(stem)
                    self.verbal_nouns.add(entry)
                elif entry.endswith("ю") and len(entry) > 2:
                    # ю spells й + у: сүю = сүй + -у; after и (= ый/ій) the stem ends in и:
                    # кию = ки + -ю (киіп, киді)
                    self.verbs.add(entry[:-1] if entry[-2] == "и" else entry[:-1] + "й")
        self.verbs = {v for v in self.verbs if v in self.hand_verbs or _verb_shaped(v)}
        for verb in list(self.verbs):
            for vowel in "ыі":
                if verb + vowel in self.nouns:
                    self.verbs.add(verb + vowel)
        self.hunspell = True
        logger.debug("hunspell-kk: %d stems, %d verbs", len(self.nouns), len(self.verbs))

    def lemma(self, word: str, following: str | None = None, *, initial: bool = False) -> str:
        """The lemma of ``word``; ``following`` is the next word of the sentence, when
        known (it tells an adjective in -ды/-ты from an accusative, see ``_attributive``).
        ``initial``: the word opens a sentence, so its capital says little about it (see
        ``_initial_is_name``)."""
        lowered = word.lower().replace("ё", "е")
        capital = word[:1].isalpha() and not word[:1].islower()
        if capital and initial:
            name = self._initial_memo.get(lowered)
            if name is None:
                name = self._initial_is_name(lowered)
                if len(self._initial_memo) >= self._memo_limit:
                    self._initial_memo.clear()
                self._initial_memo[lowered] = name
            capital = name
        key = "^" + lowered if capital else lowered
        result = self._memo.get(key)
        if result is None:
            result = self._lemma(lowered, proper=key.startswith("^"))
            if len(self._memo) >= self._memo_limit:
                self._memo.clear()
            self._memo[key] = result
        if following and not capital:
            return self._read_with(lowered, result, following)
        return result

    def with_following(self, word: str, lemma: str, following: str) -> str:
        """``lemma(word, following)`` for a word that is not capitalised, given ``lemma``,
        its lemma out of context (``lemma(word)``): the stage memoises that per word form
        and asks this only of the words the rules changed."""
        return self._read_with(word.lower().replace("ё", "е"), lemma, following)

    def _read_with(self, lowered: str, lemma: str, following: str) -> str:
        if lemma != lowered and self._attributive(lowered, lemma, following):
            return lowered
        return lemma

    def _initial_is_name(self, word: str) -> bool:
        """Does a capital that only opens a sentence still mark a name? A name reads
        like a noun with case endings, so only a verb form is taken from a capitalised
        word at a sentence's start: one whose stem the dictionary knows as a verb and
        whose first ending is not a participle or verbal noun that names are made of
        (``Тұруға``, ``Сөйткенде``, ``Сүйсем`` are verb forms; ``Төлегеннен``, ``Ақтау``
        stay names)."""
        if word in self.exceptions or "-" in word:
            return word not in self.exceptions  # Бұл, Ол: closed-class words are no names
        common = self.best(word)
        if not common.verbal or not common.endings or common.endings[0] in _NAME_LIKE_ENDINGS:
            return True
        return not (common.stem in self.verbs and len(common.stem) >= 2)

    def _attributive(self, word: str, lemma: str, following: str) -> bool:
        """An adjective in -ды/-ді/-ты/-ті ("having": ``табысты``, ``мерзімді``) is
        spelt like the accusative of its noun after a consonant; the accusative stands
        before its verb, the adjective before a noun. So a dictionary word that the rules
        cut to its noun + accusative stays whole when the next word reads as a noun or
        adjective (not a verb form or a closed-class word). Names (capitalised) take the
        accusative only (``Иранды``)."""
        if (len(word) < 5 or word[-2:] not in _ACCUSATIVE_DT or lemma != word[:-2]
                or lemma in self.protected or word in self.exceptions or not self._nominal(word)):
            return False
        if not following[:1].isalpha() or following[:1].isupper():
            return False
        nxt = following.lower().replace("ё", "е")
        if len(nxt) < 3 or nxt in self.exceptions:
            return False
        return self._nominal(nxt)

    def _nominal(self, word: str) -> bool:
        """Is the word's best reading a noun or adjective (not a verb form)? Memoised."""
        known = self._nominal_memo.get(word)
        if known is None:
            known = not self.best(word).verbal
            if len(self._nominal_memo) >= self._memo_limit:
                self._nominal_memo.clear()
            self._nominal_memo[word] = known
        return known

    def _lemma(self, word: str, *, proper: bool) -> str:
        if word in self.exceptions:
            return self.exceptions[word]
        if "-" in word:
            head, _, tail = word.rpartition("-")
            if tail in _PARTICLES:
                return self._lemma(head, proper=proper)
            return head + "-" + self._lemma(tail, proper=proper)
        if len(word) <= MIN_STEM or not any(ch in VOWELS for ch in word) or word in self.protected:
            return word
        return self.best(word, proper=proper).stem

    # --- choosing ---------------------------------------------------------------------
    def best(self, word: str, *, proper: bool = False) -> Analysis:
        """The chosen analysis; memoised for common words (the lemma, the reading of the
        next word and of a sentence's first word ask for the same words)."""
        if proper:
            return self._best(word, proper=True)
        known = self._best_memo.get(word)
        if known is None:
            known = self._best(word, proper=False)
            if len(self._best_memo) >= self._memo_limit:
                self._best_memo.clear()
            self._best_memo[word] = known
        return known

    def _best(self, word: str, *, proper: bool) -> Analysis:
        analyses = list(self.analyses(word))
        evidence = {a: self.attested.count(a.stem, verbal=a.verbal, word=word) for a in analyses}
        known = [a for a in analyses if self.is_known(a) or self._attested(a, evidence[a])]
        if proper:
            known = [a for a in known if not a.verbal or _plainly_verbal(a)]
        protected = {a.stem for a in known if a.stem in self.protected}
        if protected:  # a written stem that ends like an ending: тамызда is тамыз, not та
            known = [a for a in known if a.verbal
                     or not any(p.startswith(a.stem) and p != a.stem for p in protected)]
        if known:
            word_known = word in self.nouns
            chosen = min(known, key=lambda a: self._known_cost(a, word_known, evidence[a]))
            if self._lexeme(word, chosen, evidence[chosen], word_known) or self._adjective(
                    word, chosen):
                return Analysis(word, False, ())
            return self._without_voice(chosen)
        if proper:
            nominal = [a for a in analyses if not a.verbal and self._plausible_name(a)]
            return min(nominal, key=self._rule_cost) if nominal else Analysis(word, False, ())
        chosen = min(analyses, key=self._rule_cost)
        if chosen.verbal and chosen.endings[-1:] and chosen.endings[-1][-3:] in _DERIVED_LYQ:
            # an unknown stem + -дық/-тық/-лық is an adjective or abstract noun (этностық,
            # жаһандық, турнирлік), not the first person plural past of an unknown verb
            return Analysis(word, False, ())
        return chosen

    def _without_voice(self, analysis: Analysis) -> Analysis:
        base = self._voice_base(analysis.stem) if analysis.verbal else None
        if base is None:
            return analysis
        return Analysis(base, True, (analysis.stem[len(base):], *analysis.endings), passive=True)

    def _voice_base(self, stem: str) -> str | None:
        """The verb that a reflexive (-ын) or reciprocal (-ыс) stem is made from, when the
        dictionary (or, without it, running text) knows it as a verb."""
        for form, context in _VOICE_SUFFIXES:
            base = _strip(stem, form, context, 3)
            if base is None or not any(ch in VOWELS for ch in base):
                continue
            if self.hunspell:
                for restored in self._restore(base, form, verbal=True):
                    if restored in self.verbs:
                        return restored
                continue
            if not self.hunspell and self.attested.count(base, verbal=True, word="") >= MIN_EVIDENCE:
                return base
        return None

    def _lexeme(self, word: str, chosen: Analysis, evidence: int, word_known: bool) -> bool:
        """A dictionary word that is far commoner in text than the other forms of the stem
        it would be cut to is a word of its own: derived adjectives and nouns whose suffix
        looks like an ending (``маңызды``, ``нақты``, ``келесі``, ``қысқа``, ``үздік``), not
        the accusative or possessive of a noun (``кітапты``, ``баласы``) or a past tense
        (``келді``). Only a single cut ending is questioned."""
        if not word_known or len(chosen.endings) != 1 or chosen.endings[0] not in _DERIVATIONAL:
            return False
        if chosen.passive:
            return False
        others = self.attested.total(chosen.stem, verbal=chosen.verbal, word=word)
        return self.attested.frequencies.get(word, 0) >= LEXEME_RATIO * max(others, MIN_EVIDENCE)

    def _adjective(self, word: str, chosen: Analysis) -> bool:
        """An adjective in -лы/-ды/-ты ("having"), told from the accusative and the past
        tense that look the same: after a vowel or р/у/й the ending -лы is only the
        adjective (the accusative is -ны/-ды there: үлгілі, елеулі, түрлі); elsewhere
        the word must take endings that follow no case or tense — its abstract noun in
        -лық in the dictionary (маңыздылық), or -лық, comparative or case endings in text
        (маңыздылығы, қажеттінің). A word the rules took for a past tense stays a verb."""
        if not word.endswith(_HAVING) or chosen.stem == word or len(word) < 5:
            return False
        base = word[:-2]
        if word[-2] == "л" and (base[-1] in VOWELS or base[-1] in "руй"):
            stem_in_l = self.attested.count(word[:-1], verbal=False, word=word)
            if base in self.nouns and stem_in_l < MIN_EVIDENCE and len(base) >= 3:
                return True  # not құралы: құрал is seen in text in other forms
        if chosen.verbal or chosen.endings != (word[-2:],):
            return False  # a past tense (түсті) stays a verb
        if any(word + suffix in self.nouns for suffix in ("лық", "лік")):
            return True
        frequencies = self.attested.frequencies
        return sum(frequencies.get(word + s, 0) for s in _AFTER_ADJECTIVE) >= MIN_EVIDENCE

    def _attested(self, analysis: Analysis, evidence: int) -> bool:
        """Seen often enough in text to count as a stem, unless it is a short stem or the
        verbal noun of a known verb (``алу`` is ``ал`` + ``-у``, as UD lemmatises it)."""
        stem = analysis.stem
        if evidence < MIN_EVIDENCE or len(stem) < 3:
            return False
        return analysis.verbal or not self._is_verbal_noun(stem)

    def _is_verbal_noun(self, stem: str) -> bool:
        if not stem.endswith("у") or len(stem) < 3 or stem in self.nouns:
            return False
        base = stem[:-1]
        if not self.attested:
            return any(b in self.verbs for b in (base, base + "ы", base + "і"))
        return any(self.attested.count(b, verbal=True, word="") >= MIN_EVIDENCE
                   for b in (base, base + "ы", base + "і"))

    def is_known(self, analysis: Analysis) -> bool:
        stem = analysis.stem
        if analysis.verbal:
            return stem in self.verbs or self._voice_base(stem) is not None
        if stem in self.verbal_nouns and self.attested:
            return not self._is_verbal_noun(stem)  # отау, күйеу: no verb ота, күйе in text
        return stem in self.nouns

    def _known_cost(self, analysis: Analysis, word_known: bool, evidence: int
                    ) -> tuple[float, int]:
        """hunspell-kk lists many inflected forms as stems, so among known stems the
        shortest wins, unless the cut is one of the ambiguous ones below or the text
        frequencies support a longer stem much better."""
        endings = analysis.endings
        cost = -float(sum(len(e) for e in endings)) + 0.1 * len(endings)
        if len(endings) == 1 and endings[0] in _RISKY_ALONE and endings[0] not in "ыі":
            lone_converb = endings[0] in _CONVERB_ALONE and (
                analysis.stem in self.hand_verbs
                or (analysis.verbal and len(analysis.stem) >= 4 and analysis.stem in self.verbs))
            cost += 0.5 if lone_converb or not word_known else 1.5
        cost += sum(_AMBIGUOUS_COST.get(e, 0.0) for e in endings)
        if len(analysis.stem) <= 2 and analysis.stem not in self.hand_stems:
            short_verb = analysis.verbal and analysis.stem in self.verbs
            cost += SHORT_VERB_COST if short_verb else SHORT_STEM_COST
        if analysis.restored:
            cost -= 0.05
        cost -= EVIDENCE_WEIGHT * min(math.log1p(evidence), EVIDENCE_CAP)
        if evidence == 0:
            cost += UNATTESTED_COST
        return cost, len(analysis.stem)

    @staticmethod
    def _rule_cost(analysis: Analysis) -> tuple[float, int]:
        """Without a dictionary: strip as much as is safe."""
        stem, endings = analysis.stem, analysis.endings
        cost = -sum(len(e) for e in endings) + 0.3 * len(endings)
        if len(stem) < 3:
            cost += 2.5
        if not any(ch in VOWELS for ch in stem):
            cost += 5
        if len(endings) == 1 and endings[0] in _RISKY_ALONE:
            cost += 1.5 if len(stem) >= 4 else 3.0
        if analysis.verbal:
            cost += 0.2
        if analysis.restored:
            cost -= 2.0
        return cost, len(stem)

    @staticmethod
    def _plausible_name(analysis: Analysis) -> bool:
        """A name takes case endings; a bare ``-ы`` is more often the name's own end."""
        endings = analysis.endings
        if any(e in ("ы", "і") for e in endings):
            return False
        return not (len(endings) == 1 and endings[0] in ("м", "ң", "н", "а", "е"))

    # --- generating -------------------------------------------------------------------
    def analyses(self, word: str) -> Iterator[Analysis]:
        seen: set[tuple[str, bool]] = set()
        for analysis in self._generate(word):
            key = (analysis.stem, analysis.verbal)
            if key not in seen and len(analysis.stem) >= 1:
                seen.add(key)
                yield analysis

    def _generate(self, word: str) -> Iterator[Analysis]:
        yield Analysis(word, False, ())
        for stem, endings in _nominal_cuts(word, self.nouns):
            if endings:
                yield from self._restored(stem, endings, verbal=False)
            for base, more in _verbal_nominal_cuts(stem, self.hand_stems):
                yield from self._verb_bases(base, more + endings)
        for form, context in _endings_of(word, _FINITE_BY_LAST):
            finite_base = _strip(word, form, context)
            if finite_base is not None:
                yield from self._verb_bases(finite_base, (form,))
        if word.endswith(("иды", "иді", "итын", "итін", "ип")):
            yield from self._contracted(word)
        if word.endswith("и") and len(word) > 3:
            # дами = дамы + -й: a stem-final ы/і fuses with the converb/present ending й
            vowel = "і" if last_vowel(word[:-1]) in FRONT else "ы"
            yield from self._verb_bases(word[:-1] + vowel, ("й",))
        if "ю" in word[1:]:
            # ю spells й + у: құю = құй + -у, сүюге = сүй + -у + -ге
            yield from (a for a in self._generate(word.replace("ю", "йу")) if a.verbal)
        if "я" in word[1:] and "ю" not in word:
            # я spells й + а: жая = жай + -а, аяйын = ая + -йын after the glide (жияды = жи + -а)
            yield from (a for a in self._generate(word.replace("я", "йа")) if a.verbal)
        if len(word) == 3 and word.endswith(("оп", "ып", "еп")):
            # боп, қып: spoken forms of болып, қылып (not топ, кеп: the verb must be far
            # commoner in text than the short word)
            verb = word[:-1] + "л"
            if self.attested.count(verb, verbal=True, word=word) >= CONTRACTION_RATIO * max(
                    self.attested.frequencies.get(word, 0), 1):
                yield Analysis(verb, True, ("п",))

    def _contracted(self, word: str) -> Iterator[Analysis]:
        """``оқиды`` = ``оқы`` + ``-йды``: a stem-final ы/і fuses with the ``й``."""
        for ending in ("иды", "иді", "итын", "итін"):
            if word.endswith(ending):
                base = word[: -len(ending)]
                vowel = "ы" if ending[-1] in "ын" and "і" not in ending else "і"
                yield from self._verb_bases(base + vowel, ("й" + ending[1:],))

    def _verb_bases(self, base: str, endings: tuple[str, ...]) -> Iterator[Analysis]:
        for index, stem in enumerate(self._restore(base, endings[0], verbal=True)):
            yield Analysis(stem, True, endings, restored=index > 0)
            for neg, context in _NEGATION:
                plain = _strip(stem, neg, context, MIN_STEM)
                if plain is None:
                    continue
                yield Analysis(plain, True, (neg, *endings))
                yield from self._passive(plain, (neg, *endings))
            yield from self._passive(stem, endings)

    def _passive(self, stem: str, endings: tuple[str, ...]) -> Iterator[Analysis]:
        for form, context in _PASSIVE:
            base = _strip(stem, form, context, 3 if form == "л" else MIN_STEM)
            if base is None:
                continue
            bases = self._restore(base, form, verbal=True)
            if stem in self.protected or (self.hunspell and not self.verbs.intersection(bases)):
                continue
            for index, restored in enumerate(bases):
                yield Analysis(restored, True, (form, *endings), passive=True,
                               restored=index > 0)

    def _restore(self, stem: str, next_ending: str, *, verbal: bool = False) -> list[str]:
        return _restore(stem, next_ending, self.vowel_drop, verbal=verbal)

    def _restored(self, stem: str, endings: tuple[str, ...], *, verbal: bool
                  ) -> Iterable[Analysis]:
        return (Analysis(s, verbal, endings, restored=index > 0)
                for index, s in enumerate(self._restore(stem, endings[0])))


def _restore(stem: str, next_ending: str, vowel_drop: Mapping[str, str], *,
             verbal: bool = False) -> list[str]:
    """Undo what a vowel-initial ending did to the stem: voicing and a dropped vowel."""
    out = [stem]
    if next_ending[:1] in VOWELS:
        if verbal and stem[-1:] in _DEVOICE and len(stem) >= 2 and stem[0] in VOWELS | set("сж"):
            out.append(stem[:-1] + _DEVOICE[stem[-1]])  # ағып → ақ, сұғу → сұқ, жығ → жық
        elif stem[-1:] in _DEVOICE and len(stem) > 2:
            out.append(stem[:-1] + _DEVOICE[stem[-1]])
        if verbal and ((stem.endswith("ау") and next_ending[:2] == "ып")
                       or (stem.endswith("еу") and next_ending[:2] == "іп")):
            out.append(stem[:-1] + "п")  # тап → тауып, жап → жауып: п becomes у before a vowel
        if stem in vowel_drop:
            out.append(vowel_drop[stem])
        elif len(stem) >= 3 and stem[-2] in _DROP_BEFORE and stem[-1] in _DROP_AFTER and (
                stem[-3] in VOWELS):
            # a high vowel between two final consonants drops before a vowel: орын → орны,
            # халық → халқы, ерік → еркі, ауыз → аузы; put it back by vowel harmony
            vowel = "і" if last_vowel(stem) in FRONT else "ы"
            out.append(stem[:-1] + vowel + stem[-1])
        if stem[-1:] == "л" and next_ending[:1] in "іе":
            out.append(stem + "ь")  # король → королі
    return out


def _nominal_cuts(word: str, nouns: Collection[str] = ()
                  ) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every (stem, endings) cut through outer ending, case, possessive and plural."""
    for outer_stem, outer, outer_needs in _options(word, _OUTER_BY_LAST):
        for case_stem, case, case_needs in _options(outer_stem, _CASE_BY_LAST):
            needs = case_needs or (outer_needs if not case else "")
            for poss_stem, poss, person in _poss_options(case_stem):
                if needs and not _satisfies(needs, person, poss):
                    continue
                for plural_stem, plural in _plural_options(poss_stem):
                    endings = tuple(e for e in (plural, poss, case, outer) if e)
                    yield plural_stem, endings
                    for form, context in _COMPARATIVE:
                        base = _strip(plural_stem, form, context, 3)
                        if base is not None and plural_stem not in nouns:
                            yield base, (form, *endings)
                for ordinal in ("ыншы", "інші", "ншы", "нші"):
                    if poss_stem.endswith(ordinal) and poss_stem[: -len(ordinal)] in _NUMERALS:
                        yield poss_stem[: -len(ordinal)], (ordinal,)


def _satisfies(needs: str, person: str, poss: str = "") -> bool:
    if needs == "np":
        # -ға/-ге follows no possessive, or the plural persons -мыз/-ңыз (кітабыңызға)
        return person == "" or poss.endswith(("з",))
    if needs == "p3":
        return person == "p3"
    return person in ("p1", "p2")


def _options(word: str, groups: Mapping[str, tuple[_Entry, ...]]
             ) -> Iterator[tuple[str, str, str]]:
    yield word, "", ""
    for form, context, needs in _endings_of(word, groups):
        stem = _strip(word, form, context, MIN_STEM)
        if stem is not None:
            yield stem, form, needs


def _poss_options(word: str) -> Iterator[tuple[str, str, str]]:
    yield word, "", ""
    for form, context, person in _endings_of(word, _POSS_BY_LAST):
        stem = _strip(word, form, context, MIN_STEM)
        if stem is not None:
            yield stem, form, person


def _plural_options(word: str) -> Iterator[tuple[str, str]]:
    yield word, ""
    for form, context in _endings_of(word, _PLURAL_BY_LAST):
        stem = _strip(word, form, context, MIN_STEM)
        if stem is not None:
            yield stem, form


def _verbal_nominal_cuts(stem: str, nouns: frozenset[str]
                         ) -> Iterator[tuple[str, tuple[str, ...]]]:
    for form, context in _endings_of(stem, _VERBAL_NOMINAL_BY_LAST):
        base = _strip(stem, form, context, MIN_STEM)
        if base is not None:
            yield base, (form,)
    if stem.endswith(("ушы", "уші")) and len(stem) > 4 and stem not in nouns:
        # айтушы = айт + ушы (UD lemmatises the agent form to its verb), оқушы is a noun
        base = stem[:-3]
        yield base, (stem[-3:],)
        if base[-1] not in VOWELS:
            yield base + ("ы" if stem[-1] == "ы" else "і"), (stem[-3:],)
    if stem.endswith("у") and len(stem) >= 3 and stem[-2] not in VOWELS:
        # оқу = оқы + у: a stem-final ы/і disappears before the verbal noun
        for vowel in ("ы", "і"):
            if harmonises(stem[:-1], vowel):
                yield stem[:-1] + vowel, ("у",)


# --- the stage --------------------------------------------------------------------------
def _is_cyrillic_word(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


_SENTENCE_END = frozenset(".!?…")


def opens_sentence(text: str, tokens: list[Token], words: list[str], index: int) -> bool:
    """Does token ``index`` open a sentence: the first word of the text, of a line, or the
    first word after a full stop, ! or ? (as a token or between tokens; quotes and dashes
    between do not count)? Asked only of capitalised words, so it costs nothing per token."""
    end = tokens[index].start
    for back in range(index - 1, -1, -1):
        gap = text[tokens[back].end:end]
        if "\n" in gap or any(ch in _SENTENCE_END for ch in gap):
            return True
        word = words[back]
        if any(ch.isalnum() for ch in word):
            return False
        if any(ch in _SENTENCE_END for ch in word):
            return True
        end = tokens[back].start
    return True


def sentence_starts(text: str, tokens: list[Token], words: list[str]) -> list[bool]:
    """``opens_sentence`` for every token that has a letter or digit."""
    return [any(ch.isalnum() for ch in word) and opens_sentence(text, tokens, words, i)
            for i, word in enumerate(words)]


class LemmaStage:
    """Lemmas for the tokens of Kazakh, Russian and English documents."""

    name = "lemma.v1"
    requires = frozenset({"tokens", "lang"})
    provides = frozenset({"lemmas"})

    def __init__(self, kazakh: KazakhLemmatizer) -> None:
        self.kazakh = kazakh
        self.russian = RussianLemmatizer.create()
        # lemmas per token text (bounded like the lemmatisers' own memos: cleared when full)
        self._kazakh_memo: dict[str, str] = {}
        self._russian_memo: dict[str, str] = {}

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            lemmatise = self._lemmatiser(doc)
            if lemmatise is None:
                continue
            text = doc.text
            words = [text[t.start:t.end] or t.text for t in doc.tokens]
            if lemmatise == self._kazakh_token:
                lemmas = self._kazakh_lemmas(text, doc.tokens, words)
            else:
                lemmas = [lemmatise(word) for word in words]
            doc.tokens = [Token(t.start, t.end, t.text, lemma)
                          for t, lemma in zip(doc.tokens, lemmas, strict=True)]
        return docs

    def _kazakh_lemmas(self, text: str, tokens: list[Token], words: list[str]) -> list[str]:
        """The lemmas of a Kazakh document's words in context, each
        ``kazakh.lemma(word, next word, initial=word opens a sentence)``: the next word tells
        an adjective in -ды/-ты from an accusative; a capital that opens a sentence is not
        taken for a name by itself. The lemma out of context is memoised per word form
        (``_kazakh_token``); the next word is read only where the rules changed the word."""
        lemmas: list[str] = []
        memo = self._kazakh_memo
        last = len(words) - 1
        for i, word in enumerate(words):
            following = words[i + 1] if i < last else None
            if word[:1].isupper() and opens_sentence(text, tokens, words, i):
                lemmas.append(self.kazakh.lemma(word, following, initial=True))
                continue
            lemma = memo.get(word) or self._kazakh_token(word)
            # only a word in -ды/-ді/-ты/-ті is read with the next one (``_attributive``)
            if (following and word[-2:].lower() in _ACCUSATIVE_DT and word[:1].islower()
                    and lemma != word.lower()):
                lemma = self.kazakh.with_following(word, lemma, following)
            lemmas.append(lemma)
        return lemmas

    def _lemmatiser(self, doc: Document) -> Callable[[str], str] | None:
        langs = {doc.lang, *doc.langs}
        if "kk" in langs:
            return self._kazakh_token
        if "ru" in langs and self.russian is not None:
            return self._russian_token
        if "en" in langs:
            return english_lemma
        return None

    def _kazakh_token(self, text: str) -> str:
        cached = self._kazakh_memo.get(text)
        if cached is not None:
            return cached
        if not _is_cyrillic_word(text) or not text[:1].isalpha():
            result = text.lower()
        else:
            result = self.kazakh.lemma(text)
        if len(self._kazakh_memo) >= _MEMO_LIMIT:
            self._kazakh_memo.clear()
        self._kazakh_memo[text] = result
        return result

    def _russian_token(self, text: str) -> str:
        cached = self._russian_memo.get(text)
        if cached is not None:
            return cached
        if self.russian is None or not _is_cyrillic_word(text):
            result = text.lower()
        else:
            result = self.russian.lemma(text)
        if len(self._russian_memo) >= _MEMO_LIMIT:
            self._russian_memo.clear()
        self._russian_memo[text] = result
        return result


class RussianLemmatizer:
    """pymorphy3's normal form of the first parse, memoised."""

    def __init__(self, analyzer: object, memo_limit: int = _MEMO_LIMIT) -> None:
        self._analyzer = analyzer
        self._memo: dict[str, str] = {}
        self._memo_limit = memo_limit

    @classmethod
    def create(cls) -> RussianLemmatizer | None:
        analyzer = russian_analyzer()
        if analyzer is None:
            logger.warning("pymorphy3 is not installed: Russian tokens get no lemmas")
            return None
        return cls(analyzer)

    def lemma(self, word: str) -> str:
        lowered = word.lower().replace("ё", "е")
        cached = self._memo.get(lowered)
        if cached is not None:
            return cached
        parses = self._analyzer.parse(lowered)  # type: ignore[attr-defined]  # pymorphy3 is untyped
        result = str(parses[0].normal_form).replace("ё", "е") if parses else lowered
        if len(self._memo) >= self._memo_limit:
            self._memo.clear()
        self._memo[lowered] = result
        return result


_ENGLISH_S_KEEP = frozenset(_words(
    "is was has does this his its us as yes news series species always perhaps less "
    "unless across bus gas plus thus"
))


def english_lemma(word: str) -> str:
    """Lower case; a plural ``-s`` is dropped only from a plain regular plural."""
    lowered = word.lower()
    if lowered in _ENGLISH_S_KEEP or len(lowered) < 5 or not lowered.isalpha():
        return lowered
    if lowered.endswith("ies"):
        return lowered[:-3] + "y"
    if lowered.endswith("s") and not lowered.endswith(("ss", "us", "is", "ous", "es")):
        return lowered[:-1]
    return lowered
