"""Kazakh entity figures of the full pipeline on one KazNERD fold, with a CRF that never saw it.

Usage: ``python scripts/kk_org_folds.py --fold K [--model MODEL] [--errors FILE] [--type ORG]``

The shipped CRF (``kk_ner.crfsuite``) is trained on folds 0–3 (groups 0–3 mod 5 of
``split_kaznerd``), so the pipeline's figures on those folds with it are flattering. For an
honest figure on fold K train a model without it first, with the shipped settings:

    nice python scripts/train_kk_ner.py --held-out-fold 0 --out /tmp/kk_ner_no0.crfsuite
    python scripts/kk_org_folds.py --fold 0 --model /tmp/kk_ner_no0.crfsuite --errors org0.tsv

Fold 4 with the shipped model is what ``birlik eval --only kaznerd`` measures. The entity
stages of the default pipeline run with ``MODEL`` in place of the shipped CRF (the NER and the
casing stage both read it); the script prints per-type precision/recall/F1 of exact spans and
writes the false positives and false negatives of ``--type`` with their context (TSV:
kind, type, span, context). Rule work is judged on a fold that was not read error by error.
"""

from __future__ import annotations

import argparse
import sys
from functools import cached_property
from pathlib import Path

from birlik.evaluation.base import PRFByType
from birlik.evaluation.kaznerd import (
    DATA_FILE,
    HELD_OUT_EVERY,
    GoldSentence,
    _documents,
    crf_metrics,
    read_kaznerd,
    split_kaznerd,
)
from birlik.nlp.factory import Resources, build_stages, default_names
from birlik.nlp.ner_kk import KAZNERD_TYPES, KazakhNer
from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings

Span = tuple[int, int, str]
TYPES = frozenset(KAZNERD_TYPES.values())


class _ModelResources(Resources):
    """The build's resources with another Kazakh CRF."""

    def __init__(self, settings: Settings, model: KazakhNer) -> None:
        super().__init__(settings)
        self._model = model

    @cached_property
    def kazakh_ner(self) -> KazakhNer:
        return self._model


def predicted(sentences: list[GoldSentence], model: KazakhNer) -> list[set[Span]]:
    """The spans of the project's four types the entity stages find in each sentence."""
    settings = Settings()
    stages = build_stages(default_names(signals=False), settings,
                          resources=_ModelResources(settings, model))
    docs = Pipeline(stages, max_chars=settings.max_analysed_chars)(_documents(sentences))
    return [{(m.start, m.end, m.type) for m in doc.entities if m.type in TYPES} for doc in docs]


def table(metrics: dict[str, float], prefix: str = "") -> str:
    names = sorted({k[len(prefix):].rsplit(".", 1)[0] for k in metrics if k.startswith(prefix)})
    lines = []
    for name in names:
        p, r, f = (metrics.get(f"{prefix}{name}.{k}", 0.0) for k in ("precision", "recall", "f1"))
        lines.append(f"  {name:<14} P {p:.4f}  R {r:.4f}  F1 {f:.4f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fold", type=int, choices=range(HELD_OUT_EVERY), required=True)
    parser.add_argument("--model", type=Path, help="a CRF trained without --fold "
                        "(default: the shipped one, honest only for fold 4)")
    parser.add_argument("--datasets", type=Path, default=None,
                        help="default: BIRLIK_DATASETS_DIR or ../shared/datasets")
    parser.add_argument("--errors", type=Path, help="write the errors of --type here (TSV)")
    parser.add_argument("--type", default="ORG", choices=sorted(TYPES))
    parser.add_argument("--crf", action="store_true", help="also score the CRF alone")
    args = parser.parse_args(argv)
    if args.model is None and args.fold != HELD_OUT_EVERY - 1:
        print(f"warning: the shipped CRF was trained on fold {args.fold}", file=sys.stderr)
    model = KazakhNer.load() if args.model is None else KazakhNer.from_bytes(
        args.model.read_bytes())
    datasets = args.datasets or Settings().datasets_dir
    _, sentences = split_kaznerd(read_kaznerd(datasets / "kaznerd" / DATA_FILE), args.fold)

    counts = PRFByType()
    rows = []
    for sentence, spans in zip(sentences, predicted(sentences, model), strict=True):
        gold = sentence.gold_spans()
        counts.add(gold, spans)
        rows.append((sentence.text, gold, spans))
    print(f"fold {args.fold}: {len(sentences)} sentences, model "
          f"{args.model or 'shipped'}\npipeline:\n{table(counts.metrics())}")
    if args.crf:
        print(f"CRF alone:\n{table(crf_metrics(sentences, model), 'crf.')}")
    if args.errors is not None:
        with args.errors.open("w", encoding="utf-8") as out:
            for text, gold, spans in rows:
                for kind, wrong in (("FP", spans - gold), ("FN", gold - spans)):
                    for start, end, entity_type in sorted(wrong):
                        if entity_type != args.type:
                            continue
                        context = text[max(0, start - 60):end + 60]
                        out.write(f"{kind}\t{entity_type}\t{text[start:end]}\t{context}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
