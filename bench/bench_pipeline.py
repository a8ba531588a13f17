"""Throughput and peak memory of `analyze` (per stage) and of `ingest` into SQLite.

    python bench/bench_pipeline.py [--docs 10000] [--only analyze|ingest] [--stages entities|all]

``--stages entities`` runs the text and entity stages only (language, segmentation, lemmas,
lexicons, NER, regions) and, for ingest, stores without the story hook; ``all`` (the default)
adds the signal stages (embedding, hate, toxicity, incident, topics, sentiment, tension) and
the story linker, as ``birlik ingest`` does. The generated corpus names an ethnic group in
every document, so every document is embedded: the worst case for the signal stages.

Each mode runs in its own process so that peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import documents, write_jsonl


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_analyze(count: int, signals: bool = True) -> dict[str, object]:
    from birlik.nlp.jsonl import document_from_json
    from birlik.runtime import Runtime
    from birlik.settings import Settings

    pipeline = Runtime(Settings()).pipeline(signals=signals)
    raw = list(documents(count))
    megabytes = sum(len(str(d["text"]).encode()) for d in raw) / 1e6
    docs = [document_from_json(d, i) for i, d in enumerate(raw)]
    started, cpu_started = time.perf_counter(), time.process_time()
    for offset in range(0, len(docs), 64):
        pipeline(docs[offset : offset + 64])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    stages = {
        name: {
            "docs_per_s": round(t.docs / t.seconds, 1) if t.seconds else None,
            "mb_per_s": round(t.chars / 1e6 / t.seconds, 2) if t.seconds else None,
        }
        for name, t in pipeline.timings.items()
    }
    return {
        "mode": "analyze",
        "stages_run": "all" if signals else "entities",
        "docs": count,
        "seconds": round(seconds, 2),
        "docs_per_s": round(count / seconds, 1),
        # CPU time of this process: the figure to compare on a shared, busy machine
        "cpu_seconds": round(cpu_seconds, 2),
        "docs_per_cpu_s": round(count / cpu_seconds, 1) if cpu_seconds else None,
        "mb_per_s": round(megabytes / seconds, 2),
        "peak_rss_mb": round(peak_mb(), 1),
        "stages": stages,
    }


def bench_ingest(count: int, signals: bool = True) -> dict[str, object]:
    from birlik.connectors.base import SourceConfig
    from birlik.ingest.service import Ingestor
    from birlik.runtime import Runtime
    from birlik.settings import Settings
    from birlik.signals.indicators import after_batch as update_indicators
    from birlik.store.db import make_engine, migrate
    from birlik.store.repository import Store

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        size = write_jsonl(corpus, count)
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", batch_size=256)
        engine = make_engine(settings.database_url)
        migrate(engine)
        runtime = Runtime(settings, store=Store(engine))
        hooks = runtime.consumers() if signals else [update_indicators]
        ingestor = Ingestor(settings, runtime.store(), runtime.pipeline(signals=signals), after_batch=hooks)
        source = SourceConfig(
            name="bench", kind="posts", location=str(corpus), options={"fields": {"time": "published_at"}}
        )
        started = time.perf_counter()
        report = ingestor.ingest(source)
        seconds = time.perf_counter() - started
    return {
        "mode": "ingest",
        "stages_run": "all" if signals else "entities",
        "docs": count,
        "stored": report.stored,
        "seconds": round(seconds, 2),
        "docs_per_s": round(count / seconds, 1),
        "mb_per_s": round(size / 1e6 / seconds, 2),
        "peak_rss_mb": round(peak_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--only", choices=["analyze", "ingest"])
    parser.add_argument("--stages", choices=["entities", "all"], default="all")
    args = parser.parse_args()
    signals = args.stages == "all"
    if args.only:
        bench = bench_analyze if args.only == "analyze" else bench_ingest
        print(json.dumps(bench(args.docs, signals), ensure_ascii=False))
        return
    for mode in ("analyze", "ingest"):
        subprocess.run(
            [sys.executable, __file__, "--docs", str(args.docs), "--only", mode, "--stages", args.stages],
            check=True,
        )


if __name__ == "__main__":
    main()
