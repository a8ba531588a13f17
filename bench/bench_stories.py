"""Incremental story clustering: docs/s excluding embedding time, and memory bounded by the window.

100,000 synthetic documents over 30 days (~10,000 inside a 72-hour window): stories of 1–12
documents whose embeddings are a story centre plus noise (random-ish unit vectors, precomputed),
with entity keys, figures and a short text for MinHash. The clock covers what the linker does
per document — MinHash signature, LSH lookup, matrix of cosines against the window, scoring of
candidates, eviction — not the embedding model. Peak RSS is printed at each quarter: it stays
flat once the window is full.

    python bench/bench_stories.py [--docs 100000] [--days 30] [--batch 64]
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from birlik.stories.clusterer import ClusterSettings, IncrementalClusterer
from birlik.stories.similarity import StoryFeatures

DIM = 384
VOCAB = np.array([f"w{i}" for i in range(5000)])


def synthetic(count: int, days: float, seed: int = 7) -> list[StoryFeatures]:
    rng = np.random.default_rng(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    docs: list[StoryFeatures] = []
    story = 0
    while len(docs) < count:
        story += 1
        centre = rng.standard_normal(DIM).astype(np.float32)
        size = int(rng.integers(1, 13))
        born = days * 86400 * len(docs) / count
        story_words = list(rng.choice(VOCAB, 40))
        entities = frozenset(f"PLACE:{rng.integers(0, 300)}" for _ in range(2))
        figures = frozenset(str(rng.integers(10, 5000)) for _ in range(2))
        for _ in range(min(size, count - len(docs))):
            vector = centre + 0.6 * rng.standard_normal(DIM).astype(np.float32)
            words = story_words[: int(rng.integers(20, 40))] + list(rng.choice(VOCAB, 25))
            docs.append(
                StoryFeatures(
                    key=f"d{len(docs)}",
                    time=start + timedelta(seconds=born + float(rng.uniform(0, 36 * 3600))),
                    embedding=(vector / np.linalg.norm(vector)).astype(np.float32),
                    lang=("kk", "ru", "en")[int(rng.integers(0, 3))],
                    entities=entities,
                    numbers=figures,
                    text=" ".join(words),
                )
            )
    docs.sort(key=lambda doc: doc.time)
    return docs


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--window-hours", type=float, default=72.0)
    args = parser.parse_args()

    docs = synthetic(args.docs, args.days)
    print(
        f"{len(docs)} synthetic documents over {args.days:g} days; "
        f"peak RSS after generation {peak_rss_mb():.0f} MB"
    )
    clusterer = IncrementalClusterer(DIM, ClusterSettings(window_hours=args.window_hours))
    elapsed = 0.0
    stories: set[str] = set()
    largest_window = 0
    quarter = max(1, len(docs) // 4)
    for first in range(0, len(docs), args.batch):
        batch = docs[first : first + args.batch]
        started = time.perf_counter()
        assignments = clusterer.add(batch)
        elapsed += time.perf_counter() - started
        stories.update(a.story for a in assignments)
        largest_window = max(largest_window, len(clusterer.window))
        done = first + len(batch)
        if done // quarter != first // quarter or done == len(docs):
            print(
                f"  {done:>7} docs  {done / elapsed:8.0f} docs/s  window {len(clusterer.window):>6}  "
                f"peak RSS {peak_rss_mb():.0f} MB"
            )
    print(
        f"incremental clustering: {len(docs) / elapsed:.0f} docs/s (embedding excluded), "
        f"{len(stories)} stories"
    )
    print(f"largest window {largest_window} documents; peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
