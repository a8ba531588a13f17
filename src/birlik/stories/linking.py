"""Stories from each document's one vector, and for a closed set of documents (``birlik cluster``).

A document carries one vector (``embed.v2``): the model's (e5) for salient documents, the
static table's (distilled from e5, its own smaller space) for the others. The model's vectors
decide stories (``IncrementalClusterer``). Static vectors only find candidates: when a
document's static vector comes close to another document's (cosine plus shared figures and
entities reach ``ConfirmSettings.gate``) and one of the two has no model vector, the model
embeds that one (title and lead) once — it confirms the candidates; ``budget`` bounds those
texts per batch. A document whose static vector meets nobody starts its own story without
the model; it is confirmed later if a newer document comes close to it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from birlik.domain.records import Document
from birlik.nlp.embed import Embedder
from birlik.nlp.passages import model_vector
from birlik.store.types import as_utc
from birlik.stories.clusterer import Assignment, ClusterSettings, IncrementalClusterer
from birlik.stories.minhash import Signature
from birlik.stories.priors import with_prior
from birlik.stories.similarity import StoryFeatures, bonus, features_of
from birlik.stories.text import LEAD_CHARS, lead_text

Vector = npt.NDArray[np.float32]
Upgrade = Callable[[list[str]], dict[str, Vector]]
"""Model vectors for the documents of these keys (each embedded at most once)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmSettings:
    """When a static candidate is worth the model. Chosen on SIB-200 *train* kk/ru sentences
    (not an evaluation set), before measuring on story data: a static cosine of 0.22 keeps 95 %
    of translations and lets 1.6 % of unrelated pairs through (0.35 kept only 83 %: the story
    evaluation lost 4 points of recall); same-language pairs that can link sit far higher
    (their model threshold is 0.9).

    Fewer confirmations cost recall: on SIB-200 train kk↔ru with 200 candidates a query, the
    gate passes 4.6 unrelated candidates per document (so nearly every static document is
    confirmed on a busy window); a margin over the mean of the 8 nearest (cosine minus it
    ≥ 0.03) passes 0.7 but keeps 92.6 % of translations, ≥ 0.05: 0.4 and 90.9 % — below what
    the story evaluation's recall floor allows. Not adopted."""

    gate: float = 0.22
    """Static cosine plus bonus that makes a cross-language pair a candidate."""
    same_language_gate: float = 0.6
    per_document: int = 2
    """Candidates confirmed per new document (the best-scoring ones)."""
    budget: float = 1.0
    """Model texts per document of a batch at most (on average over the batch): the linker never
    costs more model work than embedding every document once; candidates past it stay
    unconfirmed (static only)."""
    max_cue_documents: int = 30
    """A shared figure, date or entity makes a candidate when at most this many documents of
    the window carry it."""
    text_chars: int = LEAD_CHARS
    """What the model embeds of a confirmed document: its title and lead cut to this many
    characters (``lead_text``). The vector is stored as the document's one model vector
    (``documents.embedding``, read by semantic search and by later signal runs): for a
    confirmed document it stands for its title and lead, not for the passage ``embed.v2``
    picks (title, lead and salient sentences, ``EMBED_MAX_CHARS``). Both are e5 vectors of
    the same space and about the same length.

    The model's cost grows with the tokens (about 1.25 ms each on this machine; a 600-character
    lead is about 150). A shorter lead was measured on SIB-200 *train* kk/ru
    (``scripts/choose_confirm_chars.py``: 140 pairs of 5 consecutive sentences, 699
    characters): one side cut to 300 characters against the other at 600, 48 % of the
    translations still link (centred cosine ≥ 0.6 and best match) against 91 % at 600; 450
    characters: 72 %; both sides cut to 300: 77 %. A translation's two leads must cover the
    same sentences, so every cut loses recall: the 600 of ``LEAD_CHARS`` stays (checked
    afterwards, not chosen on it: at 400 story_linking_kk_ru fell to P 0.966, R 0.935).

    Confirming fewer candidates, measured by the same script on the static vectors: the
    translations' static cosines do not rise with the length (5th percentile 0.220, 0.222,
    0.222 at 1, 3 and 5 sentences), so a longer document allows no higher gate; one candidate
    a document instead of two keeps 88.6-88.9 % of the translations instead of 92.4-93.8 %."""


@dataclass(slots=True)
class Linkable:
    """A document for the linker: its features (``features.embedding`` is the model vector
    when ``has_model``) and its static vector (None without a static embedder)."""

    features: StoryFeatures
    static: Vector | None
    has_model: bool


@dataclass(slots=True)
class _Entry:
    item: Linkable
    story: str
    group: str


class TieredClusterer:
    """Stories in the model's space, candidates in the static one (see the module doc)."""

    def __init__(
        self,
        model_dim: int,
        settings: ClusterSettings,
        upgrade: Upgrade,
        *,
        confirm: ConfirmSettings | None = None,
        new_story_id: Callable[[], str] | None = None,
    ) -> None:
        counter = itertools.count(1)
        self.new_story_id = new_story_id or (lambda: f"s{next(counter)}")
        self.settings = settings
        self.confirm = confirm or ConfirmSettings()
        self.upgrade = upgrade
        self.inner = IncrementalClusterer(model_dim, settings, new_story_id=self.new_story_id)
        self.entries: dict[str, _Entry] = {}
        self.upgraded: list[str] = []
        """Keys the model embedded, in order (the caller stores their vectors)."""
        self.newest = float("-inf")

    @property
    def span(self) -> float:
        return timedelta(hours=self.settings.window_hours).total_seconds()

    def remember(
        self, item: Linkable, story: str, group: str | None = None, *,
        signed: tuple[Signature, int] | None = None, bands: list[tuple[int, int]] | None = None,
    ) -> None:
        """An already assigned document (with or without a model vector); ``signed`` and
        ``bands`` as for ``IncrementalClusterer.remember``."""
        entry = _Entry(item, story, group or item.features.key)
        self.entries[item.features.key] = entry
        if item.has_model:
            self.inner.remember(item.features, story, entry.group, signed=signed, bands=bands)
        self.newest = max(self.newest, item.features.time.timestamp())

    def add(self, batch: Sequence[Linkable]) -> list[Assignment]:
        ordered = sorted(range(len(batch)), key=lambda i: (batch[i].features.time, batch[i].features.key))
        self._confirm([batch[i] for i in ordered])
        modelled = [i for i in ordered if batch[i].has_model]
        out: dict[int, Assignment] = {}
        if modelled:  # a batch may hold static-only documents alone
            out.update(zip(modelled, self.inner.add([batch[i].features for i in modelled]), strict=True))
        for i in ordered:
            item = batch[i]
            if i not in out:
                out[i] = Assignment(
                    key=item.features.key, story=self.new_story_id(), new_story=True,
                    dup_of=None, linked_to=None, score=0.0,
                )
            assignment = out[i]
            group = assignment.dup_of or item.features.key
            self.entries[item.features.key] = _Entry(item, assignment.story, group)
            self.newest = max(self.newest, item.features.time.timestamp())
        self._evict()
        return [out[i] for i in range(len(batch))]

    def _confirm(self, batch: list[Linkable]) -> None:
        """Give the model's vector to the static-only sides of the candidate pairs of ``batch``."""
        window = [entry.item for entry in self.entries.values() if entry.item.static is not None]
        new = [item for item in batch if item.static is not None]
        wanted: list[Linkable] = [item for item in batch if item.static is None and not item.has_model]
        if new:
            pool = window + new
            matrix = np.stack([np.asarray(item.static, dtype=np.float32) for item in pool])
            cosines = np.stack([np.asarray(item.static, dtype=np.float32) for item in new]) @ matrix.T
            sharing = _cue_index(pool, self.confirm.max_cue_documents)
            for row, item in enumerate(new):
                limit = len(window) + row
                shared = {i for cue in _cues(item) for i in sharing.get(cue, ()) if i < limit}
                wanted += self._candidates(item, pool, cosines[row], limit, shared)
        seen: set[str] = set()
        chosen: list[Linkable] = []
        for item in wanted:
            if not item.has_model and item.features.key not in seen:
                seen.add(item.features.key)
                chosen.append(item)
        chosen = chosen[: math.ceil(self.confirm.budget * len(batch))]
        if not chosen:
            return
        vectors = self.upgrade([item.features.key for item in chosen])
        for item in chosen:
            vector = vectors.get(item.features.key)
            if vector is None:
                continue
            item.features.embedding = np.asarray(vector, dtype=np.float32)
            item.has_model = True
            self.upgraded.append(item.features.key)
            entry = self.entries.get(item.features.key)
            if entry is not None:  # a stored document: it joins the model's window with its story
                self.inner.remember(item.features, entry.story, entry.group)

    def _candidates(
        self, item: Linkable, pool: list[Linkable], cosines: Vector, limit: int, shared: set[int]
    ) -> list[Linkable]:
        """The best pairs of ``item`` with ``pool[:limit]`` above the gate, one side static-only:
        among its nearest static neighbours and the documents that share a figure, a date or an
        entity with it (what survives translation when the static vectors do not)."""
        stamp = item.features.time.timestamp()
        scored: list[tuple[float, Linkable]] = []
        count = min(self.settings.candidates, limit)
        if count == 0:
            return []
        top = set(np.argpartition(-cosines[:limit], count - 1)[:count].tolist()) | shared
        for index in sorted(top):
            other = pool[index]
            if item.has_model and other.has_model:
                continue
            if abs(other.features.time.timestamp() - stamp) > self.span:
                continue
            score = float(cosines[index]) + bonus(item.features, other.features, self.settings.similarity)
            same = item.features.lang == other.features.lang
            if score >= (self.confirm.same_language_gate if same else self.confirm.gate):
                scored.append((score, other))
        scored.sort(key=lambda pair: -pair[0])
        out: list[Linkable] = []
        for _, other in scored[: self.confirm.per_document]:
            out += [side for side in (item, other) if not side.has_model]
        return out

    def _evict(self) -> None:
        cutoff = self.newest - self.span
        old = [key for key, entry in self.entries.items() if entry.item.features.time.timestamp() < cutoff]
        for key in old:
            del self.entries[key]


def _cues(item: Linkable) -> frozenset[str]:
    features = item.features
    return features.numbers | features.dates | features.entities


def _cue_index(pool: list[Linkable], most: int) -> dict[str, list[int]]:
    """Positions in ``pool`` of the documents carrying each cue; cues of more than ``most``
    documents (the country, the year's big names) find nothing particular and are left out."""
    index: dict[str, list[int]] = {}
    for position, item in enumerate(pool):
        for cue in _cues(item):
            index.setdefault(cue, []).append(position)
    return {cue: positions for cue, positions in index.items() if len(positions) <= most}


def linkables(
    docs: Sequence[Document], model: Embedder, static: Embedder | None, times: Sequence[datetime]
) -> list[Linkable]:
    """Each document's linker view from its own vector: the model's when it has one, else its
    static vector (made here, cheaply, when missing); without a static embedder the model embeds
    the title and lead of the documents that lack its vector."""
    own = [_sized(model_vector(doc, model.name), model.dim) for doc in docs]
    statics: list[Vector | None] = [None] * len(docs)
    if static is not None:
        for row, doc in enumerate(docs):
            if doc.embedding_model == static.name and _sized(doc.embedding, static.dim) is not None:
                statics[row] = np.asarray(doc.embedding, dtype=np.float32)
        missing = [row for row in range(len(docs)) if statics[row] is None]
        if missing:
            made = static.embed([lead_text(docs[row]) for row in missing], "passage")
            for index, row in enumerate(missing):
                statics[row] = made[index]
    else:
        missing = [row for row in range(len(docs)) if own[row] is None]
        if missing:
            made = model.embed([lead_text(docs[row]) for row in missing], "passage")
            for index, row in enumerate(missing):
                own[row] = made[index]
    empty = np.zeros(model.dim, dtype=np.float32)
    out: list[Linkable] = []
    for row, (doc, time) in enumerate(zip(docs, times, strict=True)):
        vector = own[row]
        features = features_of(doc, vector if vector is not None else empty, time)
        out.append(Linkable(features=features, static=statics[row], has_model=vector is not None))
    return out


def _sized(vector: object, dim: int) -> Vector | None:
    """``vector`` as float32 when it has ``dim`` numbers (a vector of another size is another
    embedder's: not comparable), else None."""
    if vector is None:
        return None
    array = np.asarray(vector, dtype=np.float32)
    return array if array.shape == (dim,) else None


def link_documents(
    docs: Sequence[Document],
    embedder: Embedder,
    settings: ClusterSettings | None = None,
    *,
    static: Embedder | None = None,
    confirm: ConfirmSettings | None = None,
    now: datetime | None = None,
) -> list[Assignment]:
    """Stories of a closed set, independent of arrival order (undated documents count as
    published ``now``). ``static``: the static embedder distilled from ``embedder`` (candidates
    only; the model embeds just the confirmed ones)."""
    if not docs:
        return []
    when = now or datetime.now(UTC)
    by_key = {doc.id: doc for doc in docs}

    def upgrade(keys: list[str]) -> dict[str, Vector]:
        chars = (confirm or ConfirmSettings()).text_chars
        vectors = embedder.embed([lead_text(by_key[key], chars) for key in keys], "passage")
        for key, vector in zip(keys, vectors, strict=True):
            by_key[key].embedding, by_key[key].embedding_model = vector, embedder.name
        return dict(zip(keys, vectors, strict=True))

    moments = [as_utc(doc.published_at) if doc.published_at else when for doc in docs]
    items = linkables(docs, embedder, static, moments)
    clusterer = TieredClusterer(embedder.dim, with_prior(settings, embedder.name), upgrade, confirm=confirm)
    ordered = sorted(range(len(items)), key=lambda i: (items[i].features.time, items[i].features.key))
    by_index: dict[int, Assignment] = {}
    for first in range(0, len(ordered), 256):
        chunk = ordered[first : first + 256]
        for index, assignment in zip(chunk, clusterer.add([items[i] for i in chunk]), strict=True):
            by_index[index] = assignment
    return [by_index[i] for i in range(len(items))]


def cluster_documents(
    docs: Sequence[Document],
    embedder: Embedder,
    settings: ClusterSettings | None = None,
    *,
    static: Embedder | None = None,
    confirm: ConfirmSettings | None = None,
) -> list[str]:
    """The story id of each document, in input order; one story shares one id across languages."""
    return [a.story for a in link_documents(docs, embedder, settings, static=static, confirm=confirm)]
