"""The incremental clusterer on hand-made vectors: centring, windows, near-duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from birlik.stories.clusterer import ClusterSettings, IncrementalClusterer, centred_cosines, recluster
from birlik.stories.similarity import StoryFeatures

START = datetime(2026, 8, 14, 9, tzinfo=UTC)
DIM = 16


def _unit(vector: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def _doc(
    key: str, vector: npt.NDArray[np.float32], hours: float, lang: str = "kk", text: str = ""
) -> StoryFeatures:
    return StoryFeatures(
        key=key,
        time=START + timedelta(hours=hours),
        embedding=vector,
        lang=lang,
        text=text or f"text of {key}",
    )


def test_centred_cosines_match_explicit_centring() -> None:
    rng = np.random.default_rng(1)
    old = np.stack([_unit(rng.standard_normal(DIM)) for _ in range(4)])
    new = np.stack([_unit(rng.standard_normal(DIM)) for _ in range(3)])
    means = np.stack([_unit(rng.standard_normal(DIM)) * 0.5 for _ in range(2)]).astype(np.float32)
    old_codes, new_codes = np.array([0, 1, 0, 1]), np.array([1, 0, 1])
    got = centred_cosines(old, old_codes, new, new_codes, means)
    left = old - means[old_codes]
    right = new - means[new_codes]
    expected = (left / np.linalg.norm(left, axis=1, keepdims=True)) @ (
        right / np.linalg.norm(right, axis=1, keepdims=True)
    ).T
    np.testing.assert_allclose(got, expected, atol=1e-5)


def _story_vectors(rng: np.random.Generator, count: int, noise: float) -> list[npt.NDArray[np.float32]]:
    centre = rng.standard_normal(DIM)
    return [_unit(centre + noise * rng.standard_normal(DIM)) for _ in range(count)]


def test_documents_of_one_story_share_it_and_others_do_not() -> None:
    rng = np.random.default_rng(2)
    first, second = _story_vectors(rng, 3, 0.05), _story_vectors(rng, 2, 0.05)
    docs = [_doc(f"a{i}", v, i, ("kk", "ru", "en")[i]) for i, v in enumerate(first)]
    docs += [_doc(f"b{i}", v, i + 0.5, ("ru", "kk")[i]) for i, v in enumerate(second)]
    stories = {a.key: a.story for a in recluster(docs, ClusterSettings(min_language_docs=1000))}
    assert stories["a0"] == stories["a1"] == stories["a2"]
    assert stories["b0"] == stories["b1"] != stories["a0"]


def test_window_evicts_old_documents_and_bounds_memory() -> None:
    rng = np.random.default_rng(3)
    clusterer = IncrementalClusterer(DIM, ClusterSettings(window_hours=24))
    for hour in range(0, 24 * 20, 2):
        clusterer.add([_doc(f"d{hour}", _unit(rng.standard_normal(DIM)), hour)])
    assert len(clusterer.window) <= 24 // 2 * (1 + 1 / 8) + 2
    assert len(clusterer.lsh) == len(clusterer.window)
    assert sum(len(members) for members in clusterer.stories.values()) == len(clusterer.window)


def test_a_story_outside_the_window_is_not_joined() -> None:
    rng = np.random.default_rng(4)
    early, late = _story_vectors(rng, 2, 0.01)
    assignments = recluster(
        [_doc("early", early, 0), _doc("late", late, 100)], ClusterSettings(window_hours=72)
    )
    assert assignments[0].story != assignments[1].story


REPRINT = " ".join(f"слово{i}" for i in range(120))


def test_reprints_form_a_near_duplicate_group_with_a_canonical_first_document() -> None:
    rng = np.random.default_rng(5)
    vectors = _story_vectors(rng, 3, 0.01)
    docs = [
        _doc("original", vectors[0], 0, "ru", REPRINT),
        _doc("reprint", vectors[1], 2, "ru", REPRINT + " и ещё одно предложение"),
        _doc("cut", vectors[2], 3, "ru", " ".join(REPRINT.split()[:70])),
    ]
    assignments = {a.key: a for a in recluster(docs)}
    assert assignments["original"].dup_of is None
    assert assignments["reprint"].dup_of == assignments["cut"].dup_of == "original"
    assert len({a.story for a in assignments.values()}) == 1


def test_incremental_batches_give_the_same_stories_as_one_batch() -> None:
    rng = np.random.default_rng(6)
    docs = [
        _doc(f"s{story}-{i}", v, story * 5 + i, ("kk", "ru")[i % 2])
        for story in range(6)
        for i, v in enumerate(_story_vectors(rng, 3, 0.05))
    ]
    settings = ClusterSettings(min_language_docs=1000)
    whole = [a.story for a in recluster(docs, settings)]
    clusterer = IncrementalClusterer(DIM, settings)
    pieces = [a.story for first in range(0, len(docs), 4) for a in clusterer.add(docs[first : first + 4])]
    assert _partition(whole) == _partition(pieces)


def _partition(labels: list[str]) -> set[frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, set()).add(index)
    return {frozenset(group) for group in groups.values()}
