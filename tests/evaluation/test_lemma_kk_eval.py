"""The honest lemma figures: document folds, lists withheld per fold, the KazNERD sample keys."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from birlik.domain.errors import ConfigError
from birlik.evaluation.lemma_kk import (
    GoldSentence,
    GoldWord,
    document_folds,
    evaluate_kfold,
    evaluate_sample,
    fold_only_lemmas,
    load_sample,
    read_iob_tokens,
)
from birlik.nlp.lemma_kk import KazakhLemmatizer


def _sentence(document: str, *lemmas: str) -> GoldSentence:
    return GoldSentence(" ".join(lemmas), [GoldWord(x, x, "NOUN") for x in lemmas], document)


def test_a_document_is_never_split_between_folds() -> None:
    sentences = [_sentence(f"doc{i % 7}", "үй") for i in range(40)]
    folds = document_folds(sentences, 5)
    assert len(folds) == 5 and sum(len(f) for f in folds) == 40
    owners = [{s.document for s in fold} for fold in folds]
    for i, docs in enumerate(owners):
        assert all(not docs & other for j, other in enumerate(owners) if j != i)


def test_only_lemmas_unseen_in_training_folds_are_withheld() -> None:
    folds = [[_sentence("a", "қала", "тамыз")], [_sentence("b", "қала")], [_sentence("c", "бала")]]
    assert fold_only_lemmas(folds, 0) == {"тамыз"}
    assert fold_only_lemmas(folds, 1) == frozenset()


def test_withheld_lists_change_the_lemma() -> None:
    assert KazakhLemmatizer(use_hunspell=False, frequencies={}).lemma("мұндай") == "бұл"
    withheld = KazakhLemmatizer(use_hunspell=False, frequencies={}, withhold={"бұл"})
    assert withheld.lemma("мұндай") != "бұл"


def test_kfold_pools_every_fold(tmp_path: Path) -> None:
    conllu = tmp_path / "gold.conllu"
    blocks = []
    for i, (form, lemma) in enumerate([("балалар", "бала"), ("кітабы", "кітап"), ("мұндай", "бұл")]):
        row = "\t".join(("1", form, lemma, "NOUN", "_", "_", "0", "root", "_", "_"))
        blocks.append(f"# sent_id = doc{i}.txt:1:0\n# text = {form}\n{row}\n")
    conllu.write_text("\n".join(blocks) + "\n", encoding="utf-8")
    metrics = evaluate_kfold(
        conllu, lambda held: KazakhLemmatizer(use_hunspell=False, frequencies={}, withhold=held), folds=3
    )
    # мұндай → бұл comes from the written pronoun list, which the fold that holds it loses
    assert metrics["kfold.accuracy"] == round(2 / 3, 4)


def test_sample_keys_are_unique_and_hold_no_text() -> None:
    text = resources.files("birlik.evaluation").joinpath("data", "lemma_kk_kaznerd_sample.jsonl")
    rows = [json.loads(line) for line in text.read_text("utf-8").splitlines() if line.strip()]
    assert len(rows) >= 150
    assert all(set(row) == {"sentence", "token", "lemma"} for row in rows)
    assert len({row["sentence"] for row in rows}) == len(rows)
    assert len(load_sample()) == len(rows)


def test_sample_is_scored_from_the_dataset_file(tmp_path: Path) -> None:
    iob = tmp_path / "IOB2_valid.txt"
    iob.write_text("Балалар O\nкелді O\n. O\n\nКітабы O\n", encoding="utf-8")
    assert read_iob_tokens(iob) == [["Балалар", "келді", "."], ["Кітабы"]]
    from birlik.evaluation.lemma_kk import SampleKey

    lemmatizer = KazakhLemmatizer(use_hunspell=False)
    keys = [SampleKey(0, 1, "кел"), SampleKey(1, 0, "кітап")]
    assert evaluate_sample(iob, keys, lemmatizer) == {"accuracy": 1.0, "tokens": 2.0}
    with pytest.raises(ConfigError, match="V320"):
        evaluate_sample(iob, [SampleKey(5, 0, "x")], lemmatizer)
