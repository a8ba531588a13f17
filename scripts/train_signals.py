"""Fit the learned layer of hate (``resources/models/hate_v2.json``) and the tension model
(``resources/models/tension_v2.json``), deterministically, in that order (tension reads hate).

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
The L2 penalty of the stem block is chosen by 5-fold cross-validation on the train split.

Hate: logistic regression (scikit-learn, classes balanced) over ``hate.hate_features`` (the rule
score, the strongest slur / cue / hostile-context evidence, reported speech, a named group, the
language) and a block of word stems; C by 5-fold cross-validation on train; on dev, Platt's slope
and the decision point (the F1-best threshold, mapped to 0.5).

Incident: multinomial logistic regression (none or a type; classes balanced) over
``incident.incident_features`` (cue score per type, context flags, the rules' label) and the
word stems; C by 5-fold cross-validation on train.

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

from birlik.domain.records import Document
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
    LinearClassifier,
    feature_value,
    lexical_scale,
    logit,
    model_file,
)
from birlik.nlp.signals.components import COMPONENTS
from birlik.nlp.signals.hate import LEARNED_FILE, HateStage, hate_features
from birlik.nlp.signals.incident import (
    CLASSIFIER_FILE,
    NONE,
    IncidentStage,
    incident_features,
)
from birlik.nlp.signals.tension import MODEL_FILE, TensionStage, feature_values, word_stems

INTERACTIONS = (
    "ethnic*violence", "ethnic*violence_word", "ethnic*rumour", "ethnic*mobilisation",
    "group_target*grievance", "group_target*incident_other", "rumour*violence_word",
    "peaceful*ethnic", "reporting*hostility",
)
FEATURES: tuple[str, ...] = (*COMPONENTS, *INTERACTIONS, "lang_kk", "lang_ru", "lang_en")
L2_GRID = (0.3, 1.0)
LEXICAL_L2_GRID = (1.0, 3.0, 10.0)
"""The lexical block is penalised apart (and harder): it has many more weights."""
FOLDS = 5
HATE_FEATURES: tuple[str, ...] = (
    "slur", "dehumanisation", "expulsion", "incitement", "stereotype", "generalisation",
    "hostile_context", "rule", "reported", "target", "lang_kk", "lang_ru", "lang_en",
)
HATE_C_GRID = (0.1, 0.3, 1.0)
HATE_MIN_DOCS = 2
INCIDENT_C_GRID = (1.0, 3.0, 10.0)
INCIDENT_MIN_DOCS = 3
HATE_THRESHOLDS = tuple(round(0.2 + 0.05 * i, 2) for i in range(13))
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


def analysed(items: Sequence[Labelled]) -> tuple[list[Document], HateStage, IncidentStage]:
    """The texts through the entity and signal stages, hate and incident by their rules alone."""
    pipeline = signals_pipeline(learned=False)
    docs: list[Document] = []
    for offset in range(0, len(items), 64):
        docs += pipeline([Document(id=item.key, text=item.text) for item in items[offset : offset + 64]])
    hate = next(s for s in pipeline.stages if isinstance(s, HateStage))
    incident = next(s for s in pipeline.stages if isinstance(s, IncidentStage))
    return docs, hate, incident


def rule_rows(docs: Sequence[Document], hate: HateStage, incident: IncidentStage
              ) -> tuple[list[frozenset[str]], np.ndarray, list[dict[str, float]]]:
    """Word stems, hate features and incident features of each text."""
    stems, hate_rows, incident_rows = [], [], []
    for doc in docs:
        stems.append(word_stems(doc.norm_text or "", STEM_SIZE))
        found = hate_features(hate.rule_signal(doc), doc)
        hate_rows.append([found[name] for name in HATE_FEATURES])
        incident_rows.append(incident_features(incident.rule_signal(doc)))
    return stems, np.asarray(hate_rows, dtype=np.float64), incident_rows


def tension_rows(docs: Sequence[Document], hate: HateStage) -> np.ndarray:
    """Tension's component features, hate scored by ``hate`` (tension reads it)."""
    tension = TensionStage()
    rows = []
    for doc in docs:
        doc.signals["hate"] = hate.signal(doc)
        values = feature_values(tension.evaluate(doc).components, doc.lang)
        rows.append([feature_value(name, values) for name in FEATURES])
    return np.asarray(rows, dtype=np.float64)


def out_of_fold_hate(x: np.ndarray, stems: Sequence[frozenset[str]], y: np.ndarray,
                     final: CalibratedLogistic) -> list[tuple[np.ndarray, CalibratedLogistic]]:
    """Per fold of train, the held-out rows and a hate layer fitted without them (same C and
    calibration as ``final``): tension is fitted on hate scores it would see on new texts."""
    from sklearn.linear_model import LogisticRegression

    out = []
    for held in folds(len(x)):
        keep = np.setdiff1d(np.arange(len(x)), held)
        vocabulary = stem_vocabulary([stems[i] for i in keep], HATE_MIN_DOCS)
        fitted = LogisticRegression(C=float(final.info["C"]), class_weight="balanced", max_iter=3000)
        fitted.fit(with_stems(x[keep], [stems[i] for i in keep], vocabulary), y[keep])
        weights = fitted.coef_[0]
        lexical = {stem: float(w) for stem, w in zip(vocabulary, weights[len(HATE_FEATURES):], strict=True)}
        base = tuple(float(w) for w in weights[: len(HATE_FEATURES)])
        out.append((held, CalibratedLogistic(HATE_FEATURES, base, float(fitted.intercept_[0]),
                                             final.calibration, lexical=lexical, lexical_size=STEM_SIZE)))
    return out


def stem_vocabulary(stems: Sequence[frozenset[str]], min_docs: int = MIN_DOCS) -> list[str]:
    counts: dict[str, int] = {}
    for found in stems:
        for stem in found:
            counts[stem] = counts.get(stem, 0) + 1
    return sorted(stem for stem, count in counts.items() if count >= min_docs)


def folds(count: int) -> list[np.ndarray]:
    """``FOLDS`` fixed folds of ``range(count)`` (every FOLDS-th item)."""
    return [np.arange(start, count, FOLDS) for start in range(FOLDS)]


def fit_hate(x_train: np.ndarray, stems_train: Sequence[frozenset[str]], y_train: np.ndarray,
             x_dev: np.ndarray, stems_dev: Sequence[frozenset[str]], y_dev: np.ndarray,
             info: dict[str, object]) -> CalibratedLogistic:
    """The learned layer of hate: C by cross-validation on train, the slope and the decision
    point on dev."""
    from sklearn.linear_model import LogisticRegression

    vocabulary = stem_vocabulary(stems_train, HATE_MIN_DOCS)
    full_train = with_stems(x_train, stems_train, vocabulary)
    best_c, best_f1 = HATE_C_GRID[0], -1.0
    for c in HATE_C_GRID:
        truths: list[bool] = []
        scores: list[float] = []
        for held in folds(len(full_train)):
            keep = np.setdiff1d(np.arange(len(full_train)), held)
            fitted = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
            fitted.fit(full_train[keep], y_train[keep])
            truths += [bool(t) for t in y_train[held]]
            scores += [float(p) for p in fitted.predict_proba(full_train[held])[:, 1]]
        f1 = f1_at(truths, scores).f1
        print(f"  hate C {c}: cross-validated train F1@0.5 {f1:.3f}")
        if f1 > best_f1:
            best_c, best_f1 = c, f1
    fitted = LogisticRegression(C=best_c, class_weight="balanced", max_iter=3000)
    fitted.fit(full_train, y_train)
    weights = fitted.coef_[0]
    bias = float(fitted.intercept_[0])
    lexical = {stem: round(float(w), 5) for stem, w in
               zip(vocabulary, weights[len(HATE_FEATURES):], strict=True) if abs(w) >= 0.01}
    raw = CalibratedLogistic(HATE_FEATURES, tuple(round(float(w), 6) for w in weights[: len(HATE_FEATURES)]),
                             round(bias, 6), lexical=lexical, lexical_size=STEM_SIZE)
    raw_dev = np.array([raw.raw(dict(zip(HATE_FEATURES, row, strict=True)), stems)
                        for row, stems in zip(x_dev, stems_dev, strict=True)])
    slope = platt(raw_dev, y_dev).a
    dev_truths = [bool(t) for t in y_dev]
    threshold = max(HATE_THRESHOLDS, key=lambda t: (round(f1_at(dev_truths, list(raw_dev), t).f1, 4),
                                                   -abs(t - 0.5)))
    calibration = Calibration("platt", a=round(slope, 6), c=round(-slope * logit(threshold), 6))
    model = CalibratedLogistic(raw.features, raw.weights, raw.bias, calibration, {
        **info, "fitted": "scripts/train_signals.py", "target": "hate (the author's hostility)",
        "C": best_c, "cv_train_f1": round(best_f1, 4), "dev_threshold": threshold,
        "dev_f1": round(f1_at(dev_truths, list(raw_dev), threshold).f1, 4),
    }, lexical, STEM_SIZE)
    print(f"  hate: C {best_c}, dev threshold {threshold} -> 0.5, dev F1 {model.info['dev_f1']:.3f}, "
          f"{len(lexical)} stems")
    return model


def with_stems(x: np.ndarray, stems: Sequence[frozenset[str]], vocabulary: Sequence[str]) -> np.ndarray:
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


def type_accuracy(truths: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    """Accuracy on the texts with an incident, and on those without."""
    with_incident = [t == p for t, p in zip(truths, predicted, strict=True) if t != NONE]
    without = [p == NONE for t, p in zip(truths, predicted, strict=True) if t == NONE]
    return sum(with_incident) / max(1, len(with_incident)), sum(without) / max(1, len(without))


def fit_incident(values_train: Sequence[dict[str, float]], stems_train: Sequence[frozenset[str]],
                 y_train: Sequence[str], values_dev: Sequence[dict[str, float]],
                 stems_dev: Sequence[frozenset[str]], y_dev: Sequence[str], info: dict[str, object]
                 ) -> LinearClassifier:
    """The incident type classifier (none or a type): multinomial, classes balanced, C by
    cross-validation on train (the mean of the type accuracy on incidents and the accuracy on
    texts without one); dev only reports."""
    from sklearn.linear_model import LogisticRegression

    features = tuple(sorted(values_train[0]))
    vocabulary = stem_vocabulary(stems_train, INCIDENT_MIN_DOCS)
    x_train = with_stems(np.array([[v[f] for f in features] for v in values_train]), stems_train, vocabulary)
    x_dev = with_stems(np.array([[v[f] for f in features] for v in values_dev]), stems_dev, vocabulary)
    labels = np.array(y_train)
    best_c, best_score = INCIDENT_C_GRID[0], -1.0
    for c in INCIDENT_C_GRID:
        predicted = np.empty(len(labels), dtype=object)
        for held in folds(len(x_train)):
            keep = np.setdiff1d(np.arange(len(x_train)), held)
            fitted = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
            predicted[held] = fitted.fit(x_train[keep], labels[keep]).predict(x_train[held])
        typed, calm = type_accuracy(list(y_train), list(predicted))
        print(f"  incident C {c}: cross-validated train type accuracy {typed:.3f}, none {calm:.3f}")
        if (typed + calm) / 2 > best_score:
            best_c, best_score = c, (typed + calm) / 2
    fitted = LogisticRegression(C=best_c, class_weight="balanced", max_iter=3000).fit(x_train, labels)
    classes = tuple(str(c) for c in fitted.classes_)
    coef = fitted.coef_
    lexical = {stem: tuple(round(float(w), 5) for w in coef[:, len(features) + j])
               for j, stem in enumerate(vocabulary) if np.max(np.abs(coef[:, len(features) + j])) >= 0.01}
    typed, calm = type_accuracy(list(y_dev), [str(p) for p in fitted.predict(x_dev)])
    model = LinearClassifier(
        classes, features, tuple(tuple(round(float(w), 6) for w in row[: len(features)]) for row in coef),
        tuple(round(float(b), 6) for b in fitted.intercept_), lexical, STEM_SIZE,
        {**info, "fitted": "scripts/train_signals.py", "target": "incident type or none", "C": best_c,
         "dev_type_accuracy": round(typed, 4), "dev_none_accuracy": round(calm, 4)},
    )
    print(f"  incident: C {best_c}, dev type accuracy {typed:.3f}, none {calm:.3f}, {len(lexical)} stems")
    return model


def fit_penalised(x: np.ndarray, y: np.ndarray, l2: float, lexical_l2: float, components: int
                  ) -> tuple[np.ndarray, float]:
    """What ``fit_logistic`` fits (L2 ``l2`` on the components, ``lexical_l2`` on the columns
    from ``components`` on, bias free), by L-BFGS: the lexical columns are scaled so that one
    penalty does both, and their weights scaled back."""
    from sklearn.linear_model import LogisticRegression

    scale = np.ones(x.shape[1])
    scale[components:] = math.sqrt(l2 / lexical_l2)
    fitted = LogisticRegression(C=1.0 / l2, max_iter=5000, tol=1e-6).fit(x * scale, y)
    return fitted.coef_[0] * scale, float(fitted.intercept_[0])


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
    parser.add_argument("--hate-out", type=Path, default=model_file(LEARNED_FILE))
    parser.add_argument("--incident-out", type=Path, default=model_file(CLASSIFIER_FILE))
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
    hate_digest = hashlib.sha256("\n".join(sorted(f"{i.key}:{i.hate}" for i in items)).encode()).hexdigest()
    info = {"train": len(train), "dev": len(dev), "labels_sha256": hate_digest[:16]}
    y_hate_train = np.array([i.hate for i in train], dtype=np.float64)
    y_hate_dev = np.array([i.hate for i in dev], dtype=np.float64)
    (docs_train, hate_stage, incident_stage), (docs_dev, _, _) = analysed(train), analysed(dev)
    stems_train, hate_train, incident_train = rule_rows(docs_train, hate_stage, incident_stage)
    stems_dev, hate_dev, incident_dev = rule_rows(docs_dev, hate_stage, incident_stage)
    hate_model = fit_hate(hate_train, stems_train, y_hate_train, hate_dev, stems_dev, y_hate_dev, info)
    hate_model.save(args.hate_out)
    print(f"wrote {args.hate_out}")
    incident_model = fit_incident(incident_train, stems_train, [i.incident or NONE for i in train],
                                  incident_dev, stems_dev, [i.incident or NONE for i in dev], info)
    incident_model.save(args.incident_out)
    print(f"wrote {args.incident_out}")
    x_train = np.zeros((len(train), len(FEATURES)))
    for held, fold_model in out_of_fold_hate(hate_train, stems_train, y_hate_train, hate_model):
        stage = HateStage(None, hate_stage.lexicon, learned=fold_model)
        x_train[held] = tension_rows([docs_train[i] for i in held], stage)
    x_dev = tension_rows(docs_dev, HateStage(None, hate_stage.lexicon, learned=hate_model))
    vocabulary = stem_vocabulary(stems_train)
    x_train, x_dev = with_stems(x_train, stems_train, vocabulary), with_stems(x_dev, stems_dev, vocabulary)
    y_train = np.array([i.tension >= 2 for i in train], dtype=np.float64)
    y_dev = np.array([i.tension >= 2 for i in dev], dtype=np.float64)
    best: tuple[float, tuple[float, float]] | None = None
    for l2 in L2_GRID:
        for lexical_l2 in LEXICAL_L2_GRID:
            losses = []
            for held in folds(len(x_train)):
                keep = np.setdiff1d(np.arange(len(x_train)), held)
                w, b = fit_penalised(x_train[keep], y_train[keep], l2, lexical_l2, len(FEATURES))
                losses.append(log_loss(1 / (1 + np.exp(-(x_train[held] @ w + b))), y_train[held]))
            loss = float(np.mean(losses))
            print(f"  L2 {l2} / lexical {lexical_l2}: cross-validated train log-loss {loss:.4f}")
            if best is None or loss < best[0]:
                best = (loss, (l2, lexical_l2))
    assert best is not None
    _, (l2, lexical_l2) = best
    weights, bias = fit_penalised(x_train, y_train, l2, lexical_l2, len(FEATURES))
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
