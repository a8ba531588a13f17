"""Accuracy of the language identifier on SIB-200 (FLORES-200 sentences in kk, ru, en).

Usage: ``python scripts/eval_langid.py [SIB_DIR] [--split dev|train] [--errors]``

``SIB_DIR`` defaults to ``../shared/datasets/sib200_kk_ru_en``; each language folder holds
``{split}.tsv`` with the columns ``index_id``, ``category``, ``text``. Every sentence is
identified whole and cut to its first four words.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from birlik.nlp.langid import LangIdStage

DEFAULT_SIB_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "sib200_kk_ru_en"
FOLDERS: dict[str, str] = {"kk": "kaz_Cyrl", "ru": "rus_Cyrl", "en": "eng_Latn"}
SNIPPET_WORDS = 4


def read_sentences(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row["text"] for row in rows if row.get("text")]


def snippet(text: str, words: int = SNIPPET_WORDS) -> str:
    return " ".join(text.split()[:words])


def evaluate(
    sib_dir: Path, split: str = "dev", stage: LangIdStage | None = None,
    errors: list[tuple[str, str, str]] | None = None,
) -> dict[str, dict[str, float]]:
    """``{lang: {"full": accuracy, "four_words": accuracy, "n": sentences}}``.

    Wrong answers are appended to ``errors`` as ``(gold, predicted, text)`` when given."""
    stage = stage if stage is not None else LangIdStage()
    report: dict[str, dict[str, float]] = {}
    for gold, folder in FOLDERS.items():
        sentences = read_sentences(sib_dir / folder / f"{split}.tsv")
        report[gold] = {
            "full": _accuracy(stage, gold, sentences, errors),
            "four_words": _accuracy(stage, gold, [snippet(s) for s in sentences], errors),
            "n": float(len(sentences)),
        }
    return report


def _accuracy(
    stage: LangIdStage, gold: str, texts: list[str],
    errors: list[tuple[str, str, str]] | None,
) -> float:
    right = 0
    for text in texts:
        predicted = stage.identify(text).lang
        right += predicted == gold
        if predicted != gold and errors is not None:
            errors.append((gold, predicted, text))
    return right / len(texts) if texts else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sib_dir", nargs="?", type=Path, default=DEFAULT_SIB_DIR)
    parser.add_argument("--split", default="dev", choices=["dev", "train", "test"])
    parser.add_argument("--errors", action="store_true", help="print the wrong answers")
    args = parser.parse_args(argv)
    if not (args.sib_dir / FOLDERS["kk"] / f"{args.split}.tsv").is_file():
        print(f"[V001] no SIB-200 {args.split} split under {args.sib_dir} — pass SIB_DIR",
              file=sys.stderr)
        return 2
    errors: list[tuple[str, str, str]] = []
    report = evaluate(args.sib_dir, args.split, errors=errors)
    print(f"langid on SIB-200 {args.split}: accuracy (sentences)")
    print(f"{'lang':<6}{'full':>8}{'4 words':>10}{'n':>6}")
    for lang, scores in report.items():
        print(f"{lang:<6}{scores['full']:>8.4f}{scores['four_words']:>10.4f}{int(scores['n']):>6}")
    if args.errors:
        for gold, predicted, text in errors:
            print(f"{gold}->{predicted}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
