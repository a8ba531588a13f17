"""Place linking: names of regions, districts and towns in kk/ru/en text → KATO codes.

One ``LexiconMatcher`` over every written form of every place finds the names; the words
around a name then decide what it is:

- a head word after it (``облысы``, ``ауданы``, ``область``, ``район``, ``Region``,
  ``қаласы``) or before it (``город``, ``г.``, ``область``) picks the kind of place:
  ``Алматы облысы`` is the region, ``Алматы`` alone the city;
- a plural head shared by a list (``Алматы мен Жамбыл облыстары``, ``Алматинской и
  Жамбылской областях``) applies to every name of the list, and names in brackets after a
  region (``Алматы (Еңбекшіқазақ, Ұйғыр) облыстарында``) are districts of that region;
- names that are also common words (``Ақсу``, ``Шет``) must be capitalised and not open a
  sentence; names that are also people (``Абай``, ``Жамбыл``, ``Панфилов``) need a head word
  or, for the few whose bare name is usually the place, no person around them
  (``Абай Құнанбайұлы``, ``ақын Абай``, ``проспект Абая`` are not places);
- a name shared by several places is resolved by the regions the rest of the document
  names unambiguously, then by a fixed preference (city, region, town, district).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from birlik.domain.records import Document, Mention, Token
from birlik.domain.text import fold, normalise, tokenize, word_stems
from birlik.nlp.matcher import LexiconMatcher, Match, token_keys
from birlik.resources.gazetteer import Gazetteer, Place, PlaceName

HeadKind = Literal["region", "district", "city"]


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(word) for word in words.split())


_HEAD_WORDS: dict[HeadKind, tuple[str, ...]] = {
    "region": ("облыс", "облысы", "область", "област", "обл", "region", "oblast", "province",
               "провинция", "oblys", "oblysy"),
    "district": ("аудан", "ауданы", "район", "р-н", "рн", "district", "ауд", "raion", "rayon"),
    "city": ("кала", "каласы", "калас", "город", "г", "city", "cities", "town", "ауыл", "ауылы",
             "село", "поселок", "пос", "аул", "village", "кент", "кенти", "шахар"),
}
_HEAD_KEYS: dict[str, HeadKind] = {
    fold(word): kind for kind, words in _HEAD_WORDS.items() for word in words
}
#: Head words written before a name (Russian and English only: Kazakh puts them after).
_PREFIX_WORDS: dict[HeadKind, tuple[str, ...]] = {
    "region": ("область", "област", "обл"),
    "district": ("район", "р-н", "рн"),
    "city": ("город", "г", "city", "town", "село", "поселок", "пос", "аул", "village",
             # inflected forms (в селе, посёлке, деревне; "сел" alone is also a verb)
             "села", "селе", "селу", "селом", "поселк", "деревн", "станиц"),
}
_PREFIX_KEYS: dict[str, HeadKind] = {
    fold(word): kind for kind, words in _PREFIX_WORDS.items() for word in words
}
#: The matcher registers words shorter than this as they are, without stems.
_SHORT_WORD = 4
_PREFIX = 3
_SHORT_PREFIX = 2
_ABBREVIATED_HEADS = frozenset({"г", "обл", "пос", "р-н"})
_PLURAL_PREFIXES = ("облыстар", "аудандар", "калалар", "ауылдар")
_PLURAL_FORMS = _folded(
    "областях областей областям областями районах районов районы районам районами городах "
    "городов городам городами regions districts cities towns oblasts provinces villages"
)
_STREET_BEFORE = _folded(
    "ул улица улиц проспект пр даңғылы бульвар переулок мкр микрорайон им имени имен "
    "street avenue"
)
_STREET_AFTER = _folded(
    "көшесі көшес даңғылы даңғыл атындағы атындагы street avenue ave st str бульвары "
    "university университет университеті"
)
_PERSON_BEFORE = _folded(
    "ақын акын поэт poet ұлы великий хакім хаким дінмұхамед динмухамед димаш қаныш каныш "
    "kanysh dinmukhamed академик батыр батыра генерал general генерала"
)
_PERSON_NEAR = _folded(
    "өлең өлеңдері стих стихи стихотворени поэт поэзия поэзи поэтесса ақын акын poet poetry "
    "сөз сөздері шығарма шығармалары творчеств мұрасы оқулары чтения жолы құнанбайұлы кунанбаев "
    "құнанбаев kunanbayev kunanbaev qunanbaiuly туғанына рождения born"
)
_SURNAME_ENDINGS = ("улы", "кызы", "ов", "ев", "ова", "ева", "ин", "ина", "uly", "kyzy", "ov",
                    "ev", "ova", "eva")
_CONNECTOR = re.compile(
    r"[\s,;()]*(?:(?:және|мен|бен|пен|и|а также|and|&|или|немесе)[\s,;()]+)?[\s,;()]*",
    re.IGNORECASE,
)
_CLOSING = re.compile(r"[\s)]*")
_SENTENCE_BREAK = frozenset(".!?\n…")
_OPENING_PUNCT = frozenset(" \t\"'«»“”„(—–-")

_RANK = {("region", True): 0, ("city", True): 0, ("region", False): 1, ("city", False): 2,
         ("district", False): 3, ("village", False): 4}


@dataclass(frozen=True, slots=True)
class _Candidate:
    place: Place
    adjective: bool
    abbreviation: bool
    bare: bool
    stems: tuple[frozenset[str], ...]
    """What each word of this form matches (the matcher's stems), so that forms sharing a
    matcher entry (``Петропавловск`` / ``Петропавловская``) are told apart."""

    @property
    def rank(self) -> int:
        return _RANK.get((self.place.level, self.place.owns_code), 5)


@dataclass(frozen=True, slots=True)
class _Surface:
    candidates: tuple[_Candidate, ...]


@dataclass(slots=True)
class _Span:
    """A matched name and what its neighbourhood says about it."""

    first: int
    last: int
    start: int
    end: int
    surface: _Surface
    head: HeadKind | None = None
    head_end: int = 0
    head_plural: bool = False
    prefix: HeadKind | None = None
    prefix_start: int = 0
    shared: HeadKind | None = None
    owner: int | None = None
    place: Place | None = None
    confidence: float = 1.0

    @property
    def kind(self) -> HeadKind | None:
        return self.head or self.prefix or self.shared


class PlaceLinker:
    """Finds place names in one text and links them to KATO codes; built once."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        entries = _entries(gazetteer)
        self._matcher: LexiconMatcher[_Surface] = LexiconMatcher(entries)
        self._longest = max(len(words) for words, _ in entries)
        self._starts = _start_prefixes(entries)
        self._key_cache: dict[str, frozenset[str]] = {}
        self._can_start: dict[str, bool] = {}

    def link(self, text: str, tokens: Sequence[Token]) -> list[Mention]:
        matches = self._find(tokens)
        if not matches:
            return []
        spans = [self._span(text, tokens, match) for match in matches]
        _share_heads(text, tokens, spans)
        self._resolve(text, tokens, spans)
        return [_mention(text, span) for span in spans if span.place is not None]

    def _find(self, tokens: Sequence[Token]) -> list[Match[_Surface]]:
        """``matcher.find`` run only where a name can start: at a token whose first letters
        begin some entry (about a quarter of the tokens of running text)."""
        matches: list[Match[_Surface]] = []
        can_start, longest = self._can_start, self._longest
        i, count = 0, len(tokens)
        while i < count:
            word = tokens[i].text
            starts = can_start.get(word)
            if starts is None:
                starts = self._starts_name(word)
            if not starts:
                i += 1
                continue
            found = self._matcher.find(tokens[i:i + longest])
            if found and found[0].start_token == 0:
                end = found[0].end_token
                matches.append(Match(i, i + end, found[0].payload))
                i += end
            else:
                i += 1
        return matches

    def _starts_name(self, word: str) -> bool:
        head = fold(word[:_PREFIX + 1])
        starts = head[:_PREFIX] in self._starts or head[:_SHORT_PREFIX] in self._starts
        if len(self._can_start) < 200_000:
            self._can_start[word] = starts
        return starts

    def link_text(self, text: str) -> list[Mention]:
        return self.link(text, tokenize(normalise(text)))

    def _keys(self, token: str) -> frozenset[str]:
        keys = self._key_cache.get(token)
        if keys is None:
            keys = frozenset(token_keys(token))
            if len(self._key_cache) < 100_000:
                self._key_cache[token] = keys
        return keys

    def _head_kind(self, token: Token, heads: dict[str, HeadKind] = _HEAD_KEYS) -> HeadKind | None:
        for key in self._keys(token.text):
            kind = heads.get(key)
            if kind is not None:
                return kind
        return None

    def _span(self, text: str, tokens: Sequence[Token], match: Match[_Surface]) -> _Span:
        first, last = match.start_token, match.end_token - 1
        span = _Span(first, last, tokens[first].start, tokens[last].end, match.payload)
        span.head_end = span.end
        span.prefix_start = span.start
        if last + 1 < len(tokens) and text[span.end:tokens[last + 1].start].isspace():
            after = tokens[last + 1]
            span.head = self._head_kind(after)
            if span.head is not None:
                span.head_end = after.end
                span.head_plural = _is_plural(after.text)
        before = tokens[first - 1] if first > 0 else None
        if before is not None and _gap_is_prefix(text[before.end:span.start], before.text):
            span.prefix = self._head_kind(before, _PREFIX_KEYS)
            if span.prefix is None and before.text == "of" and first > 1:
                span.prefix = self._head_kind(tokens[first - 2], _PREFIX_KEYS)
            if span.prefix is not None:
                span.prefix_start = before.start
        return span

    def _resolve(self, text: str, tokens: Sequence[Token], spans: list[_Span]) -> None:
        viable = [self._viable(text, tokens, span) for span in spans]
        context = {
            options[0].place.region_kato for options in viable
            if options and len({c.place.kato for c in options}) == 1
        }
        for span, options in zip(spans, viable, strict=True):
            if span.owner is None:
                _choose(span, options, context)
        for span in spans:
            if span.owner is not None:
                owner = spans[span.owner].place
                region = owner.region_kato if owner is not None else None
                options = self._inside(tokens, span, region) or self._viable(text, tokens, span)
                _choose(span, options, context)

    def _inside(
        self, tokens: Sequence[Token], span: _Span, region_kato: str | None
    ) -> list[_Candidate]:
        return [
            c for c in self._written(tokens, span)
            if c.place.region_kato == region_kato and c.place.level != "region"
        ]

    def _written(self, tokens: Sequence[Token], span: _Span) -> list[_Candidate]:
        """The candidates whose own form fits the matched tokens."""
        words = tokens[span.first:span.last + 1]
        return [
            c for c in span.surface.candidates
            if len(c.stems) == len(words) and all(
                (fold(t.text) in stems) if len(stems) == 1 and len(next(iter(stems))) < _SHORT_WORD
                else bool(self._keys(t.text) & stems) and not _bare_cut(fold(t.text), stems)
                for t, stems in zip(words, c.stems, strict=True)
            )
        ]

    def _viable(self, text: str, tokens: Sequence[Token], span: _Span) -> list[_Candidate]:
        written = self._written(tokens, span)
        kind = span.kind
        if kind is not None:
            fitting = [c for c in written if _fits(c, kind)]
            if fitting:
                return [c for c in fitting if not c.abbreviation or _caps(text, span)]
        if self._street(tokens, span):
            return []
        return [c for c in written if self._bare_ok(text, tokens, span, c)]

    def _bare_ok(self, text: str, tokens: Sequence[Token], span: _Span, cand: _Candidate) -> bool:
        if not cand.bare or cand.adjective:
            return False
        if cand.abbreviation:
            return _caps(text, span)
        if text[span.start].islower() and _has_capitals(text):
            return False  # "қарағанда" (looking at), "астанасы" (its capital)
        if cand.place.common_word and not (
            text[span.start].isupper() and not _sentence_initial(text, span.start)
        ):
            return False
        return not (cand.place.person_name and self._person(text, tokens, span))

    def _street(self, tokens: Sequence[Token], span: _Span) -> bool:
        before = span.first > 0 and self._keys(tokens[span.first - 1].text) & _STREET_BEFORE
        after = span.last + 1 < len(tokens) and (
            self._keys(tokens[span.last + 1].text) & _STREET_AFTER
        )
        return bool(before or after)

    def _person(self, text: str, tokens: Sequence[Token], span: _Span) -> bool:
        if span.first > 0:
            before = tokens[span.first - 1]
            if self._keys(before.text) & _PERSON_BEFORE or _is_initial(text, before):
                return True
        if span.last + 1 < len(tokens) and _surname_like(text, span, tokens[span.last + 1]):
            return True
        window = tokens[max(0, span.first - 3):span.last + 4]
        return any(self._keys(token.text) & _PERSON_NEAR for token in window)


class PlaceStage:
    """Appends a ``PLACE`` mention with the KATO code for every place name in a document."""

    name = "places.v1"
    requires = frozenset({"tokens"})
    provides = frozenset({"entities.place"})

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.linker = PlaceLinker(gazetteer)

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.entities.extend(self.linker.link(doc.text, doc.tokens))
        return docs


def _entries(gazetteer: Gazetteer) -> list[tuple[list[str], _Surface]]:
    """One matcher entry per written form; forms whose first words share a stem share one
    surface, because the matcher keeps only the first of equally long entries that fit."""
    forms: list[tuple[list[str], _Candidate]] = []
    for place in gazetteer.places:
        for form in place.forms:
            words = [token.text for token in tokenize(normalise(form.text))]
            if words:
                forms.append((words, _candidate(place, form, words)))
    groups = _group_by_first_stem(forms)
    surfaces: dict[int, _Surface] = {}
    for root, members in groups.items():
        unique = list(dict.fromkeys(forms[i][1] for i in members))
        surfaces[root] = _Surface(tuple(sorted(unique, key=lambda c: c.rank)))
    return [
        (forms[i][0], surfaces[root]) for root, members in groups.items() for i in members
    ]


def _start_prefixes(entries: list[tuple[list[str], _Surface]]) -> frozenset[str]:
    """First letters of every key a name's first word is registered under (3 letters, or
    2 for the shortest stems such as ``шу``)."""
    prefixes: set[str] = set()
    for words, _ in entries:
        first = fold(words[0])
        for stem in {first} | (word_stems(words[0]) if len(first) >= _SHORT_WORD else set()):
            prefixes.add(stem[:_PREFIX] if len(stem) >= _PREFIX else stem[:_SHORT_PREFIX])
    return frozenset(prefixes)


def _group_by_first_stem(forms: list[tuple[list[str], _Candidate]]) -> dict[int, list[int]]:
    parent = list(range(len(forms)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[int, str], int] = {}
    for index, (words, candidate) in enumerate(forms):
        for stem in candidate.stems[0]:
            other = owner.setdefault((len(words), stem), index)
            parent[find(index)] = find(other)
    groups: dict[int, list[int]] = {}
    for index in range(len(forms)):
        groups.setdefault(find(index), []).append(index)
    return groups


def _candidate(place: Place, form: PlaceName, words: list[str]) -> _Candidate:
    bare = place.bare_ok if form.bare is None else form.bare
    stems = tuple(
        frozenset({fold(w)}) if len(fold(w)) < _SHORT_WORD else frozenset(word_stems(w))
        for w in words
    )
    return _Candidate(place, form.adjective, form.abbreviation, bare and not form.adjective, stems)


def _fits(cand: _Candidate, kind: HeadKind) -> bool:
    place = cand.place
    if kind == "region":
        return place.level == "region" and not place.is_city
    if kind == "district":
        return place.level == "district"
    return not cand.adjective and (place.is_city or place.level == "village")


def _choose(span: _Span, options: list[_Candidate], context: set[str]) -> None:
    if not options:
        return
    places = list({c.place.kato: c.place for c in reversed(options)}.values())[::-1]
    if len(places) == 1:
        span.place = places[0]
        span.confidence = 0.7 if places[0].person_name and span.kind is None else 1.0
        return
    in_context = [p for p in places if p.region_kato in context]
    span.place = (in_context or places)[0]
    span.confidence = 0.8 if in_context else 0.5


def _share_heads(text: str, tokens: Sequence[Token], spans: list[_Span]) -> None:
    """Lists of names with one plural head: ``Алматы мен Жамбыл облыстары``, and names in
    brackets after a region: ``Алматы (Еңбекшіқазақ, Ұйғыр), Жамбыл (Қордай) облыстарында``."""
    i = 0
    while i < len(spans):
        chain, depths = [i], [0]
        depth = 0
        while chain[-1] + 1 < len(spans):
            prev, nxt = spans[chain[-1]], spans[chain[-1] + 1]
            gap = text[prev.head_end:nxt.prefix_start]
            if len(gap) > 40 or not _CONNECTOR.fullmatch(gap):
                break
            depth = max(0, depth + gap.count("(") - gap.count(")"))
            if depth > 1:
                break
            chain.append(chain[-1] + 1)
            depths.append(depth)
        if len(chain) > 1:
            _apply_chain(text, tokens, spans, chain, depths)
        i = chain[-1] + 1


def _apply_chain(
    text: str, tokens: Sequence[Token], spans: list[_Span], chain: list[int], depths: list[int]
) -> None:
    kind, plural = _chain_head(text, tokens, spans, chain, depths)
    owner: int | None = None
    for index, depth in zip(chain, depths, strict=True):
        span = spans[index]
        if depth == 0:
            owner = index
            all_adjectives = all(c.adjective for c in span.surface.candidates)
            if span.kind is None and kind is not None and (plural or all_adjectives):
                span.shared = kind
        elif owner is not None and spans[owner].kind == "region":
            span.owner = owner


def _chain_head(
    text: str, tokens: Sequence[Token], spans: list[_Span], chain: list[int], depths: list[int]
) -> tuple[HeadKind | None, bool]:
    last = spans[chain[-1]]
    if depths[-1] == 0 and last.head is not None:
        return last.head, last.head_plural
    following = last.last + 1
    if following < len(tokens) and _CLOSING.fullmatch(text[last.end:tokens[following].start]):
        token = tokens[following]
        for key in token_keys(token.text):
            if key in _HEAD_KEYS:
                return _HEAD_KEYS[key], _is_plural(token.text)
    return None, False


def _mention(text: str, span: _Span) -> Mention:
    assert span.place is not None
    start, end = span.start, span.end
    if span.head in ("region", "district"):
        end = span.head_end
    if span.prefix in ("region", "district"):
        start = span.prefix_start
    return Mention(
        start=start, end=end, text=text[start:end], type="PLACE", id=span.place.kato,
        confidence=span.confidence,
    )


def _is_plural(token: str) -> bool:
    folded = fold(token)
    return folded in _PLURAL_FORMS or folded.startswith(_PLURAL_PREFIXES)


def _gap_is_prefix(gap: str, word: str) -> bool:
    return gap.isspace() or (word in _ABBREVIATED_HEADS and gap.strip() == ".")


def _bare_cut(token: str, stems: frozenset[str]) -> bool:
    """Is the token only the stem a Russian ending is cut from (``Қорда`` for Қордай,
    ``Алмат`` for Алматы)? The stem is never written alone: a Russian form adds an ending
    to it (``Кордая``), a Kazakh one keeps the whole name (``Қордайда``)."""
    return token in stems and len(token) < max(len(stem) for stem in stems)


def _has_capitals(text: str) -> bool:
    """Does the text use capitals at all? In an all-lower-case message a name may be too."""
    return not text.islower()


def _caps(text: str, span: _Span) -> bool:
    return text[span.start:span.end].isupper()


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _OPENING_PUNCT:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_BREAK


def _is_initial(text: str, token: Token) -> bool:
    return (
        token.end - token.start == 1 and text[token.start].isupper()
        and text[token.end:token.end + 1] == "."
    )


def _surname_like(text: str, span: _Span, token: Token) -> bool:
    if not text[span.end:token.start].isspace() or not text[token.start].isupper():
        return False
    return fold(token.text).endswith(_SURNAME_ENDINGS) and len(token.text) > 4
