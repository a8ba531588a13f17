"""Near-duplicates (reprints, lightly edited press releases) by MinHash and LSH.

A text becomes a set of word 3-gram shingles; its signature is, for each of ``num_perm``
universal hash functions ``(a·x + b) mod p``, the smallest hash over its shingles. The share
of equal positions in two signatures estimates the Jaccard similarity J of the shingle sets;
with the two set sizes it gives the containment (shared shingles over those of the shorter
text), which is what a cut reprint keeps. The LSH index cuts signatures into ``bands`` of
``rows``: two texts become candidates when one band is equal, with probability
``1 - (1 - J^rows)^bands`` (64×2: 0.89 at J=0.19, a reprint cut to half with light edits;
0.99 at J=0.3); candidates are then checked on the whole signature.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

Signature = npt.NDArray[np.uint64]

MERSENNE_31 = (1 << 31) - 1
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True, kw_only=True)
class MinHashSettings:
    num_perm: int = 128
    bands: int = 64
    shingle_words: int = 3
    threshold: float = 0.3
    min_jaccard: float = 0.12
    """Below this estimated Jaccard similarity the containment estimate is noise."""
    min_shingles: int = 40
    """Shorter texts (titles, one-line posts) are never near-duplicates by MinHash alone."""
    """Estimated containment (shared shingles over those of the shorter text) from which two
    texts are near-duplicates: a reprint cut by half still contains most of its shingles."""
    seed: int = 20260101

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands


class MinHasher:
    """Signatures of texts; built once, cheap to apply."""

    def __init__(self, settings: MinHashSettings | None = None) -> None:
        self.settings = settings or MinHashSettings()
        rng = np.random.default_rng(self.settings.seed)
        size = self.settings.num_perm
        self._a = rng.integers(1, MERSENNE_31, size=size, dtype=np.uint64)[:, None]
        self._b = rng.integers(0, MERSENNE_31, size=size, dtype=np.uint64)[:, None]

    def shingle_hashes(self, text: str) -> npt.NDArray[np.uint64]:
        """Distinct hashes of the word n-grams of ``text`` (each word hashed once, cached)."""
        words = _WORD.findall(text.lower())
        if not words:
            return np.zeros(0, dtype=np.uint64)
        word_hashes = np.fromiter((_word_hash(word) for word in words), dtype=np.uint64, count=len(words))
        size = min(self.settings.shingle_words, len(words))
        combined = np.zeros(len(words) - size + 1, dtype=np.uint64)
        for position in range(size):
            combined = (
                combined * np.uint64(1_000_003) + word_hashes[position : len(words) - size + 1 + position]
            ) % np.uint64(MERSENNE_31)
        unique: npt.NDArray[np.uint64] = np.unique(combined)
        return unique

    def signature(self, text: str) -> Signature:
        return self.signatures([text])[0][0]

    def signatures(self, texts: Sequence[str]) -> list[tuple[Signature, int]]:
        """Signatures (and shingle counts) of several texts in one pass over all their shingles."""
        parts = [self.shingle_hashes(text) for text in texts]
        sizes = np.array([max(len(part), 1) for part in parts])
        empty = np.array([MERSENNE_31], dtype=np.uint64)
        hashes = np.concatenate([part if len(part) else empty for part in parts])
        permuted = (self._a * hashes[None, :] + self._b) % np.uint64(MERSENNE_31)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        minima = np.minimum.reduceat(permuted, starts, axis=1)
        return [(minima[:, column].copy(), len(part)) for column, part in enumerate(parts)]


@lru_cache(maxsize=1 << 18)
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8")) % MERSENNE_31


def similarity(first: Signature, second: Signature) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.mean(first == second))


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Shared shingles over the shingles of the smaller set, from their Jaccard similarity."""
    if min(size_a, size_b) == 0:
        return 0.0
    shared = jaccard / (1 + jaccard) * (size_a + size_b)
    return min(1.0, shared / min(size_a, size_b))


@dataclass
class LshIndex:
    """Band buckets of the signatures of the documents in the window; documents can leave."""

    settings: MinHashSettings = field(default_factory=MinHashSettings)
    _buckets: dict[tuple[int, int], list[Hashable]] = field(default_factory=dict)
    _signatures: dict[Hashable, tuple[Signature, int, list[tuple[int, int]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.settings.seed + 1)
        self._mix = rng.integers(1, 1 << 61, size=self.settings.rows, dtype=np.uint64)

    def __len__(self) -> int:
        return len(self._signatures)

    def band_keys(self, signature: Signature) -> list[tuple[int, int]]:
        """One hash per band (rows mixed into one integer; overflow wraps on purpose)."""
        bands = signature[: self.settings.bands * self.settings.rows].reshape(self.settings.bands, -1)
        with np.errstate(over="ignore"):
            mixed = (bands * self._mix).sum(axis=1)
        return list(enumerate(mixed.tolist()))

    def add(
        self, key: Hashable, signature: Signature, size: int, buckets: list[tuple[int, int]] | None = None
    ) -> None:
        buckets = buckets if buckets is not None else self.band_keys(signature)
        self._signatures[key] = (signature, size, buckets)
        for bucket in buckets:
            self._buckets.setdefault(bucket, []).append(key)

    def remove(self, key: Hashable) -> None:
        entry = self._signatures.pop(key, None)
        if entry is None:
            return
        for bucket in entry[2]:
            members = self._buckets.get(bucket)
            if members is None:
                continue
            members.remove(key)
            if not members:
                del self._buckets[bucket]

    def query(
        self, signature: Signature, size: int, buckets: list[tuple[int, int]] | None = None
    ) -> list[tuple[Hashable, float]]:
        """Indexed documents whose estimated containment reaches the threshold, best first."""
        candidates: set[Hashable] = set()
        for bucket in buckets if buckets is not None else self.band_keys(signature):
            candidates.update(self._buckets.get(bucket, ()))
        scored = []
        for key in candidates:
            other, other_size, _ = self._signatures[key]
            jaccard = similarity(signature, other)
            if jaccard >= self.settings.min_jaccard and min(size, other_size) >= self.settings.min_shingles:
                scored.append((key, containment(jaccard, size, other_size)))
        return sorted(
            ((key, score) for key, score in scored if score >= self.settings.threshold),
            key=lambda item: -item[1],
        )
