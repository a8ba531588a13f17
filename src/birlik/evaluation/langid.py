"""Language identification on SIB-200 dev sentences (kk, ru, en), whole and as four-word
snippets."""

from __future__ import annotations

import csv
from pathlib import Path

from birlik.domain.records import Document
from birlik.evaluation.base import Metrics, register_eval
from birlik.nlp.pipeline import Stage

LANGUAGES = {"kaz_Cyrl": "kk", "rus_Cyrl": "ru", "eng_Latn": "en"}


def read_sentences(dataset_dir: Path, folder: str, split: str = "dev") -> list[tuple[str, str]]:
    """(category, text) rows of one language's split."""
    with (dataset_dir / folder / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
        return [(row["category"], row["text"]) for row in csv.DictReader(handle, delimiter="\t")]


@register_eval(
    "langid_sib200",
    dataset="sib200_kk_ru_en",
    files=tuple(f"{folder}/dev.tsv" for folder in LANGUAGES),
    description="accuracy of langid.v1 on SIB-200 dev: full sentences and first four words",
)
def run(dataset_dir: Path) -> Metrics:
    from birlik.nlp.langid import LangIdStage

    stage = LangIdStage()
    metrics: Metrics = {}
    for folder, lang in LANGUAGES.items():
        texts = [text for _, text in read_sentences(dataset_dir, folder)]
        snippets = [" ".join(text.split()[:4]) for text in texts]
        metrics[f"{lang}.sentence.accuracy"] = _accuracy(stage, texts, lang)
        metrics[f"{lang}.four_words.accuracy"] = _accuracy(stage, snippets, lang)
    return metrics


def _accuracy(stage: Stage, texts: list[str], lang: str) -> float:
    docs = stage([Document(id=str(i), text=text) for i, text in enumerate(texts)])
    return round(sum(doc.lang == lang for doc in docs) / len(docs), 4)
