"""Quantitative claims — a figure, what it counts, when, where, who said it — and
discrepancies between sources on the same subject.

Figures are read in Kazakh, Russian and English and normalised to a value, a unit
(``count``, ``percent``, ``tenge``) and a qualifier:

=========  ==========================================  ==================================
qualifier  kk / ru / en                                meaning
=========  ==========================================  ==================================
at_least   1000-нан астам, 95 пайыздан астамы, более,  more than (news round down: at
           свыше, more than, over                      least the figure)
about      4000-ға жуық, шамамен, около, почти,        about the figure (near it, often
           nearly, about, around                       just below)
at_most    -ға дейін, -дан аз, до, менее, up to,       at most the figure
           less than
exact      32 Дома дружбы, 36 достық үйі               the figure itself
=========  ==========================================  ==================================

What a figure counts is the phrase next to it, mapped to a language-independent subject
(``house_of_friendship``, ``public_structure``…) by ``SUBJECTS``; other phrases keep a
language-tagged stem. Two claims disagree when different sources give, for the same subject
and unit (and the same year and place when both say), either figures that differ by more
than the qualifiers allow (32 vs 36 Houses of Friendship) or the same figure with
incompatible qualifiers ("more than 4000" vs "nearly 4000").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from birlik.domain.records import Claim as Claim  # re-exported: claims are read from here
from birlik.domain.records import Document, Qualifier

#: Subjects counted in the monitoring of interethnic relations: pattern stems in kk, ru, en.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "house_of_friendship": (r"достық\s+үй", r"дом\w*\s+дружбы", r"houses?\s+of\s+friendship"),
    "ethnocultural_association": (
        r"этномәдени\s+бірлест",
        r"этнокультурн\w*\s+(объединен|центр)",
        r"ethno-?cultural\s+(association|centre|center)",
    ),
    "public_structure": (r"қоғамдық\s+құрылым", r"общественн\w*\s+структур", r"public\s+(structure|bod)"),
    "ethnic_group": (
        r"этнос",
        r"ұлт\s+өкіл",
        r"национальност",
        r"ethnic\s+groups?",
        r"ethnicit",
        r"nationalit",
    ),
    "information_group": (
        r"ақпараттық-түсіндіру\s+тоб",
        r"информационно-разъяснительн\w*\s+групп",
        r"information\s+(and\s+outreach\s+)?groups?",
    ),
    "event": (r"іс-шара", r"мероприяти", r"\bevents?\b"),
    "member": (r"мүше", r"член", r"\bmembers?\b"),
    "mediator": (r"медиатор", r"mediators?"),
    "volunteer": (r"волонт[её]р", r"volunteers?"),
    "youth": (r"жас\s+өкіл", r"\bжаст", r"молод[её]ж", r"young\s+people", r"youth"),
    "journalist": (r"журналист", r"journalists?"),
    "newspaper": (r"газет", r"журнал", r"newspapers?", r"magazines?"),
    "language": (r"\bтіл", r"язык", r"languages?"),
    "university": (r"университет", r"жоғары\s+оқу\s+орн", r"вуз", r"universit"),
    "department": (r"кафедр", r"departments?"),
    "expert": (r"сарапшы", r"эксперт", r"experts?"),
    "patron": (r"меценат", r"patrons?"),
    "learner": (r"үйренуш", r"тыңдауш", r"слушател", r"изучающ", r"learners?", r"students?", r"студент"),
    "participant": (r"қатысуш", r"участник", r"participants?", r"attendees?"),
    "family": (r"отбасы", r"семь[яией]", r"семей", r"famil"),
    "child": (r"бала", r"дет(ей|и)", r"children", r"\bkids?\b"),
    "injured": (r"жарақат", r"пострадав", r"ранен", r"injured"),
    "detained": (r"ұсталд", r"задержан", r"detained"),
    "fake": (r"фейк", r"жалған", r"fakes?"),
    "appeal": (r"өтініш", r"обращени", r"appeals?", r"complaints?"),
    "school": (r"мектеп", r"школ", r"schools?"),
    "theatre": (r"театр", r"theatres?", r"theaters?"),
    "ensemble": (r"ансамбл", r"ұжым", r"коллектив", r"ensembles?"),
    "person": (
        r"азамат",
        r"\bадам",
        r"тұрғын",
        r"граждан",
        r"человек",
        r"жител",
        r"people",
        r"citizens?",
        r"residents?",
        r"persons?",
    ),
}
_SUBJECT_PATTERNS = [
    (subject, re.compile("|".join(stems), re.IGNORECASE)) for subject, stems in SUBJECTS.items()
]

_SCALES: dict[str, float] = {
    "мың": 1e3,
    "тыс": 1e3,
    "тысяч": 1e3,
    "thousand": 1e3,
    "млн": 1e6,
    "миллион": 1e6,
    "million": 1e6,
    "млрд": 1e9,
    "миллиард": 1e9,
    "billion": 1e9,
}
_KK_WORDS: dict[str, int] = {
    "бір": 1,
    "екі": 2,
    "үш": 3,
    "төрт": 4,
    "бес": 5,
    "алты": 6,
    "жеті": 7,
    "сегіз": 8,
    "тоғыз": 9,
    "он": 10,
    "жиырма": 20,
    "отыз": 30,
    "қырық": 40,
    "елу": 50,
    "алпыс": 60,
    "жетпіс": 70,
    "сексен": 80,
    "тоқсан": 90,
}
_KK_MULTIPLIERS = {"жүз": 100, "мың": 1000, "миллион": 1_000_000}
_WORD_FIGURES: dict[str, float] = {
    "ста": 100,
    "сто": 100,
    "сотни": 100,
    "тысячи": 1000,
    "тысячу": 1000,
    "миллиона": 1e6,
    "миллион": 1e6,
    "hundred": 100,
    "thousand": 1000,
    "million": 1e6,
}

_DIGITS = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:[.,]\d+)?"
_KK_NUMBER_WORD = "|".join(sorted(itertools.chain(_KK_WORDS, _KK_MULTIPLIERS), key=len, reverse=True))
_KK_PHRASE = rf"(?:(?:{_KK_NUMBER_WORD})\s+)*(?:жүз|мың|миллион)"
_SCALE_WORD = r"(?:мың|тыс\.?|тысяч\w*|thousand|млн\.?|миллион\w*|million|млрд\.?|миллиард\w*|billion)"
_PERCENT = r"(?:\s?%|\s?пайыз|\s?процент\w*|\s?per\s?cent|\s?percent)"
_KK_CASE = r"(?:-?(?:нан|нен|дан|ден|тан|тен|ға|ге|қа|ке|на|не|а|е|ы|і|сы|сі)\b)?"

_FIGURE = re.compile(
    rf"(?P<before>(?:более\s+чем|более|свыше|больше|не\s+менее|не\s+более|менее|около|почти|порядка|"
    rf"примерно|приблизительно|до|more\s+than|over|at\s+least|upwards\s+of|nearly|almost|about|around|"
    rf"approximately|roughly|some|up\s+to|less\s+than|fewer\s+than|under|шамамен|кем\s+дегенде)\s+)?"
    rf"(?P<number>{_DIGITS}|(?<!\w){_KK_PHRASE}(?=[^\w]|нан|ннан|дан|ден|нен|ға|ге|ға)|"
    rf"(?<!\w)(?:ста|сто|сотни|тысячи|тысячу|миллиона|a\s+hundred|a\s+thousand|a\s+million)(?!\w))"
    rf"(?P<scale>\s*{_SCALE_WORD}(?:нан|ннан|дан|ден|нен|ға|ге|қа|ке)?(?!\w))?"
    rf"(?P<percent>{_PERCENT})?"
    rf"(?P<after>{_KK_CASE}\s*(?:астам\w*|артық|көп|жуық\w*|шамасында|дейін|аз|кем)(?!\w))?",
    re.IGNORECASE,
)
_AT_LEAST = re.compile(
    r"более|свыше|больше|не\s+менее|more|over|at\s+least|upwards|астам|артық|көп|кем\s+дегенде", re.I
)
_ABOUT = re.compile(
    r"около|почти|порядка|примерно|приблизительно|nearly|almost|about|around|approx|roughly|some|шамамен|жуық|шамасында",
    re.I,
)
_AT_MOST = re.compile(r"не\s+более|менее|^до|up\s+to|less|fewer|under|дейін|\bаз\b|\bкем\b", re.I)

_SKIP_AFTER = re.compile(
    r"^(?:-?(?:ші|шы|інші|ыншы|летие|летия|го|й|я|е|th|st|nd|rd)\b|[-\s]*(?:жыл|год|г\.|year|сәуір|қаңтар|ақпан|наурыз|"
    r"мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан|январ|феврал|март|апрел|ма[йя]|июн|июл|август|"
    r"сентябр|октябр|ноябр|декабр|january|february|march|april|may|june|july|august|september|october|november|"
    r"december|сағ|час|тел|жылдығ|жасқа|лет\b|years?\s+old|[.:]\d)|\)|-\d)",
    re.IGNORECASE,
)
_SKIP_BEFORE = re.compile(
    r"(?:№|(?<!\w)(?:No\.?|N|ст\.|статья\w*|бап\w*|article|пункт\w*|тел\.?)|\+|\d[.:/-])\s*$"
    # ages: «aged between 19 and 27», «в возрасте от 19 до 27», «ages 19 to 27»
    r"|(?<!\w)(?:aged|ages?|возраст\w*)\s+(?:between\s+|from\s+|от\s+)?"
    r"(?:\d+\s*(?:and|to|до|[-–—])\s*)?$",
    re.IGNORECASE,
)
_YEAR_IN_SENTENCE = re.compile(
    r"\b((?:19|20)\d\d)\s*(?:ж\.|жыл\w*|год\w*|г\.|year)|\bin\s+((?:19|20)\d\d)\b", re.I
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ«\"“\d])|\n+")
_WORD = re.compile(r"[\w\-]+", re.UNICODE)
_LEADING_WORDS = frozenset(
    [
        "в",
        "на",
        "с",
        "по",
        "из",
        "за",
        "от",
        "до",
        "для",
        "к",
        "о",
        "об",
        "также",
        "да",
        "де",
        "the",
        "of",
        "in",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "a",
        "an",
        "its",
        "их",
        "олар",
        "бұл",
        "осы",
        "сол",
        "of",
        "the",
    ]
)
_CONJUNCTIONS = frozenset(["и", "а", "или", "and", "or", "және", "мен", "пен", "бен", "немесе"])
# starts only at the start of a word: a search over one long word stays linear
_KK_GENITIVE = re.compile(r"(?<!\w)(\w+(?:ның|нің|дың|дің|тың|тің))\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Discrepancy:
    subject: str
    unit: str
    kind: Literal["value", "bound"]
    """``value``: the figures differ; ``bound``: same figure, incompatible qualifiers."""
    first: Claim
    second: Claim


# --- reading figures ---------------------------------------------------------------------


def parse_figure(number: str) -> float | None:
    """The value of a figure written with digits or in words (kk, ru, en)."""
    raw = number.strip().lower()
    if raw[:1].isdigit():
        return _parse_digits(raw)
    if raw in _WORD_FIGURES or raw.split()[-1] in _WORD_FIGURES:
        return _WORD_FIGURES.get(raw, _WORD_FIGURES.get(raw.split()[-1]))
    return _parse_kazakh_words(raw.split())


def _parse_digits(raw: str) -> float | None:
    compact = re.sub(r"[ \u00a0\u202f]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", compact):
        compact = compact.replace(",", "")
    try:
        return float(compact.replace(",", "."))
    except ValueError:
        return None


def _parse_kazakh_words(words: list[str]) -> float | None:
    total, current = 0, 0
    for word in words:
        if word in _KK_WORDS:
            current += _KK_WORDS[word]
        elif word == "жүз":
            current = max(current, 1) * 100
        elif word in _KK_MULTIPLIERS:
            total += max(current, 1) * _KK_MULTIPLIERS[word]
            current = 0
        else:
            return None
    return float(total + current) or None


def qualifier_of(before: str, after: str) -> Qualifier:
    words = f"{before} {after}".strip()
    if not words:
        return "exact"
    if _AT_MOST.search(before.strip()) or re.search(r"дейін|\bаз\b|\bкем\b$", after, re.I):
        return "at_most"
    if _ABOUT.search(words):
        return "about"
    if _AT_LEAST.search(words):
        return "at_least"
    return "exact"


def subject_of(sentence: str, start: int, end: int, *, percent: bool, lang: str | None) -> tuple[str, str]:
    """What the figure at ``start:end`` of ``sentence`` counts: (subject key, phrase)."""
    phrase_words: list[str] = []
    for word in _WORD.findall(sentence[end:])[:5]:
        if word.lower() in _CONJUNCTIONS or word[:1].isdigit():
            break  # «41 of the 46 appeals», «19–27 лет»: a part or a range's start counts nothing itself
        if word.lower() in _LEADING_WORDS and not phrase_words:
            continue
        phrase_words.append(word)
        if len(phrase_words) == 4:
            break
    phrase = " ".join(phrase_words)
    if percent:
        genitive = _KK_GENITIVE.search(sentence[:start])
        if genitive and (lang == "kk" or not phrase):
            phrase = genitive.group(1)
    found = [
        (match.start(), subject)
        for subject, pattern in _SUBJECT_PATTERNS
        if (match := pattern.search(phrase))
    ]
    if found:
        return min(found)[1], phrase
    stem = phrase_words[0].lower()[:6] if phrase_words else ""
    return (f"{lang or 'und'}:{stem}" if stem else ""), phrase


def extract_claims(doc: Document) -> list[Claim]:
    """Every quantitative statement of ``doc`` (title and text)."""
    claims: list[Claim] = []
    published_year = str(doc.published_at.year) if doc.published_at else None
    for offset, sentence in sentences(doc.text):
        for match in _FIGURE.finditer(sentence):
            claim = _claim(doc, sentence, offset, match, published_year)
            if claim is not None:
                claims.append(claim)
    return claims


class ClaimsStage:
    """Sets ``doc.claims``: every quantitative statement of the document (``extract_claims``).

    Region and period come from the entities and regions found before it; the story linker
    stores these claims with the document (``stories.service``)."""

    name = "claims.v1"
    requires = frozenset({"lang", "entities", "regions"})
    provides = frozenset({"claims"})

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.claims = extract_claims(doc)
        return docs


def sentences(text: str) -> Iterable[tuple[int, str]]:
    """(offset, sentence) pairs; a full stop inside ``тыс. человек`` does not end one."""
    start = 0
    for brk in _SENTENCE_BREAK.finditer(text):
        if brk.start() > start:
            yield start, text[start : brk.start()]
        start = brk.end()
    if start < len(text):
        yield start, text[start:]


def _claim(doc: Document, sentence: str, offset: int, match: re.Match[str], year: str | None) -> Claim | None:
    number = match.group("number")
    value = parse_figure(number)
    if value is None or _skipped(sentence, match):
        return None
    scale = (match.group("scale") or "").strip().lower().rstrip(".")
    for word, factor in _SCALES.items():
        if scale.startswith(word):
            value *= factor
            break
    percent = bool(match.group("percent"))
    unit = "percent" if percent else "count"
    subject, phrase = subject_of(sentence, match.start(), match.end(), percent=percent, lang=doc.lang)
    if re.match(r"\s*(тенге|теңге|тг|tenge|KZT)", sentence[match.end() :], re.IGNORECASE):
        unit, subject = "tenge", "money"
    if not subject:
        return None
    period = _YEAR_IN_SENTENCE.search(sentence)
    return Claim(
        document=doc.id,
        value=value,
        unit=unit,
        qualifier=qualifier_of(match.group("before") or "", match.group("after") or ""),
        subject=subject,
        subject_text=phrase,
        text=match.group().strip(),
        start=offset + match.start(),
        end=offset + match.end(),
        sentence=sentence.strip(),
        period=(period.group(1) or period.group(2)) if period else year,
        region=_region(doc, offset, offset + len(sentence)),
        source=doc.source or doc.id,
        published_at=doc.published_at,
        lang=doc.lang,
    )


def _skipped(sentence: str, match: re.Match[str]) -> bool:
    """Years, dates, ordinals, times, article numbers and list markers are not claims."""
    number = match.group("number")
    tail = sentence[match.end("number") :]
    if match.group("scale") or match.group("percent"):
        return False
    if re.fullmatch(r"(19|20)\d\d", number) and not match.group("before"):
        return True
    if _SKIP_AFTER.match(tail.lstrip() if not tail.startswith("-") else tail):
        return True
    return bool(_SKIP_BEFORE.search(sentence[: match.start("number")]))


def _region(doc: Document, start: int, end: int) -> str | None:
    for mention in doc.entities:
        if mention.type == "PLACE" and mention.id and start <= mention.start < end:
            return mention.id
    return doc.regions[0].kato if doc.regions else None


# --- discrepancies -----------------------------------------------------------------------


def find_discrepancies(claims: Iterable[Claim], *, max_ratio: float = 1.5) -> list[Discrepancy]:
    """Pairs of claims of different sources that cannot both be true.

    Only language-independent subjects are compared, figures more than ``max_ratio`` apart
    are taken to count different things, claims naming different years or places are not
    compared, and a figure that the other document also gives for the subject is never set
    against that document's other figures (a part against its whole).
    """
    groups: dict[tuple[str, str], list[Claim]] = {}
    for claim in claims:
        if comparable(claim):
            groups.setdefault((claim.subject, claim.unit), []).append(claim)
    found: list[Discrepancy] = []
    for (subject, unit), members in sorted(groups.items()):
        given: dict[str, set[float]] = {}
        for claim in members:
            given.setdefault(claim.document, set()).add(claim.value)
        for first, second in itertools.combinations(members, 2):
            if first.value != second.value and (
                first.value in given[second.document] or second.value in given[first.document]
            ):
                # the other document gives this figure too: the two count different things
                # (46 appeals considered, 41 of them reconciled) and agree on both
                continue
            kind = _conflict(first, second, max_ratio)
            if kind is not None:
                found.append(Discrepancy(subject=subject, unit=unit, kind=kind, first=first, second=second))
    return found


def comparable(claim: Claim) -> bool:
    """A claim on a language-independent subject (``house_of_friendship``, ``money``…), which can
    be set against another source's; claims keyed by a language-tagged stem (``ru:заверш``) are
    kept in the registry but neither compared nor listed beside a story."""
    return bool(claim.subject) and ":" not in claim.subject


def _conflict(first: Claim, second: Claim, max_ratio: float) -> Literal["value", "bound"] | None:
    if first.document == second.document or (first.source and first.source == second.source):
        return None
    if first.period and second.period and first.period != second.period:
        return None
    if first.region and second.region and first.region != second.region:
        return None
    low, high = sorted((first.value, second.value))
    if low <= 0 or high / low > max_ratio:
        return None
    if first.value == second.value:
        qualifiers = {first.qualifier, second.qualifier}
        return "bound" if qualifiers in ({"at_least", "about"}, {"at_least", "at_most"}) else None
    (low_a, high_a), (low_b, high_b) = first.interval, second.interval
    return "value" if high_a < low_b or high_b < low_a else None


def claims_of(docs: Sequence[Document]) -> list[Claim]:
    return [claim for doc in docs for claim in extract_claims(doc)]
