"""Fit the tension model shipped as ``resources/models/tension_v2.json`` (deterministic).

Data: the signals gold set (docs/signals.md; ``birlik.evaluation.signals_gold``): texts keyed to
the shared datasets whose licences allow training (KazNERD CC BY 4.0, VK distorted toxicity MIT,
SIB-200 CC BY-SA 4.0, the project's seeds) and the team's written cases. Only the TRAIN split is
fitted; the DEV split chooses the regularisation and fits the calibration; the TEST split is never
read here (``birlik eval`` reports it).

``--labels-dir`` adds annotation files still being written (``labels-*.jsonl``: one label per
key, the split and language taken from the gold pool) to develop before the gold set is complete.

Model: logistic regression (L2, Newton's method) over the component values of
``birlik.nlp.signals.components`` and a few products of them (``FEATURES``); target tension ≥ 2.
Calibration: Platt scaling on the dev split, or isotonic when the dev split is large enough.

    .venv/bin/python scripts/train_signals.py [--datasets ../shared/datasets] [--labels-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from birlik.evaluation.signals import (
    Labelled,
    expected_calibration_error,
    f1_at,
    gold_items,
    signals_pipeline,
)
from birlik.nlp.signals.calibrated import (
    CalibratedLogistic,
    Calibration,
    feature_value,
    lexical_scale,
    model_file,
)
from birlik.nlp.signals.components import COMPONENTS
from birlik.nlp.signals.tension import MODEL_FILE, TensionStage, feature_values, word_stems

INTERACTIONS = (
    "ethnic*violence", "ethnic*violence_word", "ethnic*rumour", "ethnic*mobilisation",
    "group_target*grievance", "group_target*incident_other", "rumour*violence_word",
    "peaceful*ethnic", "reporting*hostility",
)
FEATURES: tuple[str, ...] = (*COMPONENTS, *INTERACTIONS, "lang_kk", "lang_ru", "lang_en")
L2_GRID = (0.3, 1.0, 3.0)
LEXICAL_L2_GRID = (1.0, 3.0)
"""The lexical block is penalised apart (and harder): it has many more weights."""
STEM_SIZE = 5
MIN_DOCS = 3
"""A stem joins the lexical block when at least this many train texts contain it."""
ISOTONIC_MIN_POSITIVES = 80
"""Below this many tension ≥ 2 texts in dev, the calibration is Platt's (two parameters)."""
NEWTON_STEPS = 50


def provisional_items(datasets_dir: Path, labels_dir: Path, known: set[str]) -> list[Labelled]:
    """Labels still being written, with the split and language the gold pool assigned."""
    from birlik.evaluation.signals_gold import DatasetTexts, parse_label

    pool_path = Path(__file__).resolve().parents[1] / "src/birlik/evaluation/data/signals_gold_pool.jsonl"
    pool = {r["key"]: r for r in map(json.loads, pool_path.read_text("utf-8").splitlines()) if r}
    texts = DatasetTexts(datasets_dir)
    out: list[Labelled] = []
    for path in sorted(labels_dir.glob("labels-[0-9]*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            key = record.get("key")
            if key in known or key not in pool:
                continue
            text = texts.text(key)
            label = parse_label(record, text)
            known.add(key)
            out.append(Labelled(key, pool[key]["lang"], pool[key]["split"], text, label.tension,
                                label.hate, label.incident))
    return out


def feature_rows(items: Sequence[Labelled]) -> tuple[np.ndarray, list[set[str]]]:
    """Component features and word stems of each text (the signal stages run once)."""
    from birlik.domain.records import Document

    pipeline = signals_pipeline()
    stage = next(s for s in pipeline.stages if isinstance(s, TensionStage))
    rows, stems = [], []
    for offset in range(0, len(items), 64):
        chunk = items[offset : offset + 64]
        docs = pipeline([Document(id=item.key, text=item.text) for item in chunk])
        for doc in docs:
            values = feature_values(stage.evaluate(doc).components, doc.lang)
            rows.append([feature_value(name, values) for name in FEATURES])
            stems.append(word_stems(doc.norm_text or "", STEM_SIZE))
    return np.asarray(rows, dtype=np.float64), stems


def stem_vocabulary(stems: Sequence[set[str]]) -> list[str]:
    counts: dict[str, int] = {}
    for found in stems:
        for stem in found:
            counts[stem] = counts.get(stem, 0) + 1
    return sorted(stem for stem, count in counts.items() if count >= MIN_DOCS)


def with_stems(x: np.ndarray, stems: Sequence[set[str]], vocabulary: Sequence[str]) -> np.ndarray:
    index = {stem: i for i, stem in enumerate(vocabulary)}
    block = np.zeros((len(stems), len(vocabulary)))
    for row, found in enumerate(stems):
        for stem in found:
            if stem in index:
                block[row, index[stem]] = lexical_scale(len(found))
    return np.hstack([x, block])


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, lexical_l2: float | None = None,
                 components: int | None = None) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression (bias not penalised) by Newton's method; columns from
    ``components`` on (the lexical block) get ``lexical_l2``."""
    design = np.hstack([x, np.ones((len(x), 1))])
    weights = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    if components is not None and lexical_l2 is not None:
        penalty[components:-1] = lexical_l2
    penalty[-1] = 0.0
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(design @ weights)))
        gradient = design.T @ (p - y) + penalty * weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return weights[:-1], float(weights[-1])


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def platt(raw: np.ndarray, y: np.ndarray) -> Calibration:
    logits = np.log(np.clip(raw, 1e-6, 1 - 1e-6) / np.clip(1 - raw, 1e-6, 1))
    weights, bias = fit_logistic(logits[:, None], y, 1e-3)
    return Calibration("platt", a=float(weights[0]), c=bias)


def isotonic(raw: np.ndarray, y: np.ndarray) -> Calibration:
    """Pool-adjacent-violators on (raw, y) sorted by raw; points at each block's mean raw."""
    order = np.argsort(raw, kind="stable")
    blocks: list[list[float]] = []  # [sum_y, count, sum_x]
    for index in order:
        blocks.append([float(y[index]), 1.0, float(raw[index])])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            last = blocks.pop()
            blocks[-1] = [a + b for a, b in zip(blocks[-1], last, strict=True)]
    xs = tuple(round(b[2] / b[1], 6) for b in blocks)
    ys = tuple(round(b[0] / b[1], 6) for b in blocks)
    return Calibration("isotonic", points_x=xs, points_y=ys)


def describe(name: str, scores: Sequence[float], items: Sequence[Labelled]) -> dict[str, float]:
    out: dict[str, float] = {}
    for lang in ("kk", "ru", "en", "all"):
        part = [(s, i.tension >= 2) for s, i in zip(scores, items, strict=True) if lang in ("all", i.lang)]
        if not part:
            continue
        truths, values = [t for _, t in part], [s for s, _ in part]
        f1 = f1_at(truths, values).f1
        ece = expected_calibration_error(values, truths)
        out[f"{lang}.f1"], out[f"{lang}.ece"] = round(f1, 4), round(ece, 4)
        print(f"  {name} {lang}: n={len(part)} positives={sum(truths)} F1@0.5={f1:.3f} ECE={ece:.3f}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared/datasets")
    parser.add_argument("--labels-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=model_file(MODEL_FILE))
    args = parser.parse_args()
    started = time.perf_counter()
    items = [i for i in gold_items(args.datasets) if i.split != "test"]
    if args.labels_dir is not None:
        known = {i.key for i in gold_items(args.datasets)}
        items += [i for i in provisional_items(args.datasets, args.labels_dir, known) if i.split != "test"]
    train = [i for i in items if i.split == "train"]
    dev = [i for i in items if i.split == "dev"]
    print(f"train {len(train)} dev {len(dev)} (tension>=2: {sum(i.tension >= 2 for i in train)} / "
          f"{sum(i.tension >= 2 for i in dev)})")
    (x_train, stems_train), (x_dev, stems_dev) = feature_rows(train), feature_rows(dev)
    vocabulary = stem_vocabulary(stems_train)
    x_train, x_dev = with_stems(x_train, stems_train, vocabulary), with_stems(x_dev, stems_dev, vocabulary)
    y_train = np.array([i.tension >= 2 for i in train], dtype=np.float64)
    y_dev = np.array([i.tension >= 2 for i in dev], dtype=np.float64)
    best: tuple[float, tuple[float, float], np.ndarray, float] | None = None
    for l2 in L2_GRID:
        for lexical_l2 in LEXICAL_L2_GRID:
            weights, bias = fit_logistic(x_train, y_train, l2, lexical_l2, len(FEATURES))
            loss = log_loss(1 / (1 + np.exp(-(x_dev @ weights + bias))), y_dev)
            print(f"  L2 {l2} / lexical {lexical_l2}: dev log-loss {loss:.4f}")
            if best is None or loss < best[0]:
                best = (loss, (l2, lexical_l2), weights, bias)
    assert best is not None
    _, (l2, lexical_l2), weights, bias = best
    raw_dev = 1 / (1 + np.exp(-(x_dev @ weights + bias)))
    use_isotonic = y_dev.sum() >= ISOTONIC_MIN_POSITIVES
    calibration = isotonic(raw_dev, y_dev) if use_isotonic else platt(raw_dev, y_dev)
    lexical = {stem: round(float(w), 5) for stem, w in zip(vocabulary, weights[len(FEATURES):], strict=True)
               if abs(w) >= 0.01}
    model = CalibratedLogistic(FEATURES, tuple(round(float(w), 6) for w in weights[: len(FEATURES)]),
                               round(bias, 6), calibration, lexical=lexical, lexical_size=STEM_SIZE)
    train_scores = [model.probability(dict(zip(FEATURES, row[: len(FEATURES)], strict=True)), stems)
                    for row, stems in zip(x_train, stems_train, strict=True)]
    dev_scores = [model.probability(dict(zip(FEATURES, row[: len(FEATURES)], strict=True)), stems)
                  for row, stems in zip(x_dev, stems_dev, strict=True)]
    print("train:")
    describe("train", train_scores, train)
    print("dev (calibration fitted here: optimistic):")
    dev_metrics = describe("dev", dev_scores, dev)
    digest = hashlib.sha256("\n".join(sorted(f"{i.key}:{i.tension}" for i in items)).encode()).hexdigest()
    model = CalibratedLogistic(model.features, model.weights, model.bias, model.calibration, {
        "fitted": "scripts/train_signals.py", "target": "tension >= 2",
        "train": len(train), "dev": len(dev), "l2": l2, "lexical_l2": lexical_l2,
        "labels_sha256": digest[:16], "dev_metrics": dev_metrics,
    }, lexical, STEM_SIZE)
    model.save(args.out)
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s; top weights:")
    for name, weight in sorted([*zip(FEATURES, weights, strict=False), *lexical.items()],
                               key=lambda kv: -abs(kv[1]))[:16]:
        print(f"  {name:28} {weight:+.2f}")
    if not math.isfinite(bias):
        raise SystemExit("the fit diverged")


if __name__ == "__main__":
    main()
