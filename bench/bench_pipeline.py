"""Throughput and peak memory of `analyze` (per stage) and of `ingest` into SQLite.

    python bench/bench_pipeline.py [--docs 10000] [--only analyze|ingest]
        [--stages entities|lexical|all] [--corpus realistic|worst] [--datasets DIR]
        [--baseline-src PATH] [--workers 0,2] [--start-method forkserver|spawn]

``--stages entities`` runs the text and entity stages only (language, segmentation, lemmas,
lexicons, NER, regions) and, for ingest, stores without the story hook; ``all`` (the default)
adds the signal stages (embedding, hate, toxicity, incident, topics, sentiment, tension) and
the story linker, as ``birlik ingest`` does. ``lexical`` (analyze only) is the entity stages
and the signal stages with no model pass (toxicity, hate, incident, tension), as ``birlik eval``
runs them: the lexical work once the e5 model is out of the way.

Corpora (``bench/corpus.py``): ``worst`` is generated and names an ethnic group in every
document, so every document is embedded: the worst case for the signal stages. ``realistic``
(the default) is real kk/ru/en text read at run time from the shared datasets (KazNERD windows,
VK comments, SIB-200 sentences, seed and demo texts); it needs ``/work/shared/datasets`` (or
``BIRLIK_DATASETS_DIR`` / ``--datasets``) and says so when it is absent. Its composition and
the share of documents in which the pipeline found an ethnic group are printed.

Figures: wall ``docs_per_s`` and ``mb_per_s``, and the CPU time of the process
(``docs_per_cpu_s``): the one to compare on a shared, busy machine. Per stage: docs per CPU
second, MB per CPU second and the growth of peak RSS while the stage ran.
``lexical_docs_per_cpu_s`` is the whole pipeline without the model stages (embed, sentiment).

Comparing with the code before, in the same run: check the old revision out beside this one
and pass its root (or its ``src``); the same bench, on the same corpus, runs in a subprocess
with ``PYTHONPATH`` set to it, and the ratios new/old are printed::

    git worktree add /tmp/base main
    python bench/bench_pipeline.py --only analyze --stages entities --docs 2000 \\
        --baseline-src /tmp/base

``--workers`` lists the analysis worker counts of ingest (``BIRLIK_INGEST_WORKERS``; 0: in
process), each run in its own process; the last is reported as a ratio against the first, and
the code before (``--baseline-src``) runs with the first.
Ingest memory is the peak of the whole process tree (the ingesting process, the fork server
and the workers), sampled from /proc: RSS summed (shared pages counted in each process) and
PSS (shared pages divided among them); CPU seconds are those of the tree too, the figure to
compare on a shared, busy machine; ``writer_cpu_seconds`` those of the ingesting process alone
(fetching, storing, the consumers: the story linker's model confirmations).

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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import CorpusUnavailable, composition, corpus_documents, write_jsonl

MODEL_STAGES = ("embed", "sentiment")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def code_path() -> str:
    import birlik

    return str(Path(birlik.__file__).resolve().parents[1])


class TimedStage:
    """A stage wrapped to record its CPU time and the growth of peak RSS while it ran."""

    def __init__(self, stage: Any) -> None:
        self.stage = stage
        self.name, self.requires, self.provides = stage.name, stage.requires, stage.provides
        self.cpu = 0.0
        self.docs = 0
        self.chars = 0
        self.rss_growth_mb = 0.0

    def __call__(self, docs: list[Any]) -> list[Any]:
        rss = peak_mb()
        started = time.process_time()
        out: list[Any] = self.stage(docs)
        self.cpu += time.process_time() - started
        self.rss_growth_mb += peak_mb() - rss
        self.docs += len(out)
        self.chars += sum(len(doc.text.encode()) for doc in out)
        return out


def analysis_pipeline(stages: str) -> Any:
    if stages == "lexical":
        from birlik.evaluation.signals import signals_pipeline

        return signals_pipeline()
    try:
        from birlik.runtime import Runtime
    except ImportError:  # a --baseline-src checkout from before the runtime
        from birlik.nlp.factory import default_pipeline

        return default_pipeline(signals=stages == "all")
    from birlik.settings import Settings

    return Runtime(Settings()).pipeline(signals=stages == "all")


def bench_analyze(count: int, stages_run: str, corpus: str) -> dict[str, object]:
    from birlik.nlp.jsonl import document_from_json

    pipeline = analysis_pipeline(stages_run)
    timed = [TimedStage(stage) for stage in pipeline.stages]
    pipeline.stages = timed  # type: ignore[assignment]
    raw = list(corpus_documents(corpus, count))
    megabytes = sum(len(str(d["text"]).encode()) for d in raw) / 1e6
    docs = [document_from_json(d, i) for i, d in enumerate(raw)]
    started, cpu_started = time.perf_counter(), time.process_time()
    for offset in range(0, len(docs), 64):
        pipeline(docs[offset : offset + 64])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    stages = {
        t.name: {
            "docs_per_cpu_s": round(t.docs / t.cpu, 1) if t.cpu else None,
            "mb_per_cpu_s": round(t.chars / 1e6 / t.cpu, 2) if t.cpu else None,
            "cpu_share": round(t.cpu / cpu_seconds, 3) if cpu_seconds else None,
            "rss_growth_mb": round(t.rss_growth_mb, 1),
        }
        for t in timed
    }
    lexical = sum(t.cpu for t in timed if not t.name.startswith(MODEL_STAGES))
    ethnic = sum(1 for d in docs if any(e.type == "ETHNIC_GROUP" for e in d.entities))
    return {
        "mode": "analyze",
        "code": code_path(),
        "corpus": corpus,
        "composition": composition(raw),
        "ethnic_share": round(ethnic / len(docs), 3) if docs else None,
        "stages_run": stages_run,
        "docs": count,
        "seconds": round(seconds, 2),
        "docs_per_s": round(count / seconds, 1),
        "cpu_seconds": round(cpu_seconds, 2),
        "docs_per_cpu_s": round(count / cpu_seconds, 1) if cpu_seconds else None,
        "lexical_docs_per_cpu_s": round(count / lexical, 1) if lexical else None,
        "mb_per_s": round(megabytes / seconds, 2),
        "peak_rss_mb": round(peak_mb(), 1),
        "stages": stages,
    }


def ingest_parts(settings: Any, store: Any, signals: bool) -> tuple[Any, list[Any]]:
    """The pipeline (a worker recipe when ``BIRLIK_INGEST_WORKERS`` > 1) and the after-batch
    consumers ``birlik ingest`` uses (with ``signals``: stories and indicators; without:
    indicators)."""
    from birlik.signals.indicators import after_batch as update_indicators

    try:
        from birlik.runtime import Runtime
    except ImportError:  # a --baseline-src checkout from before the runtime (no workers)
        from birlik.ingest.service import default_after_batch  # type: ignore[attr-defined]
        from birlik.nlp.factory import default_pipeline

        return default_pipeline(signals=signals), default_after_batch() if signals else [update_indicators]
    runtime = Runtime(settings, store=store)
    analysis = runtime.analysis(signals=signals, workers=True)
    return analysis, runtime.consumers() if signals else [update_indicators]


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
    count: int, stages_run: str, corpus: str, workers: int = 0, start_method: str = "forkserver"
) -> dict[str, object]:
    from birlik.connectors.base import SourceConfig
    from birlik.ingest.service import Ingestor
    from birlik.settings import Settings
    from birlik.store.db import make_engine, migrate
    from birlik.store.repository import Store

    if stages_run == "lexical":
        sys.exit("bench_pipeline: --stages lexical is for analyze (ingest: entities or all)")
    signals = stages_run == "all"
    try:
        from birlik.ingest import workers as ingest_workers

        ingest_workers.START_METHOD = start_method
        options: dict[str, Any] = {"ingest_workers": workers}
    except ImportError:  # the code before parallel ingest
        options = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.jsonl"
        size = write_jsonl(path, count, corpus)
        # one batch size for every worker count: 64 keeps two workers busy on a few hundred docs
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", batch_size=64, **options)
        engine = make_engine(settings.database_url)
        migrate(engine)
        store = Store(engine)
        pipeline, hooks = ingest_parts(settings, store, signals)
        source = SourceConfig(
            name="bench", kind="posts", location=str(path), options={"fields": {"time": "published_at"}}
        )
        with TreeSampler() as sampler:
            started, writer_started = time.perf_counter(), time.process_time()
            ingestor = Ingestor(settings, store, pipeline, after_batch=hooks)
            report = ingestor.ingest(source)
            sampler.sample()
            if hasattr(ingestor, "close"):
                ingestor.close()
            seconds = time.perf_counter() - started
            writer_cpu = time.process_time() - writer_started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "mode": "ingest",
        "code": code_path(),
        "corpus": corpus,
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
        # this process alone (fetch, store, consumers: the story linker's confirmations); with
        # workers, the rest of cpu_seconds is analysis: the writer bounds the wall time when its
        # share is near 1 / (workers + 1)
        "writer_cpu_seconds": round(writer_cpu, 2),
        "peak_rss_mb": round(peak_mb(), 1),
        "peak_rss_children_mb": round(children.ru_maxrss / 1024, 1),
        "peak_tree_rss_mb": round(sampler.peak_rss, 1),
        "peak_tree_pss_mb": round(sampler.peak_pss, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def run_mode(
    mode: str, args: argparse.Namespace, src: str | None = None, workers: int = 0
) -> dict[str, Any]:
    """One mode in a fresh process (its own peak RSS); ``src``: the code to import instead."""
    command = [sys.executable, __file__, "--docs", str(args.docs), "--only", mode,
               "--stages", args.stages, "--corpus", args.corpus, "--workers", str(workers),
               "--start-method", args.start_method]
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    done = subprocess.run(command, check=True, env=env, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def baseline_path(path: str) -> str:
    root = Path(path).resolve()
    src = root / "src" if (root / "src" / "birlik").is_dir() else root
    if not (src / "birlik").is_dir():
        sys.exit(f"--baseline-src {path}: no birlik package there (give a checkout or its src)")
    return str(src)


def ratio(new: Any, old: Any) -> str:
    numbers = isinstance(new, int | float) and isinstance(old, int | float)
    return f"{new / old:.2f}x" if numbers and old else "-"


def compare(new: dict[str, Any], old: dict[str, Any]) -> None:
    print(f"{new['mode']} ({new['stages_run']}, {new['corpus']}): new/old "
          f"docs_per_cpu_s {new.get('docs_per_cpu_s')} / {old.get('docs_per_cpu_s')} = "
          f"{ratio(new.get('docs_per_cpu_s'), old.get('docs_per_cpu_s'))}; "
          f"peak_rss_mb {new['peak_rss_mb']} / {old['peak_rss_mb']}")
    if "lexical_docs_per_cpu_s" in new:
        print(f"  without model stages: {new['lexical_docs_per_cpu_s']} / "
              f"{old.get('lexical_docs_per_cpu_s')} = "
              f"{ratio(new['lexical_docs_per_cpu_s'], old.get('lexical_docs_per_cpu_s'))}")
    old_stages = old.get("stages", {})
    for name, figures in new.get("stages", {}).items():
        before = old_stages.get(name, {}).get("docs_per_cpu_s")
        print(f"  {name:22} {figures['docs_per_cpu_s']!s:>10} / {before!s:>10} docs/cpu-s "
              f"= {ratio(figures['docs_per_cpu_s'], before)}")
    for name in sorted(set(old_stages) - set(new.get("stages", {}))):
        print(f"  {name:22} {'-':>10} / {old_stages[name].get('docs_per_cpu_s')!s:>10} (only before)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--only", choices=["analyze", "ingest"])
    parser.add_argument("--stages", choices=["entities", "lexical", "all"], default="all")
    parser.add_argument("--corpus", choices=["realistic", "worst"], default="realistic")
    parser.add_argument("--datasets", type=Path, help="the shared datasets folder (realistic corpus)")
    parser.add_argument("--baseline-src", help="a checkout of the code before, to compare with")
    parser.add_argument("--workers", default="0", help="ingest worker counts, comma-separated (0,2)")
    parser.add_argument("--start-method", choices=["forkserver", "spawn"], default="forkserver")
    args = parser.parse_args()
    if args.datasets:
        os.environ["BIRLIK_DATASETS_DIR"] = str(args.datasets)
    if args.corpus == "realistic":
        try:
            next(iter(corpus_documents("realistic", 1)))
        except CorpusUnavailable as exc:
            sys.exit(f"bench_pipeline: {exc}")
    modes = [args.only] if args.only else ["analyze", "ingest"]
    counts = [int(n) for n in args.workers.split(",")]
    if args.only and not args.baseline_src and len(counts) == 1:
        if args.only == "analyze":
            result = bench_analyze(args.docs, args.stages, args.corpus)
        else:
            result = bench_ingest(args.docs, args.stages, args.corpus, counts[0], args.start_method)
        print(json.dumps(result, ensure_ascii=False))
        return
    old_src = baseline_path(args.baseline_src) if args.baseline_src else None
    for mode in modes:
        results = []
        for workers in counts if mode == "ingest" else [0]:
            new = run_mode(mode, args, workers=workers)
            print(json.dumps(new, ensure_ascii=False), flush=True)
            results.append(new)
        if len(results) > 1:
            print(f"ingest workers={counts[-1]} / workers={counts[0]}: "
                  f"docs_per_s {ratio(results[-1]['docs_per_s'], results[0]['docs_per_s'])}, "
                  f"docs_per_cpu_s {ratio(results[-1]['docs_per_cpu_s'], results[0]['docs_per_cpu_s'])}")
        if old_src is not None:
            # the code before with the first worker count: the ratio compares like with like
            old = run_mode(mode, args, old_src, workers=counts[0] if mode == "ingest" else 0)
            print(json.dumps({"baseline": old_src, **old}, ensure_ascii=False), flush=True)
            compare(results[0], old)


if __name__ == "__main__":
    main()
