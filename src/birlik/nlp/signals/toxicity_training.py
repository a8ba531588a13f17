"""How the toxicity model is fitted: one recipe for ``scripts/train_toxicity.py`` (which ships
the result) and for ``birlik eval`` (which refits it on k−1 folds to measure the k-th).

Everything that is chosen — the regularisation of both logistic regressions and both decision
thresholds — is chosen by cross-validation inside the texts given to ``fit_toxicity``; nothing
else is read. Deterministic for the same texts (fixed seeds, liblinear / lbfgs solvers).

Needs scikit-learn (``pip install 'birlik[train]'``); the stage itself does not.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.text import normalise
from birlik.nlp.signals.toxicity import (
    LEXICON_FEATURES,
    EmbeddingHead,
    Floats,
    HashedCharNgrams,
    ToxicityClassifier,
    ToxicityLexicon,
    Window,
    aggregate,
    logit,
    sentences_of,
    to_published,
    windows,
)

SEED = 13
FOLDS = 5
C_GRID = (4.0, 16.0, 64.0)
HEAD_C_GRID = (1.0, 3.0, 10.0, 30.0)
NGRAMS = (2, 5)
DIM = 1 << 18
THRESHOLDS = np.round(np.arange(0.15, 0.8, 0.01), 3)

Labels = npt.NDArray[np.int64]


def _sklearn() -> tuple[Any, Any, Any]:
    try:
        linear = importlib.import_module("sklearn.linear_model")
        selection = importlib.import_module("sklearn.model_selection")
        metrics = importlib.import_module("sklearn.metrics")
    except ImportError as exc:
        raise ConfigError(
            f"fitting the toxicity model needs scikit-learn ({exc}) — "
            "`pip install 'birlik[train]'`", code=codes.M205) from exc
    return linear.LogisticRegression, selection.StratifiedKFold, metrics.roc_auc_score


@dataclass(frozen=True, slots=True)
class Prepared:
    """Per text: the whole text as one window (what is trained on) and its windows as the
    stage cuts them (what is scored)."""

    whole: list[Window]
    windows: list[list[Window]]


def prepare(texts: Sequence[str], lexicon: ToxicityLexicon) -> Prepared:
    whole: list[Window] = []
    cut: list[list[Window]] = []
    for text in texts:
        norm = normalise(text)
        sentences = sentences_of(text)
        pieces = windows(lexicon, text, norm, sentences)
        cut.append(pieces)
        joined = windows(lexicon, text, norm, sentences, max_chars=len(text) + 1)
        whole.append(joined[0] if joined else _empty())
    return Prepared(whole, cut)


def _empty() -> Window:
    return Window(0, 0, (), np.zeros(len(LEXICON_FEATURES), np.float32), ())


def design(items: Sequence[Window], features: HashedCharNgrams) -> Any:
    """Rows: hashed n-grams (``features.dim`` columns), then the lexicon features."""
    sparse = importlib.import_module("scipy.sparse")  # untyped; comes with scikit-learn
    csr_matrix, hstack = sparse.csr_matrix, sparse.hstack
    rows, cols, vals = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.float32)]
    for row, window in enumerate(items):
        indices, values = features.vector(window.words)
        rows.append(np.full(len(indices), row))
        cols.append(indices)
        vals.append(values)
    grams = csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                       shape=(len(items), features.dim), dtype=np.float32)
    lexical = np.stack([w.features for w in items]) if items else np.zeros((0, len(LEXICON_FEATURES)))
    return hstack([grams, csr_matrix(lexical.astype(np.float32))]).tocsr()


def _fit_lr(x: Any, y: Labels, c: float) -> Any:
    regression, _, _ = _sklearn()
    return regression(C=c, max_iter=3000, solver="liblinear", random_state=SEED).fit(x, y)


def _classifier(model: Any, threshold: float, features: HashedCharNgrams) -> ToxicityClassifier:
    coef = model.coef_[0].astype(np.float32)
    return ToxicityClassifier(coef[: features.dim], coef[features.dim :], float(model.intercept_[0]),
                              threshold, features)


def document_probabilities(model: Any, prepared: Prepared, rows: Sequence[int],
                           features: HashedCharNgrams) -> Floats:
    """The stage's document probability (windows, then ``aggregate``) for ``rows``."""
    flat = [(index, w) for index, row in enumerate(rows) for w in prepared.windows[row]]
    out = np.zeros(len(rows), np.float32)
    if not flat:
        return out
    probs = model.predict_proba(design([w for _, w in flat], features))[:, 1]
    per_row: list[list[float]] = [[] for _ in rows]
    for (index, _), prob in zip(flat, probs, strict=True):
        per_row[index].append(float(prob))
    return np.array([aggregate(p) for p in per_row], np.float32)


def best_threshold(y: Labels, probabilities: Floats) -> tuple[float, float]:
    """(F1, threshold) of the best threshold in ``THRESHOLDS``; ties go to the lower one."""
    best = (-1.0, 0.5)
    for threshold in THRESHOLDS:
        score = f1(y, probabilities >= threshold)
        if score > best[0] + 1e-12:
            best = (score, float(threshold))
    return best


def f1(y: Labels, predicted: npt.NDArray[np.bool_]) -> float:
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@dataclass(frozen=True, slots=True)
class Fitted:
    classifier: ToxicityClassifier
    head: EmbeddingHead | None
    report: dict[str, float]


def fit_toxicity(
    texts: Sequence[str], labels: Sequence[int], lexicon: ToxicityLexicon, *,
    embeddings: Sequence[Floats | None] | None = None, embedder: str = "",
    prepared: Prepared | None = None, log: Any = None, folds: int = FOLDS,
) -> Fitted:
    """Fit the lexical classifier (C and threshold by ``FOLDS``-fold cross-validation) and,
    when ``embeddings`` are given, the head over the embedding and the out-of-fold lexical
    probability (its C and threshold by cross-validation too) on the texts that have one."""
    _, folds_of, auc = _sklearn()
    y = np.asarray(labels, dtype=np.int64)
    prepared = prepared or prepare(texts, lexicon)
    features = HashedCharNgrams(DIM, *NGRAMS)
    x = design(prepared.whole, features)
    splits = list(folds_of(folds, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y))
    report: dict[str, float] = {}
    best: tuple[float, float, Floats] | None = None
    for c in C_GRID:
        oof = np.zeros(len(y), np.float32)
        for train, test in splits:
            oof[test] = document_probabilities(_fit_lr(x[train], y[train], c), prepared, test, features)
        score = float(auc(y, oof))
        report[f"lexical.C={c:g}.oof_auc"] = round(score, 4)
        if best is None or score > best[0] + 1e-9:
            best = (score, c, oof)
    assert best is not None
    _, c, oof = best
    f1_oof, threshold = best_threshold(y, oof)
    report |= {"lexical.C": c, "lexical.threshold": threshold, "lexical.oof_f1": round(f1_oof, 4)}
    if log:
        log(f"lexical: C={c:g}, threshold {threshold:.2f}, out-of-fold F1 {f1_oof:.4f}")
    classifier = _classifier(_fit_lr(x, y, c), threshold, features)
    head = None
    if embeddings is not None:
        head = _fit_head(y, oof, embeddings, embedder, report, log, folds)
    return Fitted(classifier, head, report)


def head_design(vectors: Floats, lexical: Floats) -> Floats:
    return np.hstack([vectors, np.array([[logit(float(p))] for p in lexical], np.float32)])


def _fit_head(y: Labels, lexical_oof: Floats, embeddings: Sequence[Floats | None], embedder: str,
              report: dict[str, float], log: Any, folds: int = FOLDS) -> EmbeddingHead:
    regression, folds_of, auc = _sklearn()
    rows = np.array([i for i, e in enumerate(embeddings) if e is not None], np.int64)
    if len(rows) < 2 * folds:
        raise ConfigError("too few embedded texts to fit the toxicity head", code=codes.M206)
    vectors = np.stack([np.asarray(embeddings[i], np.float32) for i in rows])
    x, target = head_design(vectors, lexical_oof[rows]), y[rows]
    splits = list(folds_of(folds, shuffle=True, random_state=SEED + 1).split(x, target))
    best: tuple[float, float, Floats] | None = None
    for c in HEAD_C_GRID:
        oof = np.zeros(len(rows), np.float32)
        for train, test in splits:
            model = regression(C=c, max_iter=5000, random_state=SEED).fit(x[train], target[train])
            oof[test] = model.predict_proba(x[test])[:, 1]
        score = float(auc(target, oof))
        report[f"head.C={c:g}.oof_auc"] = round(score, 4)
        if best is None or score > best[0] + 1e-9:
            best = (score, c, oof)
    assert best is not None
    _, c, oof = best
    f1_oof, threshold = best_threshold(target, oof)
    report |= {"head.C": c, "head.threshold": threshold, "head.oof_f1": round(f1_oof, 4)}
    if log:
        log(f"head: C={c:g}, threshold {threshold:.2f}, out-of-fold F1 {f1_oof:.4f} "
            f"({len(rows)} embedded texts)")
    model = regression(C=c, max_iter=5000, random_state=SEED).fit(x, target)
    coef = model.coef_[0].astype(np.float32)
    return EmbeddingHead(coef[:-1], float(coef[-1]), float(model.intercept_[0]), threshold, embedder)


def published(probabilities: Floats, threshold: float) -> Floats:
    return np.array([to_published(float(p), threshold) for p in probabilities], np.float32)
