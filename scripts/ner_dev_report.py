"""NER figures on the development part, the report part and the whole shared half.

Usage: ``python scripts/ner_dev_report.py [--lang kk|ru|both] [--errors FILE] [--json]``

The parts are ``birlik.evaluation.ner_split`` (seed 17, half and half): KazNERD's held-out
fold (the half ``birlik eval kaznerd`` scores) and NEREL dev (``birlik eval nerel``). The
entity stages of the default pipeline run once over the whole half; each part is scored on
its own. ``--errors`` writes the false positives and false negatives of the *development*
part only: the report part is never read error by error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from birlik.domain.records import Document
from birlik.evaluation.base import Metrics, PRFByType
from birlik.evaluation.kaznerd import GoldSentence, held_out_sentences
from birlik.evaluation.ner_split import split_kaznerd_half, split_nerel_half
from birlik.evaluation.nerel import NEREL_TYPES, GoldDocument, predicted_spans, read_dev
from birlik.nlp.factory import default_pipeline
from birlik.settings import Settings

Span = tuple[int, int, str]
TYPES = frozenset(NEREL_TYPES.values())


def kazakh(datasets: Path) -> Iterator[tuple[str, str, set[Span], set[Span]]]:
    """(part, text, gold, predicted) per KazNERD sentence of the shared half."""
    sentences = held_out_sentences(datasets / "kaznerd")
    dev, _ = split_kaznerd_half(sentences)
    dev_ids = {id(s) for s in dev}
    docs = [Document(id=f"kaznerd-{i}", text=s.text, lang="kk") for i, s in enumerate(sentences)]
    for sentence, doc in zip(sentences, _run(docs), strict=True):
        yield _part(sentence, dev_ids), sentence.text, sentence.gold_spans(), \
            predicted_spans(doc, TYPES)


def russian(datasets: Path) -> Iterator[tuple[str, str, set[Span], set[Span]]]:
    gold = read_dev(datasets / "nerel_ru")
    dev, _ = split_nerel_half(gold)
    dev_ids = {id(g) for g in dev}
    for item, doc in zip(gold, _run([g.document() for g in gold]), strict=True):
        yield _part(item, dev_ids), item.text, set(item.spans), predicted_spans(doc, TYPES)


def _part(item: GoldSentence | GoldDocument, dev_ids: set[int]) -> str:
    return "dev" if id(item) in dev_ids else "report"


def _run(docs: list[Document]) -> list[Document]:
    return default_pipeline(Settings(), signals=False)(docs)


def score(rows: list[tuple[str, str, set[Span], set[Span]]]) -> dict[str, Metrics]:
    parts = {"dev": PRFByType(), "report": PRFByType(), "whole": PRFByType()}
    for part, _, gold, predicted in rows:
        parts[part].add(gold, predicted)
        parts["whole"].add(gold, predicted)
    return {name: counts.metrics() for name, counts in parts.items()}


def write_errors(path: Path, lang: str, rows: list[tuple[str, str, set[Span], set[Span]]]) -> None:
    with path.open("a", encoding="utf-8") as out:
        for part, text, gold, predicted in rows:
            if part != "dev":
                continue
            for kind, spans in (("FP", predicted - gold), ("FN", gold - predicted)):
                for start, end, entity_type in sorted(spans):
                    context = text[max(0, start - 60):end + 60].replace("\n", " ")
                    out.write(f"{lang}\t{kind}\t{entity_type}\t{text[start:end]}\t{context}\n")


def table(lang: str, metrics: dict[str, Metrics]) -> str:
    lines = [f"{lang}: type        " + "  ".join(f"{p:>17}" for p in metrics)]
    names = sorted({key.rsplit(".", 1)[0] for key in metrics["whole"]})
    for name in names:
        cells = [
            "{:.3f}/{:.3f}/{:.3f}".format(*(m.get(f"{name}.{k}", 0.0)
                                            for k in ("precision", "recall", "f1")))
            for m in metrics.values()
        ]
        lines.append(f"    {name:<15}" + "  ".join(f"{c:>17}" for c in cells))
    return "\n".join(lines) + "\n    (precision/recall/F1)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", choices=("kk", "ru", "both"), default="both")
    parser.add_argument("--datasets", type=Path, default=None,
                        help="default: BIRLIK_DATASETS_DIR or ../shared/datasets")
    parser.add_argument("--errors", type=Path, help="write the dev part's errors here (TSV)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.errors is not None:
        args.errors.write_text("", encoding="utf-8")
    datasets = args.datasets or Settings().datasets_dir
    results = {}
    for lang, read in (("kk", kazakh), ("ru", russian)):
        if args.lang not in (lang, "both"):
            continue
        rows = list(read(datasets))
        results[lang] = score(rows)
        if args.errors is not None:
            write_errors(args.errors, lang, rows)
        if not args.json:
            print(table(lang, results[lang]))
    if args.json:
        json.dump(results, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
