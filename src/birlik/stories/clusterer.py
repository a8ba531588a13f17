"""Stories assigned as documents arrive, inside a sliding time window.

Each new document is compared with the documents of the last ``window_hours`` (72 by
default) that are still in memory: first for near-duplicates (MinHash LSH), then by the
score of ``similarity`` against its ``candidates`` nearest neighbours by embedding. It
joins the story of its best match when that score reaches ``threshold`` and stands out from
the document's own neighbourhood by ``margin``; otherwise it starts a new story. Documents
older than the window (relative to the newest time seen) leave memory, so memory is bounded
by the window, not by history. Batches are compared as one matrix product.

``recluster`` runs the same over a closed set sorted by time, so the result does not depend
on the order in which the documents arrived.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from birlik.stories.minhash import LshIndex, MinHasher, MinHashSettings, Signature
from birlik.stories.similarity import SimilaritySettings, StoryFeatures, bonus


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterSettings:
    window_hours: float = 72.0
    threshold: float = 0.6
    """Score (language-centred cosine plus bonuses) that links documents of two languages."""
    same_language_threshold: float = 0.9
    """The same for two documents of one language: their cosines run higher."""
    duplicate_slack: float = 0.1
    """A near-duplicate by MinHash needs a score this much below ``same_language_threshold``."""
    candidates: int = 12
    """Nearest neighbours by embedding that are scored in full."""
    language_prior: Mapping[str, npt.NDArray[np.float32]] = field(default_factory=dict)
    """Mean vector of each language for the embedder in use (``stories.priors``)."""
    prior_weight: float = 200.0
    """How many documents of the window the prior mean counts as."""
    min_language_docs: int = 20
    """Without a prior, a language is centred once the window holds this many of its documents."""
    similarity: SimilaritySettings = field(default_factory=SimilaritySettings)
    minhash: MinHashSettings = field(default_factory=MinHashSettings)


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """Where a document went: its story, its near-duplicate group, and why."""

    key: str
    story: str
    new_story: bool
    dup_of: str | None
    """Key of the canonical document of its near-duplicate group, or None."""
    linked_to: str | None
    score: float


@dataclass(slots=True)
class _Member:
    features: StoryFeatures
    story: str
    group: str
    """Key of the canonical (first) document of its near-duplicate group."""
    signature: Signature
    size: int
    """Distinct shingles of the text (for containment)."""
    bands: list[tuple[int, int]]
    code: int
    """Language code (``_LanguageMeans``)."""


class _LanguageMeans:
    """Running sums of the embeddings of each language in the window, blended with a prior."""

    def __init__(self, dim: int, settings: ClusterSettings) -> None:
        self.settings = settings
        self.dim = dim
        self.codes: dict[str, int] = {}
        self.sums = np.zeros((0, dim), dtype=np.float64)
        self.counts = np.zeros(0, dtype=np.float64)
        self.priors = np.zeros((0, dim), dtype=np.float64)
        self.has_prior = np.zeros(0, dtype=bool)

    def code(self, lang: str) -> int:
        code = self.codes.get(lang)
        if code is None:
            code = self.codes[lang] = len(self.codes)
            prior = self.settings.language_prior.get(lang)
            self.sums = np.vstack([self.sums, np.zeros((1, self.dim))])
            self.counts = np.append(self.counts, 0.0)
            row = np.zeros((1, self.dim)) if prior is None else np.asarray(prior, dtype=np.float64)[None, :]
            self.priors = np.vstack([self.priors, row])
            self.has_prior = np.append(self.has_prior, prior is not None)
        return code

    def update(self, codes: npt.NDArray[np.intp], vectors: npt.NDArray[np.float32], sign: float) -> None:
        np.add.at(self.sums, codes, sign * vectors.astype(np.float64))
        np.add.at(self.counts, codes, sign)

    def means(self) -> npt.NDArray[np.float32]:
        weight = np.where(self.has_prior, self.settings.prior_weight, 0.0)[:, None]
        counts = self.counts[:, None]
        blended = (self.priors * weight + self.sums) / np.maximum(weight + counts, 1.0)
        usable = self.has_prior | (self.counts >= self.settings.min_language_docs)
        usable &= np.array([lang != "und" for lang in self.codes], dtype=bool)
        means: npt.NDArray[np.float32] = np.where(usable[:, None], blended, 0.0).astype(np.float32)
        return means


def centred_cosines(
    old: npt.NDArray[np.float32],
    old_codes: npt.NDArray[np.intp],
    new: npt.NDArray[np.float32],
    new_codes: npt.NDArray[np.intp],
    means: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """Cosines of unit vectors after each is moved by minus its language's mean (old × new)."""
    old_dots, new_dots = old @ means.T, new @ means.T
    mean_dots = means @ means.T
    squares = np.diag(mean_dots)
    old_norms = np.sqrt(
        np.maximum(1 - 2 * old_dots[np.arange(len(old)), old_codes] + squares[old_codes], 1e-6)
    )
    new_norms = np.sqrt(
        np.maximum(1 - 2 * new_dots[np.arange(len(new)), new_codes] + squares[new_codes], 1e-6)
    )
    raw = old @ new.T
    centred = (
        raw - old_dots[:, new_codes] - new_dots[:, old_codes].T + mean_dots[np.ix_(old_codes, new_codes)]
    )
    result: npt.NDArray[np.float32] = (centred / (old_norms[:, None] * new_norms[None, :])).astype(np.float32)
    return result


class _Window:
    """The documents of the sliding window: a growing buffer of embeddings plus their records.

    Rows are appended in arrival order; eviction compacts the buffer, which happens only when
    the oldest document is an eighth of the window past the cutoff, so rarely.
    """

    def __init__(self, dim: int) -> None:
        self._matrix = np.zeros((1024, dim), dtype=np.float32)
        self._times = np.zeros(1024, dtype=np.float64)
        self._assigned = np.zeros(1024, dtype=bool)
        self._codes = np.zeros(1024, dtype=np.intp)
        self.size = 0
        self.members: list[_Member] = []
        self.by_key: dict[str, _Member] = {}

    def __len__(self) -> int:
        return self.size

    @property
    def matrix(self) -> npt.NDArray[np.float32]:
        return self._matrix[: self.size]

    @property
    def times(self) -> npt.NDArray[np.float64]:
        return self._times[: self.size]

    @property
    def assigned(self) -> npt.NDArray[np.bool_]:
        return self._assigned[: self.size]

    @property
    def codes(self) -> npt.NDArray[np.intp]:
        """Language code of each row."""
        return self._codes[: self.size]

    def extend(self, members: list[_Member]) -> None:
        if not members:
            return
        end = self.size + len(members)
        if end > len(self._matrix):
            self._grow(max(end, 2 * len(self._matrix)))
        self._matrix[self.size : end] = np.stack([m.features.embedding for m in members])
        self._times[self.size : end] = [m.features.time.timestamp() for m in members]
        self._assigned[self.size : end] = [bool(m.story) for m in members]
        self._codes[self.size : end] = [m.code for m in members]
        self.size = end
        self.members.extend(members)
        self.by_key.update((m.features.key, m) for m in members)

    def _grow(self, capacity: int) -> None:
        for name in ("_matrix", "_times", "_assigned", "_codes"):
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)

    def evict_before(self, cutoff: float, slack: float) -> list[_Member]:
        """Drop documents older than ``cutoff`` once some are older than ``cutoff - slack``."""
        if not self.size or float(self.times.min()) >= cutoff - slack:
            return []
        keep = self.times >= cutoff
        kept = int(keep.sum())
        gone = [m for m, stays in zip(self.members, keep, strict=True) if not stays]
        self._matrix[:kept] = self.matrix[keep]
        self._times[:kept] = self.times[keep]
        self._assigned[:kept] = self.assigned[keep]
        self._codes[:kept] = self.codes[keep]
        self.members = [m for m, stays in zip(self.members, keep, strict=True) if stays]
        self.size = kept
        for member in gone:
            self.by_key.pop(member.features.key, None)
        return gone


class IncrementalClusterer:
    """Assigns stories to batches of documents; keeps only the window in memory.

    ``known`` documents (already assigned, e.g. loaded from the database) enter the window
    with their story through ``remember``. New story ids come from ``new_story_id``.
    """

    def __init__(
        self,
        dim: int,
        settings: ClusterSettings | None = None,
        new_story_id: Callable[[], str] | None = None,
    ) -> None:
        self.settings = settings or ClusterSettings()
        self.hasher = MinHasher(self.settings.minhash)
        self.lsh = LshIndex(self.settings.minhash)
        self.window = _Window(dim)
        self.languages = _LanguageMeans(dim, self.settings)
        self.means = self.languages.means()
        self.stories: dict[str, list[_Member]] = {}
        """Members of each story still in the window, oldest first."""
        self.newest = float("-inf")
        counter = itertools.count(1)
        self.new_story_id = new_story_id or (lambda: f"s{next(counter)}")

    @property
    def span(self) -> float:
        return timedelta(hours=self.settings.window_hours).total_seconds()

    def remember(
        self,
        features: StoryFeatures,
        story: str,
        group: str | None = None,
        *,
        signed: tuple[Signature, int] | None = None,
        bands: list[tuple[int, int]] | None = None,
    ) -> None:
        """Put an already assigned document in the window (``signed``: its MinHash signature
        and shingle count from ``self.hasher``, and ``bands`` its LSH band keys, when the caller
        kept them)."""
        signature, size = signed or self.hasher.signatures([features.text])[0]
        code = self.languages.code(features.lang)
        bands = bands or self.lsh.band_keys(signature)
        member = _Member(features, story, group or features.key, signature, size, bands, code)
        self._admit([member])
        self.stories.setdefault(story, []).append(member)
        self.lsh.add(features.key, signature, size, member.bands)
        self._evict()

    def add(self, batch: Sequence[StoryFeatures]) -> list[Assignment]:
        """Assign each document of ``batch`` (taken in time order) to a story."""
        ordered = sorted(range(len(batch)), key=lambda i: batch[i].time)
        signatures = self.hasher.signatures([batch[i].text for i in ordered])
        pending = [
            _Member(
                batch[i],
                "",
                batch[i].key,
                signature,
                size,
                self.lsh.band_keys(signature),
                self.languages.code(batch[i].lang),
            )
            for i, (signature, size) in zip(ordered, signatures, strict=True)
        ]
        old = len(self.window)
        means = self.means = self.languages.means()
        self._admit(pending)
        top_rows, top_cosines = self._window_candidates(old, means)
        new_vectors, new_codes = self.window.matrix[old:], self.window.codes[old:]
        in_batch = centred_cosines(new_vectors, new_codes, new_vectors, new_codes, means)
        out: dict[int, Assignment] = {}
        for offset, index in enumerate(ordered):
            rows = np.concatenate([top_rows[:, offset], old + np.arange(offset)])
            cosines = np.concatenate([top_cosines[:, offset], in_batch[:offset, offset]])
            out[index] = self._assign(old + offset, rows, cosines)
        self._evict()
        return [out[i] for i in range(len(batch))]

    def _admit(self, members: list[_Member]) -> None:
        self.window.extend(members)
        codes = np.array([m.code for m in members], dtype=np.intp)
        self.languages.update(codes, np.stack([m.features.embedding for m in members]), 1.0)

    def _window_candidates(
        self, old: int, means: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
        """For each new row, the rows of the earlier window with the highest centred cosines."""
        new_vectors = self.window.matrix[old:]
        count = min(self.settings.candidates, old)
        if count == 0:
            return (
                np.zeros((0, len(new_vectors)), dtype=np.intp),
                np.zeros((0, len(new_vectors)), dtype=np.float32),
            )
        codes = self.window.codes
        cosines = centred_cosines(self.window.matrix[:old], codes[:old], new_vectors, codes[old:], means)
        eligible = self.window.assigned[:old, None] & (
            np.abs(self.window.times[:old, None] - self.window.times[None, old:]) <= self.span
        )
        cosines = np.where(eligible, cosines, np.float32(-2.0))
        rows = np.argpartition(-cosines, count - 1, axis=0)[:count]
        return rows, np.take_along_axis(cosines, rows, axis=0)

    def _evict(self) -> None:
        if len(self.window):
            self.newest = max(self.newest, float(self.window.times.max()))
        gone = self.window.evict_before(self.newest - self.span, self.span / 8)
        for member in gone:
            self.lsh.remove(member.features.key)
            story = self.stories.get(member.story)
            if story is not None:
                story.remove(member)
                if not story:
                    del self.stories[member.story]
        if gone:
            codes = np.array([m.code for m in gone], dtype=np.intp)
            self.languages.update(codes, np.stack([m.features.embedding for m in gone]), -1.0)

    def _assign(self, row: int, rows: npt.NDArray[np.intp], cosines: npt.NDArray[np.float32]) -> Assignment:
        member = self.window.members[row]
        duplicate = self._near_duplicate(member)
        other: _Member | None
        if duplicate is not None:
            other, score = duplicate
            member.story, member.group = other.story, other.group
            dup_of: str | None = other.group
        else:
            best, score = self._best_match(member, rows, cosines)
            other, dup_of = best, None
            member.story = best.story if best is not None else self.new_story_id()
        self.lsh.add(member.features.key, member.signature, member.size, member.bands)
        self.window.assigned[row] = True
        self.stories.setdefault(member.story, []).append(member)
        return Assignment(
            key=member.features.key,
            story=member.story,
            new_story=other is None,
            dup_of=dup_of,
            linked_to=other.features.key if other is not None else None,
            score=score,
        )

    def _near_duplicate(self, member: _Member) -> tuple[_Member, float] | None:
        stamp = member.features.time.timestamp()
        for key, score in self.lsh.query(member.signature, member.size, member.bands):
            other = self.window.by_key.get(str(key))
            if other is None or other.code != member.code:
                continue  # a reprint is in the language of its original
            if abs(other.features.time.timestamp() - stamp) <= self.span and self._agrees(member, other):
                return other, score
        return None

    def _agrees(self, member: _Member, other: _Member) -> bool:
        """Shared boilerplate is not a reprint: the meaning must agree too."""
        cosine = centred_cosines(
            other.features.embedding[None, :],
            np.array([other.code]),
            member.features.embedding[None, :],
            np.array([member.code]),
            self.means,
        )[0, 0]
        score = float(cosine) + bonus(member.features, other.features, self.settings.similarity)
        return score >= self.settings.same_language_threshold - self.settings.duplicate_slack

    def _best_match(
        self, member: _Member, rows: npt.NDArray[np.intp], cosines: npt.NDArray[np.float32]
    ) -> tuple[_Member | None, float]:
        """The best-scoring candidate whose whole story (in the window) accepts the document."""
        stamp = member.features.time.timestamp()
        close = (cosines > -1.5) & (np.abs(self.window.times[rows] - stamp) <= self.span)
        rows, cosines = rows[close], cosines[close]
        if len(rows) == 0:
            return None, 0.0
        order = np.argsort(-cosines)[: self.settings.candidates]
        rows, cosines = rows[order], cosines[order]
        thresholds = self._thresholds(member.code, self.window.codes[rows])
        reachable = cosines + self.settings.similarity.max_bonus >= thresholds
        scored: list[tuple[float, float, _Member]] = []
        for row, cosine, threshold in zip(
            rows[reachable].tolist(), cosines[reachable].tolist(), thresholds[reachable].tolist(), strict=True
        ):
            other = self.window.members[row]
            score = cosine + bonus(member.features, other.features, self.settings.similarity)
            if score >= threshold:
                scored.append((score - threshold, score, other))
        scored.sort(key=lambda item: -item[0])
        tried: set[str] = set()
        for _, score, other in scored:
            if other.story not in tried and self._story_accepts(member, other.story):
                return other, score
            tried.add(other.story)
        return None, float(cosines[0])

    def _thresholds(self, code: int, codes: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        same = codes == code
        return np.where(same, self.settings.same_language_threshold, self.settings.threshold)

    def _story_accepts(self, member: _Member, story: str) -> bool:
        """Average linkage: on average over the story's documents in the window, the new
        document must reach the threshold (stops chains of pairwise links)."""
        others = [m for m in self.stories.get(story, ()) if m.features.key != member.features.key]
        if len(others) <= 1:
            return True
        others = others[-self.settings.candidates :]
        vectors = np.stack([m.features.embedding for m in others])
        codes = np.array([m.code for m in others], dtype=np.intp)
        cosines = centred_cosines(
            vectors, codes, member.features.embedding[None, :], np.array([member.code]), self.means
        )[:, 0]
        bonuses = np.array([bonus(member.features, m.features, self.settings.similarity) for m in others])
        margins = cosines + bonuses - self._thresholds(member.code, codes)
        return float(margins.mean()) >= 0.0


def recluster(features: Sequence[StoryFeatures], settings: ClusterSettings | None = None) -> list[Assignment]:
    """Stories for a closed set of documents, independent of their arrival order."""
    if not features:
        return []
    clusterer = IncrementalClusterer(len(features[0].embedding), settings)
    ordered = sorted(range(len(features)), key=lambda i: (features[i].time, features[i].key))
    by_index: dict[int, Assignment] = {}
    for first in range(0, len(ordered), 256):
        chunk = ordered[first : first + 256]
        for index, assignment in zip(chunk, clusterer.add([features[i] for i in chunk]), strict=True):
            by_index[index] = assignment
    return [by_index[i] for i in range(len(features))]
