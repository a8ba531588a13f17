"""Train the topic classifiers and print how well they do.

1. topics.v1 (shipped as resources/models/topics_e5_small.npz): softmax regression over e5
   embeddings of the team-written examples (resources/data/team_examples_topics.jsonl, six
   directions of the Concept + other, kk/ru/en). Measured by leave-one-language-out accuracy
   (train on two languages, test on the third) and 5-fold cross-validation.
2. SIB-200 topics (resources/models/sib200_topics.npz; text CC BY-SA 4.0, attribution in
   sib200_topics.md): trained on ru+en train, measured on kk, ru and en dev — the cross-lingual
   measurement (kk-ru gap).

Embeddings are cached under $BIRLIK_EMBED_CACHE or /tmp/birlik-embcache, never in the repo.

    .venv/bin/python scripts/train_topics.py [--datasets ../shared/datasets]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

# small matrices: one BLAS thread is faster than several fighting over shared cores
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from birlik.evaluation.topics import (
    SIB_LANGUAGES,
    SIB_MODEL,
    SIB_TRAIN_LANGUAGES,
    EmbeddingCache,
    cached_e5,
    read_sib,
    use_cache_dir,
)
from birlik.nlp.signals.topics import DEFAULT_MODEL, TOPICS, fit_linear_model, model_path
from birlik.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TEAM_EXAMPLES = ROOT / "src/birlik/resources/data/team_examples_topics.jsonl"
L2_GRID = (1e-2, 1e-1, 1.0, 3.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared/datasets")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    use_cache_dir(Settings().embed_cache)
    embedder = cached_e5()
    train_team_topics(embedder)
    train_sib(embedder, args.datasets / "sib200_kk_ru_en")


def train_team_topics(embedder: EmbeddingCache) -> None:
    rows = [json.loads(line) for line in TEAM_EXAMPLES.read_text(encoding="utf-8").splitlines()]
    vectors = embedder.embed([row["text"] for row in rows])
    targets = np.array([TOPICS.index(row["topic"]) for row in rows])
    langs = np.array([row["lang"] for row in rows])
    # the kk, ru and en versions of one example share a fold (the file keeps them in step)
    position: dict[tuple[str, str], int] = {}
    folds = []
    for row in rows:
        key = (row["topic"], row["lang"])
        folds.append(position.setdefault(key, 0) % 5)
        position[key] += 1
    l2 = pick_l2(vectors, targets, TOPICS, embedder.name, np.array(folds), langs)
    for lang in ("kk", "ru", "en"):
        test = langs == lang
        model = fit_linear_model(vectors[~test], targets[~test], TOPICS, embedder.name, l2=l2)
        accuracy = float(np.mean(model.probabilities(vectors[test]).argmax(axis=1) == targets[test]))
        print(f"topics team examples, trained without {lang}, accuracy on {lang}: {accuracy:.3f} "
              "(optimistic: translations of these examples were trained on)")
    model = fit_linear_model(vectors, targets, TOPICS, embedder.name, l2=l2)
    model.save(model_path(DEFAULT_MODEL), source="team_examples_topics.jsonl", l2=str(l2))
    print(f"saved {model_path(DEFAULT_MODEL)} ({len(rows)} examples, l2={l2})")


def train_sib(embedder: EmbeddingCache, sib_dir: Path) -> None:
    train = [row for folder in SIB_TRAIN_LANGUAGES for row in read_sib(sib_dir, folder, "train")]
    labels = tuple(sorted({category for category, _ in train}))
    vectors = embedder.embed([text for _, text in train])
    targets = np.array([labels.index(category) for category, _ in train])
    # both languages of one sentence share a fold, so no translation leaks into validation
    sentence = np.arange(len(train)) % (len(train) // len(SIB_TRAIN_LANGUAGES))
    langs = np.repeat(np.array(SIB_TRAIN_LANGUAGES), len(train) // len(SIB_TRAIN_LANGUAGES))
    l2 = pick_l2(vectors, targets, labels, embedder.name, sentence % 5, langs)
    model = fit_linear_model(vectors, targets, labels, embedder.name, l2=l2)
    model.save(model_path(SIB_MODEL), source="SIB-200 (FLORES-200) ru+en train, CC BY-SA 4.0",
               l2=str(l2))
    print(f"saved {model_path(SIB_MODEL)} (l2={l2})")
    accuracy = {}
    for folder, lang in SIB_LANGUAGES.items():
        dev = read_sib(sib_dir, folder, "dev")
        predicted = model.probabilities(embedder.embed([text for _, text in dev])).argmax(axis=1)
        gold = np.array([labels.index(category) for category, _ in dev])
        accuracy[lang] = float(np.mean(predicted == gold))
        print(f"SIB-200 dev {lang}: accuracy {accuracy[lang]:.4f} ({len(dev)} sentences)")
    print(f"SIB-200 kk-ru gap: {abs(accuracy['ru'] - accuracy['kk']) * 100:.1f} points")


def pick_l2(
    vectors: np.ndarray, targets: np.ndarray, labels: tuple[str, ...], embedder: str,
    folds_by: np.ndarray, langs: np.ndarray,
) -> float:
    """The L2 weight that transfers best across languages: the lowest log-loss in 5-fold
    cross-validation (folds from ``folds_by``) where each held-out language is predicted by a
    model that never saw it. Log-loss, not accuracy: the stage thresholds the probabilities."""
    best, best_loss = L2_GRID[0], float("inf")
    for l2 in L2_GRID:
        correct = total = 0
        loss = 0.0
        for fold in range(5):
            test = folds_by == fold
            for lang in np.unique(langs):
                fit = ~test & (langs != lang)
                held = test & (langs == lang)
                model = fit_linear_model(vectors[fit], targets[fit], labels, embedder, l2=l2)
                probabilities = model.probabilities(vectors[held])
                correct += int(np.sum(probabilities.argmax(axis=1) == targets[held]))
                loss -= float(np.sum(np.log(probabilities[np.arange(int(held.sum())), targets[held]]
                                            + 1e-12)))
                total += int(held.sum())
        print(f"  l2={l2:g}: cross-lingual 5-fold accuracy {correct / total:.3f}, "
              f"log-loss {loss / total:.3f}")
        if loss / total < best_loss:
            best, best_loss = l2, loss / total
    return best


if __name__ == "__main__":
    main()
