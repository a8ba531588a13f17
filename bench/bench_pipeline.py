"""Throughput and peak memory of `analyze` (per stage) and of `ingest` into SQLite.

    python bench/bench_pipeline.py [--docs 10000] [--only analyze|ingest] [--stages entities|all]
                                   [--workers 0,2] [--start-method forkserver|spawn]

``--stages entities`` runs the text and entity stages only (language, segmentation, lemmas,
lexicons, NER, regions) and, for ingest, stores without the story hook; ``all`` (the default)
adds the signal stages (embedding, hate, toxicity, incident, topics, sentiment, tension) and
the story linker, as ``birlik ingest`` does. The generated corpus names an ethnic group in
every document, so every document is embedded: the worst case for the signal stages.

``--workers`` lists the analysis worker counts of ingest (``BIRLIK_INGEST_WORKERS``; 0: in
process), each run in its own process; the last is reported as a ratio against the first.
Ingest memory is the peak of the whole process tree (the ingesting process, the fork server
and the workers), sampled from /proc: RSS summed (shared pages counted in each process) and
PSS (shared pages divided among them); CPU seconds are those of the tree too, the figure to
compare on a shared, busy machine.

Each mode runs in its own process so that peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import documents, write_jsonl


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_analyze(count: int, signals: bool = True) -> dict[str, object]:
    from birlik.nlp.factory import default_pipeline
    from birlik.nlp.jsonl import document_from_json

    pipeline = default_pipeline(signals=signals)
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


class TreeSampler:
    """Peak RSS and PSS, and CPU seconds, of this process and all its descendants (/proc)."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak_rss = self.peak_pss = 0.0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(") ", 1)[1].split()
                except (OSError, IndexError):
                    continue
                children.setdefault(int(fields[1]), []).append(int(entry))
        found, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def sample(self) -> None:
        rss = pss = 0.0
        for pid in self.tree():
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
            except (OSError, IndexError):
                continue
            values = {line.split(":")[0]: line.split()[1] for line in rollup.splitlines()[1:]}
            rss += int(values.get("Rss", 0)) / 1024
            pss += int(values.get("Pss", 0)) / 1024
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self._tick
        self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


def bench_ingest(
    count: int, signals: bool = True, workers: int = 0, start_method: str = "forkserver"
) -> dict[str, object]:
    from birlik.connectors.base import SourceConfig
    from birlik.ingest import workers as ingest_workers
    from birlik.ingest.service import Ingestor
    from birlik.ingest.workers import PipelineRecipe
    from birlik.nlp.factory import default_pipeline
    from birlik.settings import Settings
    from birlik.signals.indicators import after_batch as update_indicators
    from birlik.store.db import make_engine, migrate
    from birlik.store.repository import Store

    ingest_workers.START_METHOD = start_method
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        size = write_jsonl(corpus, count)
        # one batch size for every worker count: 64 keeps two workers busy on a few hundred docs
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", batch_size=64, ingest_workers=workers)
        engine = make_engine(settings.database_url)
        migrate(engine)
        hooks = None if signals else [update_indicators]
        # as `birlik ingest` does: the workers (or this process, with none) build the pipeline
        recipe = PipelineRecipe(settings, partial(default_pipeline, signals=signals))
        source = SourceConfig(
            name="bench", kind="posts", location=str(corpus), options={"fields": {"time": "published_at"}}
        )
        with TreeSampler() as sampler:
            started = time.perf_counter()
            with Ingestor(settings, Store(engine), recipe, after_batch=hooks) as ingestor:
                report = ingestor.ingest(source)
                sampler.sample()
            seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "mode": "ingest",
        "stages_run": "all" if signals else "entities",
        "workers": workers,
        "start_method": start_method if workers else None,
        "docs": count,
        "stored": report.stored,
        "seconds": round(seconds, 2),
        "docs_per_s": round(count / seconds, 1),
        "mb_per_s": round(size / 1e6 / seconds, 2),
        # CPU of the whole tree (this process, fork server, workers), and docs per CPU second
        "cpu_seconds": round(sampler.cpu_seconds, 2),
        "docs_per_cpu_s": round(count / sampler.cpu_seconds, 1) if sampler.cpu_seconds else None,
        "peak_rss_mb": round(peak_mb(), 1),
        "peak_rss_children_mb": round(children.ru_maxrss / 1024, 1),
        "peak_tree_rss_mb": round(sampler.peak_rss, 1),
        "peak_tree_pss_mb": round(sampler.peak_pss, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--only", choices=["analyze", "ingest"])
    parser.add_argument("--stages", choices=["entities", "all"], default="all")
    parser.add_argument("--workers", default="0,2", help="ingest worker counts, comma-separated")
    parser.add_argument("--start-method", choices=["forkserver", "spawn"], default="forkserver")
    args = parser.parse_args()
    signals = args.stages == "all"
    counts = [int(n) for n in args.workers.split(",")]
    if args.only == "analyze":
        print(json.dumps(bench_analyze(args.docs, signals), ensure_ascii=False))
        return
    if args.only == "ingest" and len(counts) == 1:
        print(json.dumps(bench_ingest(args.docs, signals, counts[0], args.start_method), ensure_ascii=False))
        return
    common = ["--docs", str(args.docs), "--stages", args.stages, "--start-method", args.start_method]
    if args.only is None:
        subprocess.run([sys.executable, __file__, *common, "--only", "analyze"], check=True)
    results = []
    for workers in counts:
        run = subprocess.run(
            [sys.executable, __file__, *common, "--only", "ingest", "--workers", str(workers)],
            check=True,
            capture_output=True,
            text=True,
        )
        print(run.stdout.strip(), flush=True)
        results.append(json.loads(run.stdout.strip().splitlines()[-1]))
    if len(results) > 1:
        first, last = results[0], results[-1]
        ratio = {"ingest_ratio": f"workers={last['workers']} / workers={first['workers']}"}
        for key in ("docs_per_s", "docs_per_cpu_s", "peak_tree_rss_mb", "peak_tree_pss_mb"):
            ratio[key] = str(round(float(last[key]) / float(first[key]), 2))
        print(json.dumps(ratio))


if __name__ == "__main__":
    main()
