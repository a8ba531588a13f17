"""``match_spans`` (one pattern over the lowered text) marks exactly the words that start with a
term, as lowering each word alone would: random texts of Kazakh, Russian and Latin letters,
digits, underscores, a dotted İ (which lowers to two characters) and Greek sigmas (which lower
by context)."""

from __future__ import annotations

import math
import random

from birlik.store.search import _TOKEN, match_spans, query_terms, relevance_order

ALPHABET = "абвгқңөүұһіәАБВҚӨҮІӘabcABC_-1 2 .,İΣσς"


def _word_by_word(body: str, terms: list[str]) -> list[tuple[int, int]]:
    prefixes = tuple(terms)
    return [(m.start(), m.end()) for m in _TOKEN.finditer(body) if m.group().lower().startswith(prefixes)]


def test_spans_are_the_words_that_start_with_a_term() -> None:
    rng = random.Random(1)
    words = ["а", "аб", "ba", "қ", "Ә", "1", "a_b", "σ", "i", "İ"]
    for _ in range(5000):
        body = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 40)))
        terms = query_terms(" ".join(rng.choice(words) for _ in range(rng.randrange(1, 3))))
        assert match_spans(body, terms) == _word_by_word(body, terms), (body, terms)
    assert match_spans("Мәдени орталықта мәдениет", ["мәдени"]) == [(0, 6), (17, 25)]


def _counts_word_by_word(title: str, body: str, terms: list[str]) -> tuple[dict[str, int], int]:
    counts, words = dict.fromkeys(terms, 0), 0
    for weight, part in ((4, title), (1, body)):
        for match in _TOKEN.finditer(part):
            words += weight
            for term in terms:
                counts[term] += weight * match.group().lower().startswith(term)
    return counts, words


def _words(rng: random.Random, vocabulary: list[str], k: int) -> str:
    return " ".join(rng.choices(vocabulary, k=k))


def test_relevance_ranks_as_counting_word_by_word() -> None:
    """The BM25 order equals the one computed from counts taken word by word."""
    rng = random.Random(2)
    vocabulary = ["дом", "домбыра", "Дом", "дружбы", "үй", "мәдени", "İstanbul", "x_y", "Σ"]
    for _ in range(300):
        terms = query_terms(" ".join(rng.sample(["дом", "мәдени", "ist", "үй"], rng.randrange(1, 3))))
        docs = [
            (i, _words(rng, vocabulary, rng.randrange(0, 3)), _words(rng, vocabulary, 9))
            for i in range(1, 8)
        ]
        stats = [(i, *_counts_word_by_word(title, body, terms)) for i, title, body in docs]
        holding = {t: sum(1 for _, counts, _ in stats if counts[t]) for t in terms}
        mean = sum(words for _, _, words in stats) / len(stats) or 1.0
        idf = {t: math.log(1 + (len(stats) - n + 0.5) / (n + 0.5)) for t, n in holding.items()}
        norm = {i: 1.2 * (0.25 + 0.75 * words / mean) for i, _, words in stats}
        scored = sorted(
            (-sum(idf[t] * c * 2.2 / (c + norm[i]) for t, c in counts.items() if c), -i)
            for i, counts, _ in stats
        )
        assert relevance_order(docs, terms) == [-i for _, i in scored]


def test_counted_at_once_as_word_by_word() -> None:
    """The counts of all the texts at once over their code points equal those taken word by
    word: random texts with Kazakh, Russian and Latin letters, capitals, digits, underscores,
    emoji and letters beyond the Basic Multilingual Plane (𐐀 lowers to 𐐨), the Kelvin sign
    (lowers to k); texts with İ or Σ go word by word."""
    from birlik.store.search import _batch_counts, _counts_word_by_word

    rng = random.Random(3)
    letters = "абвгқңөүұһіәАБВҚӨҮІӘabcABCk_-1 2 .,\n😀𐐀𐐨\u212a"
    words = ["а", "аб", "ба", "қ", "ә", "1", "a_b", "k", "𐐨", "ab", "бв"]
    for _ in range(400):
        parts = ["".join(rng.choice(letters) for _ in range(rng.randrange(0, 30))) for _ in range(6)]
        terms = query_terms(" ".join(rng.choice(words) for _ in range(rng.randrange(1, 4))))
        batch = _batch_counts(parts, terms)
        assert batch is not None
        expected = _counts_word_by_word(parts, terms)
        assert batch[0].tolist() == expected[0].tolist(), (parts, terms)
        assert batch[1].tolist() == expected[1].tolist(), (parts, terms)
    assert _batch_counts(["İstanbul"], ["i"]) is None and _batch_counts(["ΟΔΟΣ"], ["ο"]) is None
    assert _batch_counts(["", ""], ["x"]) is not None


def test_only_dotted_i_and_sigma_lower_irregularly() -> None:
    """What ``_batch_counts`` relies on, over every code point: lowered alone, each lowers to
    one code point (but İ), alphanumeric exactly when it is; ``[^\\W_]`` is ``str.isalnum``;
    Σ is the one lowered by its context (it is listed with İ)."""
    from birlik.store.search import IRREGULAR_LOWERING

    longer = [c for c in range(0x110000) if len(chr(c).lower()) != 1]
    assert [chr(c) for c in longer] == ["\u0130"] and set(IRREGULAR_LOWERING) == {"\u0130", "\u03a3"}
    assert all(chr(c).isalnum() == chr(c).lower().isalnum() for c in range(0x110000) if c not in longer)
    assert all(bool(_TOKEN.fullmatch(chr(c))) == chr(c).isalnum() for c in range(0x110000))


def test_relevance_at_once_ranks_as_word_by_word_on_many_texts() -> None:
    """Whole candidate lists (as the Stories page ranks 500): the same order either way."""
    from birlik.store import search

    rng = random.Random(4)
    vocabulary = ["дом", "домбыра", "Дом", "дружбы", "үй", "Үйде", "мәдени", "МӘДЕНИЕТ", "орталық", "x_y",
                  "😀", "2026", "дом-музей"]
    for _ in range(40):
        terms = query_terms(" ".join(rng.sample(["дом", "мәдени", "үй", "орталық"], rng.randrange(1, 3))))
        docs = [
            (rng.randrange(1, 10**6), _words(rng, vocabulary, rng.randrange(0, 6)),
             _words(rng, vocabulary, rng.randrange(0, 60)))
            for _ in range(rng.randrange(1, 300))
        ]
        docs = list({d[0]: d for d in docs}.values())
        at_once = relevance_order(docs, terms)
        batch = search._batch_counts
        try:
            search._batch_counts = lambda parts, terms: None  # type: ignore[assignment]
            assert relevance_order(docs, terms) == at_once
        finally:
            search._batch_counts = batch
