"""Stories for a closed set of documents, no database: what ``birlik cluster`` prints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from birlik.domain.records import Document
from birlik.nlp.embed import Embedder
from birlik.stories.clusterer import Assignment, ClusterSettings, recluster
from birlik.stories.priors import with_prior
from birlik.stories.similarity import StoryFeatures, features_of
from birlik.stories.text import lead_text

Vector = npt.NDArray[np.float32]


def lead_vectors(docs: Sequence[Document], embedder: Embedder, *, reuse: bool = False) -> list[Vector]:
    """The title-and-lead vector of each document.

    Stories compare one kind of vector for every document, so the pipeline's own
    ``doc.embedding`` (salient passages of salient documents only) is used only with ``reuse``.
    """
    missing = [doc for doc in docs if not (reuse and doc.embedding is not None)]
    vectors = embedder.embed([lead_text(doc) for doc in missing], "passage") if missing else None
    computed: Iterator[Vector] = iter(vectors if vectors is not None else ())
    return [
        np.asarray(doc.embedding, dtype=np.float32) if reuse and doc.embedding is not None else next(computed)
        for doc in docs
    ]


def document_features(
    docs: Sequence[Document], embedder: Embedder, now: datetime | None = None, *, reuse: bool = False
) -> list[StoryFeatures]:
    """Features of each document; undated documents count as published ``now``."""
    when = now or datetime.now(UTC)
    vectors = lead_vectors(docs, embedder, reuse=reuse)
    return [
        features_of(doc, vector, _aware(doc.published_at) or when)
        for doc, vector in zip(docs, vectors, strict=True)
    ]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def link_documents(
    docs: Sequence[Document], embedder: Embedder, settings: ClusterSettings | None = None
) -> list[Assignment]:
    return recluster(document_features(docs, embedder), with_prior(settings, embedder.name))


def cluster_documents(
    docs: Sequence[Document], embedder: Embedder, settings: ClusterSettings | None = None
) -> list[str]:
    """The story id of each document, in input order; one story shares one id across languages."""
    return [assignment.story for assignment in link_documents(docs, embedder, settings)]
