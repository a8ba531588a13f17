"""Cross-lingual retrieval on SIB-200 dev: the static embedder next to the e5 it was built from.

The kk, ru and en files of SIB-200 hold the same sentences (same ``index_id``). For each
direction (kk→ru, ru→kk, en→ru, ru→en, en→kk, kk→en) every sentence of the first language
queries all sentences of the second; P@1 is the share whose nearest neighbour (cosine) is its
own translation. The static table was fitted on SIB-200 *train* only: dev is unseen.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.evaluation.base import Metrics, register_eval
from birlik.nlp.embed import Embedder, Vectors

SIB_FOLDERS = {"kk": "kaz_Cyrl", "ru": "rus_Cyrl", "en": "eng_Latn"}
DIRECTIONS = (("kk", "ru"), ("ru", "kk"), ("en", "ru"), ("ru", "en"), ("en", "kk"), ("kk", "en"))


def read_dev(dataset_dir: Path, folder: str) -> dict[str, str]:
    """index_id → text of one language's dev split."""
    path = dataset_dir / folder / "dev.tsv"
    if not path.exists():
        raise ConfigError(f"{path} is missing — is the sib200_kk_ru_en folder complete?", code=codes.V301)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {row["index_id"]: row["text"] for row in rows}


def aligned_dev(dataset_dir: Path) -> dict[str, list[str]]:
    """The dev sentences of kk, ru and en, row i of each being the same sentence."""
    by_lang = {lang: read_dev(dataset_dir, folder) for lang, folder in SIB_FOLDERS.items()}
    ids = sorted(set.intersection(*(set(rows) for rows in by_lang.values())))
    return {lang: [rows[i] for i in ids] for lang, rows in by_lang.items()}


def p_at_1(queries: Vectors, candidates: Vectors) -> float:
    """Share of rows of ``queries`` whose most similar row of ``candidates`` has the same index."""
    best = (queries @ candidates.T).argmax(axis=1)
    return round(float(np.mean(best == np.arange(len(queries)))), 4)


def retrieval_metrics(embedder: Embedder, texts: dict[str, list[str]], prefix: str) -> Metrics:
    vectors = {lang: embedder.embed(rows) for lang, rows in texts.items()}
    return {f"{prefix}.{src}_{dst}.p_at_1": p_at_1(vectors[src], vectors[dst])
            for src, dst in DIRECTIONS}


@register_eval(
    "crosslingual_sib200",
    dataset="sib200_kk_ru_en",
    files=tuple(f"{folder}/dev.tsv" for folder in SIB_FOLDERS.values()),
    description="translation retrieval P@1 on SIB-200 dev (kk/ru/en, both directions) of the "
    "static embedder (resources/models/static_e5.npz) and of the e5 it was distilled from",
)
def run(dataset_dir: Path) -> Metrics:
    from birlik.evaluation.topics import cached_e5
    from birlik.nlp.static_embed import StaticEmbedder

    texts = aligned_dev(dataset_dir)
    metrics = retrieval_metrics(StaticEmbedder(), texts, "static")
    metrics.update(retrieval_metrics(cached_e5(), texts, "e5"))
    return metrics
