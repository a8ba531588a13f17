"""The story linker on the ingest path: seconds per stored batch as its 72-hour window fills.

Stores ``--batches`` batches of ``--batch`` documents (SQLite, the fast character n-gram
embedder so that the model does not hide the linker) published over ``--hours`` hours, and
times ``StoryLinker.assign`` for each batch: the window's documents, their features and MinHash
signatures, clustering, and the rows it writes. Prints the time per batch at each quarter.

    python bench/bench_story_linker.py [--batches 60] [--batch 100] [--hours 48]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_web import WORDS  # the same generated vocabulary

from birlik.domain.records import Document, Mention, RegionScore
from birlik.nlp.embed import CharNgramEmbedder
from birlik.store.db import make_engine, migrate
from birlik.store.repository import Provenance, Store, add_document
from birlik.stories.service import StoryLinker

PLACES = ["310000000", "550000000", "750000000", "710000000"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--hours", type=float, default=48.0)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="birlik-bench-linker-")) / "linker.db"
    store = Store(make_engine(f"sqlite:///{path}"))
    migrate(store.engine)
    linker = StoryLinker(CharNgramEmbedder())
    rng = random.Random(5)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    total = args.batches * args.batch
    timings: list[float] = []
    for b in range(args.batches):
        with store.transaction() as session:
            rows = []
            for i in range(b * args.batch, (b + 1) * args.batch):
                topic = rng.randrange(total // 4)
                text = (
                    " ".join([f"тақырып{topic}", *rng.choices(WORDS, k=30)])
                    + f" {rng.randrange(10, 99)} адам."
                )
                doc = Document(
                    id=f"l{i}",
                    text=text,
                    title=f"Тақырып {topic}",
                    lang=rng.choice(["kk", "ru"]),
                    published_at=start + timedelta(hours=args.hours * i / total),
                    entities=[Mention(start=0, end=5, text=text[:5], type="PLACE", id=rng.choice(PLACES))],
                    regions=[RegionScore(kato=rng.choice(PLACES), confidence=1.0)],
                )
                rows.append(add_document(session, doc, Provenance(ext_id=f"l{i}", content_hash=f"{i:064d}")))
            session.flush()
            began = time.perf_counter()
            linker.assign(session, rows)
            timings.append(time.perf_counter() - began)
        if (b + 1) % max(1, args.batches // 4) == 0:
            window = (b + 1) * args.batch
            recent = timings[-max(1, args.batches // 4) :]
            print(
                f"after {window:6d} stored documents: {1000 * sum(recent) / len(recent):7.1f} ms per batch "
                f"of {args.batch} ({args.batch * len(recent) / sum(recent):6.0f} docs/s)"
            )


if __name__ == "__main__":
    main()
