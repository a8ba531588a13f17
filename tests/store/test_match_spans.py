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
