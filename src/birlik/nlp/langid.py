"""Language identification: py3langid scores combined with letter evidence.

A document is cut into chunks (paragraphs, long ones into ~600-character pieces of whole
sentences). Each chunk gets its script from its letters (Cyrillic counts three times: Latin
names inside Cyrillic sentences are common, the reverse is rare), then a language:

* Hangul, Han, kana, Greek, Armenian, Georgian and Hebrew decide by script alone; Arabic
  script is Uyghur when Uyghur vowel letters (ە ې ۇ ۆ ۈ ڭ ۋ) appear, else the model picks
  among ar/fa/ur/ug.
* Cyrillic and Latin chunks are scored per candidate language as
  ``log P_model + letter log-likelihood + log prior``. The letter log-likelihood is a
  categorical model over the letters that tell these languages apart (Kazakh ә ғ қ ң ө ұ ү
  һ і, Ukrainian є ї ґ, Uzbek ў ҳ, Tajik ӣ ӯ ҷ, Tatar/Uyghur җ, Turkish ı ş ğ, Polish ł ą ę,
  Kazakh Latin ǵ ý ú ū, the 2017 apostrophe letters, …), each with its rate in that
  language and a small rate for "foreign" letters (a Kazakh name quoted in a Russian text).
  Frequent function words (``және``, ``и``, ``the``, ``jáne`` …) add evidence for short texts.
  The model is skipped when letters, or letters and words, are decisive (the usual case
  for news paragraphs); otherwise it reads the first 300 characters of at most
  ``max_model_chunks`` chunks spread over the document, and the other undecided chunks of
  the same script use the mean of those model scores. Kazakh Latin (three alphabets),
  Cyrillic Uyghur and Kazakh typed on a Russian keyboard have no model of their own and
  borrow the score of their nearest relatives in the model.

Chunks are aggregated by their number of letters: ``langs`` lists every language with at
least ``min_share`` of the letters, largest first, and ``lang`` is the first of them.

A language given with the input (``doc.lang`` before the stage runs) is a hint. It is kept
when the text is undeterminable or when the evidence still gives it a posterior of at least
``hint_floor`` (a short or mixed text); otherwise the detected language replaces it and the
document is flagged ``langid.hint_rejected``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from birlik.domain.records import Document

UNDETERMINED = "und"
HINT_REJECTED_FLAG = "langid.hint_rejected"

#: Languages the py3langid model is restricted to (codes of its own label set).
MODEL_LANGUAGES: tuple[str, ...] = (
    "kk", "ru", "en", "uk", "be", "ky", "tt", "uz", "tg",
    "de", "tr", "pl", "az", "ug", "ar", "fa", "ur",
)

_FOREIGN_RATE = 2e-4
"""Rate of a letter outside a language's alphabet (names and quotes from other languages)."""

# Rates (share of all letters of the script) of the letters that tell languages apart.
# kk and ru rates were counted on FLORES-200 sentences; the others are estimates.
_CYRILLIC_RATES: dict[str, dict[str, float]] = {
    "ru": {"ы": .0205, "э": .0038, "ъ": .0003, "ё": .0018, "и": .0775, "щ": .0035},
    "kk": {
        "і": .051, "қ": .026, "ғ": .0147, "ң": .0135, "ү": .0095, "ә": .0086, "ө": .0081,
        "ұ": .008, "һ": .0005, "ы": .0714, "и": .0195, "э": .0011, "ъ": .0001, "ё": .0002,
        "щ": .0001,
    },
    # Kazakh typed on a Russian keyboard: қ→к, і→и or Latin i, ү/ұ→у …
    "kk~ru-keyboard": {"ы": .071, "и": .07, "э": .001, "ъ": .0001, "ё": .0002, "щ": .0001},
    "ky": {
        "ң": .012, "ө": .012, "ү": .018, "ы": .06, "и": .04, "э": .001, "ъ": .0002,
        "ё": .0005, "щ": .0002,
    },
    "tt": {
        "ә": .03, "ө": .01, "ү": .02, "җ": .007, "ң": .01, "һ": .004, "ы": .045, "и": .05,
        "э": .002, "ъ": .002, "ё": .0005, "щ": .0003,
    },
    "ug~cyrl": {
        "ә": .04, "ғ": .007, "қ": .02, "ң": .01, "ө": .005, "ү": .015, "һ": .007, "җ": .005,
        "и": .08, "э": .003, "ъ": .0003, "ё": .0003, "щ": .0002,
    },
    "uz": {"ў": .015, "қ": .02, "ғ": .008, "ҳ": .012, "и": .07, "э": .003, "ъ": .005, "ё": .003},
    "tg": {
        "ғ": .007, "ӣ": .015, "қ": .008, "ӯ": .008, "ҳ": .015, "ҷ": .008, "и": .06, "э": .003,
        "ъ": .004, "ё": .003,
    },
    "uk": {"і": .055, "ї": .008, "є": .005, "ґ": .0005, "и": .06, "щ": .006},
    "be": {"і": .055, "ў": .015, "ы": .02, "э": .006, "ё": .005},
}

# Latin: letters, plus letter+apostrophe pairs (Uzbek oʻ gʻ, Kazakh 2017 a' g' n' o' …).
_KK_2017_APOSTROPHES = {
    "a'": .0086, "g'": .0147, "n'": .0135, "o'": .0081, "u'": .0095, "i'": .0335,
    "s'": .0125, "c'": .0004, "y'": .0201,
}
_LATIN_RATES: dict[str, dict[str, float]] = {
    "en": {"w": .0155, "q": .0012, "x": .002},
    "de": {"ä": .0054, "ö": .003, "ü": .0065, "ß": .0031, "w": .019, "q": .0002, "x": .0003},
    "tr": {"ç": .0115, "ğ": .0112, "ı": .051, "ö": .0078, "ş": .0178, "ü": .0185},
    "pl": {
        "ą": .0099, "ć": .004, "ę": .0111, "ł": .0182, "ń": .002, "ó": .0085, "ś": .0066,
        "ź": .0008, "ż": .0083, "w": .046, "x": .0002, "q": .0001,
    },
    "az": {
        "ə": .07, "ç": .01, "ğ": .006, "ı": .05, "ö": .007, "ş": .015, "ü": .015, "q": .017,
        "x": .014,
    },
    "uz": {
        "q": .02, "x": .014, "o'": .02, "g'": .008, "a'": .0005, "i'": .0005, "e'": .0005,
        "n'": .0003, "u'": .0003,
    },
    "kk~2017": {"q": .026, **_KK_2017_APOSTROPHES},
    "kk~2018": {
        "á": .0086, "ǵ": .0147, "ń": .0135, "ó": .0081, "ú": .0095, "ý": .0201, "ı": .0335,
        "q": .026, "ş": .0125, "ç": .0004,
    },
    "kk~2021": {
        "ä": .0086, "ğ": .0147, "ñ": .0135, "ö": .0081, "ü": .0095, "ū": .008, "ı": .071,
        "ş": .0125, "ç": .0004, "q": .026,
    },
}

# Log prior of each candidate: the media Birlik watches are mostly kk, ru and en.
_LOG_PRIOR: dict[str, float] = {
    "kk": 0.0, "ru": 0.0, "en": 0.0, "kk~ru-keyboard": -1.5,
    "kk~2017": -1.0, "kk~2018": -1.0, "kk~2021": -1.0, "uz": -1.5, "ky": -2.5, "tt": -2.5,
    "ug~cyrl": -3.5,
}
_DEFAULT_LOG_PRIOR = -3.0
# The model already sees the letters: their own likelihood counts less (tuned on SIB train).
_LETTER_WEIGHT = 0.3
_MODEL_WEIGHT = 1.0
_WORD_WEIGHT = 2.0

# Candidates without a model of their own borrow the best score among these model languages.
_MODEL_PROXIES: dict[str, tuple[str, ...]] = {
    "kk~ru-keyboard": ("kk",),
    "ug~cyrl": ("tt", "ky", "uz"),
    "kk~2017": ("tr", "az", "uz"),
    "kk~2018": ("tr", "az", "uz"),
    "kk~2021": ("tr", "az", "uz"),
}

# Frequent short words: decisive evidence in texts of a few words, where letters are few.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "kk": "және мен бен пен деп деген бұл осы сол бір да де та те үшін жылы кейін болып "
        "болды еді екен ол оның олар біз сіз арқылы туралы бойынша қарай дейін немесе "
        "ғана тек әр барлық көп сондай",
        "kk~ru-keyboard": "жане мен бен пен деп деген бул осы сол бир да де та те ушин жылы "
        "кейин болып болды еди екен ол онын олар биз сиз аркылы туралы бойынша",
        "ru": "и в во на не что с со по из к у за от для о об это как но а же бы его её их "
        "он она они был была было были при до после также который которая которые "
        "или уже только еще ещё все всё так этот эта эти",
        "ky": "жана менен бир бул деп үчүн болуп эле жок экен анын алар биз да дагы",
        "tt": "һәм белән бу да дә өчен булды иде түгел аның алар без",
        "ug~cyrl": "вә билән бу үчүн болуп иди әмәс униң улар биз",
        "uk": "і й та що на в у з не це як для від до про його її їх він вона вони був "
        "була було були також який яка які",
        "be": "і ў з на не што гэта як для ад да пра яго яе іх ён яна яны быў была",
        "uz": "va bu bilan uchun ham emas edi bir deb esa ва бу билан учун ҳам эмас эди деб",
        "tg": "ва дар бо аз ба ки ин он барои мебошад аст буд",
        "en": "the of and to in is was for on with by that as at from it are be this has "
        "have were an or which not but their its",
        "de": "der die das und ist nicht ein eine zu mit von den dem des auf für sich im "
        "auch wir sie es",
        "tr": "ve bir bu ile için da de olarak çok daha olan gibi",
        "pl": "i w na się z że nie do jest to jak oraz przez dla od",
        "az": "və bir bu ilə üçün da də olan çox daha kimi",
        "kk~2017": "ja'ne men ben pen dep degen bul osy bir da de ta te u's'in jyly ken'in "
        "bolyp edi eken ol onyn' olar biz ty'raly boi'yns'a",
        "kk~2018": "jáne men ben pen dep degen bul osy bir da de ta te úshin jyly keıin "
        "bolyp edi eken ol onyń olar biz týraly boıynsha boıynşa",
        "kk~2021": "jäne men ben pen dep degen būl osı bir da de ta te üşin jılı keiin "
        "bolıp edi eken ol onıñ olar biz turalı boiınşa",
    }.items()
}
_WORD_CANDIDATES: dict[str, tuple[str, ...]] = {}
for _lang, _words in _FUNCTION_WORDS.items():
    for _word in _words:
        _WORD_CANDIDATES[_word] = (*_WORD_CANDIDATES.get(_word, ()), _lang)
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼʻ‘`][^\W\d_]+)*")

# Each unbounded run starts only where its run of characters starts (the look-behinds) and
# is taken possessively: a search over a long word stays linear (issue 18: "@a@a…" was cubic).
_URL_OR_HANDLE = re.compile(
    r"(?:https?://|www\.)\S+|(?<!\S)[^\s@]++@\S+\.\w+|@\w+"
    r"|(?<![\w-])(?<![\w-]\.)[\w-]++(?:\.[\w-]++)*\.(?:kz|ru|com|org|net|info|gov|edu|uz|kg|io)\b\S*",
    re.IGNORECASE,
)
_URL_HINT = re.compile(r"\.(?:kz|ru|com|org|net|info|gov|edu|uz|kg|io)\b", re.I)
_PARAGRAPH = re.compile(r"\n+")
_SENTENCE_GAP = re.compile(r"(?<=[.!?…;])\s+")
_CYRILLIC_RUN = re.compile(r"[\u0400-\u052f]+")
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u02af]+")
_LATIN_ANY = re.compile(r"[A-Za-z\u00c0-\u02af]")
_CYRILLIC_LOOKALIKE = re.compile(
    r"(?<=[\u0400-\u052f])[iIəƏɵƟ]|[iIəƏɵƟ](?=[\u0400-\u052f])"
)
_LOOKALIKE_TO_CYRILLIC = str.maketrans("iIəƏɵƟ", "ііәәөө")
_APOSTROPHE_LETTER = re.compile(
    r"([agnouiscye])['’ʼʻ‘`](?=[^\W\d_])(?!(?:t|s|ll|re|ve|d|m)\b)"
)
_APOSTROPHE_ANY = re.compile(r"['’ʼʻ‘`]")
_OTHER_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("arabic", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]+")),
    ("ko", re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+")),
    ("ja", re.compile(r"[\u3040-\u30ff]+")),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")),
    ("el", re.compile(r"[\u0370-\u03ff]+")),
    ("hy", re.compile(r"[\u0531-\u058f]+")),
    ("ka", re.compile(r"[\u10a0-\u10ff]+")),
    ("he", re.compile(r"[\u0591-\u05f4]+")),
)
_ANY_OTHER_SCRIPT = re.compile(
    "[" + "".join(pattern.pattern[1:-2] for _, pattern in _OTHER_SCRIPTS) + "]"
)
_SCRIPT_WEIGHT: dict[str, int] = {"cyrillic": 3}
_UYGHUR_ARABIC_LETTERS = frozenset("ەېۇۆۈڭۋ")
_ARABIC_SCRIPT_LANGUAGES: tuple[str, ...] = ("ug", "ar", "fa", "ur")


@dataclass(frozen=True, slots=True)
class _LetterModel:
    """Categorical model of the discriminating letters of one script, per candidate."""

    langs: tuple[str, ...]
    log_rate: dict[str, tuple[float, ...]]
    """Letter → its log-rate in each language of ``langs``."""
    log_rest: tuple[float, ...]
    letters: frozenset[str]
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, rates: Mapping[str, Mapping[str, float]]) -> _LetterModel:
        langs = tuple(rates)
        letters = frozenset(key for table in rates.values() for key in table)
        log_rate = {
            key: tuple(math.log(rates[lang].get(key, _FOREIGN_RATE)) for lang in langs)
            for key in letters
        }
        log_rest = tuple(
            math.log(1.0 - sum(rates[lang].get(key, _FOREIGN_RATE) for key in letters))
            for lang in langs
        )
        singles = "".join(sorted(key for key in letters if len(key) == 1))
        return cls(langs, log_rate, log_rest, letters, re.compile(f"[{re.escape(singles)}]"))

    def log_likelihood(self, counts: Counter[str], letters: int) -> dict[str, float]:
        rest = max(letters - sum(counts.values()), 0)
        totals = [rest * value for value in self.log_rest]
        for key, count in counts.items():
            row = self.log_rate[key]
            totals = [total + count * value for total, value in zip(totals, row, strict=True)]
        return dict(zip(self.langs, totals, strict=True))


_CYRILLIC_MODEL = _LetterModel.build(_CYRILLIC_RATES)
_LATIN_MODEL = _LetterModel.build(_LATIN_RATES)


@dataclass(frozen=True, slots=True, kw_only=True)
class LangResult:
    """What the identifier found in one text."""

    lang: str
    langs: list[str]
    shares: dict[str, float]
    """Share of the letters per language (only languages seen)."""
    posterior: dict[str, float]
    """Letter-weighted posterior per language: how plausible each language is."""


@dataclass(slots=True)
class _Chunk:
    text: str
    script: str
    letters: int
    scores: dict[str, float] = field(default_factory=dict)
    """Candidate → combined log score; empty until scored."""
    label: str | None = None


def build_identifier() -> Any:
    """The py3langid identifier restricted to ``MODEL_LANGUAGES`` (about 0.7 s to load)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    loader = getattr(LanguageIdentifier, "from_pickled_model", None)
    if loader is None:  # py3langid >= 0.4 renamed the loader
        loader = LanguageIdentifier.from_model_file
    identifier = loader(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(MODEL_LANGUAGES))
    return identifier


class LangIdStage:
    """Sets ``doc.lang`` (ISO 639-1 or ``und``) and ``doc.langs`` (substantial languages)."""

    name = "langid.v1"
    requires = frozenset({"text"})
    provides = frozenset({"lang", "langs"})

    def __init__(
        self,
        identifier: Any = None,
        *,
        min_share: float = 0.15,
        hint_floor: float = 0.05,
        chunk_chars: int = 600,
        model_chars: int = 300,
        max_model_chunks: int = 2,
        letters_margin: float = 12.0,
        words_margin: float = 8.0,
    ) -> None:
        self._identifier = identifier if identifier is not None else build_identifier()
        self.min_share = min_share
        self.hint_floor = hint_floor
        self.chunk_chars = chunk_chars
        self.model_chars = model_chars
        self.max_model_chunks = max_model_chunks
        self.letters_margin = letters_margin
        self.words_margin = words_margin

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            result = self.identify(doc.text)
            doc.lang, doc.langs = self._apply_hint(doc, result)
        return docs

    def identify(self, text: str) -> LangResult:
        if "://" in text or "@" in text or _URL_HINT.search(text):
            text = _URL_OR_HANDLE.sub(" ", text)
        chunks = self._chunks(text)
        self._label(chunks)
        return _aggregate(chunks, self.min_share)

    def _apply_hint(self, doc: Document, result: LangResult) -> tuple[str, list[str]]:
        hint = normalise_lang_code(doc.lang)
        if hint is None or hint == result.lang:
            return result.lang, result.langs
        if result.lang == UNDETERMINED:
            return hint, [hint]
        if result.posterior.get(hint, 0.0) >= self.hint_floor:
            return hint, result.langs if hint in result.langs else [hint, *result.langs]
        doc.flags.append(HINT_REJECTED_FLAG)
        return result.lang, result.langs

    # --- chunks -------------------------------------------------------------------------

    def _chunks(self, text: str) -> list[_Chunk]:
        has_other = _ANY_OTHER_SCRIPT.search(text) is not None
        chunks: list[_Chunk] = []
        for paragraph in _PARAGRAPH.split(text):
            for piece in _pieces(paragraph, self.chunk_chars):
                chunk = _profile(piece, has_other)
                if chunk is not None:
                    chunks.append(chunk)
        return chunks

    # --- labelling ----------------------------------------------------------------------

    def _label(self, chunks: list[_Chunk]) -> None:
        undecided: list[_Chunk] = []
        for chunk in chunks:
            if chunk.script in ("cyrillic", "latin"):
                if self._label_without_model(chunk):
                    continue
            elif chunk.script != "arabic":
                chunk.label = chunk.script
                chunk.scores = {chunk.script: 0.0}
                continue
            undecided.append(chunk)
        self._label_with_model(undecided)

    def _label_without_model(self, chunk: _Chunk) -> bool:
        """Label the chunk by its letters, then letters and words, when either is decisive.

        Letters alone count fully (long chunks); combined with the model they count less."""
        lowered = chunk.text.lower()
        letters = _letter_log_likelihood(chunk, lowered)
        chunk.scores = {lang: score + _log_prior(lang) for lang, score in letters.items()}
        if _margin(chunk.scores) >= self.letters_margin:
            chunk.label = _best(chunk.scores)
            return True
        chunk.scores = {
            lang: _LETTER_WEIGHT * score + _log_prior(lang) for lang, score in letters.items()
        }
        _add_word_scores(chunk.scores, lowered)
        if _margin(chunk.scores) >= self.words_margin:
            chunk.label = _best(chunk.scores)
            return True
        return False

    def _label_with_model(self, undecided: list[_Chunk]) -> None:
        sampled = _spread(undecided, self.max_model_chunks)
        pooled: dict[str, list[dict[str, float]]] = {}
        for chunk in sampled:
            model = self._model_log_probs(chunk)
            pooled.setdefault(chunk.script, []).append(model)
            _finish(chunk, model)
        for chunk in undecided:
            if chunk.label is None:
                _finish(chunk, _mean_log_probs(pooled.get(chunk.script, [])))

    def _model_log_probs(self, chunk: _Chunk) -> dict[str, float]:
        other = _LATIN_RUN if chunk.script == "cyrillic" else _CYRILLIC_RUN
        ranked = self._identifier.rank(other.sub("", chunk.text)[: self.model_chars])
        return {lang: math.log(max(float(prob), 1e-12)) for lang, prob in ranked}


# --- pure helpers ---------------------------------------------------------------------------


def normalise_lang_code(code: str | None) -> str | None:
    """``"KK"``, ``"kaz"``, ``"kk-KZ"``, ``"kz"`` → ``"kk"``; ``None`` for nothing usable."""
    if not code:
        return None
    base = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    base = _ISO_639_2.get(base, base)
    if len(base) != 2 or not base.isalpha():
        return None
    return base


_ISO_639_2: dict[str, str] = {
    "kaz": "kk", "kz": "kk", "rus": "ru", "eng": "en", "uzb": "uz", "uig": "ug", "kir": "ky",
    "tat": "tt", "ukr": "uk", "deu": "de", "ger": "de", "kor": "ko", "tur": "tr", "pol": "pl",
    "aze": "az", "zho": "zh", "chi": "zh", "bel": "be", "tgk": "tg", "ua": "uk",
}


def _pieces(paragraph: str, limit: int) -> list[str]:
    """The paragraph itself, or runs of whole sentences of about ``limit`` characters."""
    if len(paragraph) <= limit + limit // 2:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_GAP.split(paragraph):
        if current and len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def _profile(piece: str, has_other: bool) -> _Chunk | None:
    ascii_only = piece.isascii()
    counts = {
        "cyrillic": 0 if ascii_only else sum(map(len, _CYRILLIC_RUN.findall(piece))),
        "latin": sum(map(len, _LATIN_RUN.findall(piece))) if _LATIN_ANY.search(piece) else 0,
    }
    if has_other:
        for script, pattern in _OTHER_SCRIPTS:
            counts[script] = sum(map(len, pattern.findall(piece)))
    # Latin names inside Cyrillic sentences are far more common than the reverse.
    script = max(counts, key=lambda name: counts[name] * _SCRIPT_WEIGHT.get(name, 1))
    letters = counts[script]
    if letters < 2:
        return None
    if script == "cyrillic" and counts["latin"]:
        piece = _CYRILLIC_LOOKALIKE.sub(_to_cyrillic, piece)
    return _Chunk(piece, script, letters)


def _to_cyrillic(match: re.Match[str]) -> str:
    return match.group(0).translate(_LOOKALIKE_TO_CYRILLIC)


def _letter_log_likelihood(chunk: _Chunk, lowered: str) -> dict[str, float]:
    model = _CYRILLIC_MODEL if chunk.script == "cyrillic" else _LATIN_MODEL
    counts = Counter(model.pattern.findall(lowered))
    if chunk.script == "latin" and _APOSTROPHE_ANY.search(lowered):
        counts.update(f"{letter}'" for letter in _APOSTROPHE_LETTER.findall(lowered))
        counts = Counter({key: n for key, n in counts.items() if key in model.letters})
    return model.log_likelihood(counts, chunk.letters)


def _log_prior(lang: str) -> float:
    return _LOG_PRIOR.get(lang, _DEFAULT_LOG_PRIOR)


def _best(scores: Mapping[str, float]) -> str:
    return max(scores, key=scores.__getitem__)


def _margin(scores: Mapping[str, float]) -> float:
    if len(scores) < 2:
        return math.inf
    best, second = sorted(scores.values(), reverse=True)[:2]
    return best - second


def _finish(chunk: _Chunk, model: Mapping[str, float]) -> None:
    """Add the model's log-probabilities to the letter scores and pick the label."""
    if chunk.script == "arabic":
        chunk.scores = _arabic_scores(chunk.text, model)
    elif model:
        chunk.scores = {
            lang: score + _MODEL_WEIGHT * _model_score(lang, model)
            for lang, score in chunk.scores.items()
        }
    chunk.label = _best(chunk.scores)


def _model_score(candidate: str, model: Mapping[str, float]) -> float:
    proxies = _MODEL_PROXIES.get(candidate, (candidate,))
    return max(model.get(lang, -30.0) for lang in proxies)


def _add_word_scores(scores: dict[str, float], text: str) -> None:
    for word in _WORD.findall(text.replace("’", "'")):
        for lang in _WORD_CANDIDATES.get(word, ()):
            if lang in scores:
                scores[lang] += _WORD_WEIGHT


def _arabic_scores(text: str, model: Mapping[str, float]) -> dict[str, float]:
    if any(letter in _UYGHUR_ARABIC_LETTERS for letter in text):
        return {"ug": 0.0}
    return {lang: model.get(lang, -30.0) for lang in _ARABIC_SCRIPT_LANGUAGES}


def _spread(chunks: Sequence[_Chunk], limit: int) -> list[_Chunk]:
    """Up to ``limit`` chunks spread evenly over the sequence."""
    if len(chunks) <= limit:
        return list(chunks)
    step = len(chunks) / limit
    return [chunks[int(i * step)] for i in range(limit)]


def _mean_log_probs(models: Sequence[Mapping[str, float]]) -> dict[str, float]:
    if not models:
        return {}
    return {lang: sum(m[lang] for m in models) / len(models) for lang in models[0]}


def _iso(label: str) -> str:
    """Candidate label → ISO code (``kk~2018`` → ``kk``, ``ug~cyrl`` → ``ug``)."""
    return label.split("~", 1)[0]


def _aggregate(chunks: Sequence[_Chunk], min_share: float) -> LangResult:
    letters: Counter[str] = Counter()
    posterior: dict[str, float] = {}
    for chunk in chunks:
        if chunk.label is None:
            continue
        letters[_iso(chunk.label)] += chunk.letters
        for lang, prob in _softmax(chunk.scores).items():
            iso = _iso(lang)
            posterior[iso] = posterior.get(iso, 0.0) + prob * chunk.letters
    total = sum(letters.values())
    if total == 0:
        return LangResult(lang=UNDETERMINED, langs=[], shares={}, posterior={})
    shares = {lang: count / total for lang, count in letters.most_common()}
    langs = [lang for lang, share in shares.items() if share >= min_share] or [next(iter(shares))]
    return LangResult(
        lang=langs[0],
        langs=langs,
        shares=shares,
        posterior={lang: mass / total for lang, mass in posterior.items()},
    )


def _softmax(scores: Mapping[str, float]) -> dict[str, float]:
    top = max(scores.values())
    weights = {
        lang: math.exp(score - top) for lang, score in scores.items() if score > top - 20.0
    }
    norm = sum(weights.values())
    return {lang: weight / norm for lang, weight in weights.items()}
