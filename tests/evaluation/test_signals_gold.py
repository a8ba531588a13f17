"""The signals gold set: keys rebuild their texts, labels are checked, κ is right."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from birlik.domain.errors import ConfigError
from birlik.evaluation.signals_gold import (
    GOLD_FILE,
    DatasetTexts,
    GoldLabel,
    agreement,
    cohen_kappa,
    detokenize,
    load_gold,
    parse_label,
    written_items,
)

ROOT = Path(__file__).resolve().parents[2]
DATASETS = Path(os.environ.get("BIRLIK_DATASETS_DIR", ROOT.parent / "shared" / "datasets"))
needs_datasets = pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is not present")


@pytest.mark.parametrize(("tokens", "text"), [
    (["«", "Рухани", "жаңғыру", "»", "бағдарламасы", "."], "«Рухани жаңғыру» бағдарламасы."),
    (["Бельгия", ",", "Ресей", "(", "РФ", ")", "!"], "Бельгия, Ресей (РФ)!"),
    (["He", "said", '"', "no", '"', "today", "."], 'He said "no" today.'),
    (["—", "Жамбыл", "көшесі", "100", "%"], "— Жамбыл көшесі 100%"),
])
def test_detokenize(tokens: list[str], text: str) -> None:
    assert detokenize(tokens) == text


def test_cohen_kappa_on_a_tiny_table() -> None:
    # observed agreement 0.75, chance agreement 0.5*0.25 + 0.5*0.75 = 0.5
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx(0.5)
    assert cohen_kappa(["a", "b", "c"], ["a", "b", "c"]) == pytest.approx(1.0)
    assert cohen_kappa([True, True], [True, True]) == 1.0
    # two raters who always disagree on a balanced binary: κ = -1
    assert cohen_kappa([0, 1, 0, 1], [1, 0, 1, 0]) == pytest.approx(-1.0)


def test_weighted_kappa_counts_near_misses_less() -> None:
    first = [0, 1, 2, 3, 0, 1, 2, 3]
    near, far = [1, 1, 2, 3, 0, 1, 2, 2], [3, 1, 2, 3, 0, 1, 2, 0]
    quadratic = lambda a, b: ((a - b) / 3) ** 2  # noqa: E731
    assert cohen_kappa(first, near, quadratic) > cohen_kappa(first, far, quadratic)
    assert cohen_kappa(first, near) == pytest.approx(cohen_kappa(first, far))


def _label(tension: int, hate: bool = False, incident: str | None = None) -> GoldLabel:
    return GoldLabel(tension=tension, hate=hate, incident=incident)


def test_agreement_between_two_passes() -> None:
    first = {"a": _label(3, True, "violence_brawl"), "b": _label(0), "c": _label(2),
             "d": _label(1), "only-first": _label(3)}
    second = {"a": _label(3, True, "violence_brawl"), "b": _label(1), "c": _label(3),
              "d": _label(2, incident="protest_rally")}
    figures = agreement(first, second)
    assert figures["items"] == 4
    # tension >= 2: first [T, F, T, F], second [T, F, T, T] -> p_o 0.75, p_e 0.5*0.75+0.5*0.25
    assert figures["tension2.kappa"] == pytest.approx(0.5)
    assert figures["hate.kappa"] == pytest.approx(1.0)
    assert figures["tension2.agreement"] == pytest.approx(0.75)
    assert 0 < figures["tension.weighted_kappa"] < 1
    assert figures["incident.kappa"] < 1
    assert agreement(first, {}) == {"items": 0.0}


def test_parse_label_resolves_evidence_offsets() -> None:
    text = "СРОЧНО!!! Снова межнациональная бойня, есть раненые. Снова бойня."
    label = parse_label({"key": "x", "tension": 3, "hate": False, "incident": "rumour_disinformation",
                         "evidence": [{"text": "межнациональная бойня", "signal": "tension"},
                                      {"text": "бойня", "signal": "incident", "start": 59}]}, text)
    spans = {(s.signal, s.start, s.end) for s in label.evidence}
    assert ("tension", 16, 37) in spans
    assert ("incident", 59, 64) in spans  # the recorded offset wins over the first occurrence


@pytest.mark.parametrize("record", [
    {"key": "x", "tension": 4, "hate": False},
    {"key": "x", "tension": True, "hate": False},
    {"key": "x", "tension": 1, "hate": "no"},
    {"key": "x", "tension": 1, "hate": False, "incident": "riot"},
    {"key": "x", "tension": 2, "hate": False, "evidence": [{"text": "нет такого", "signal": "tension"}]},
    {"key": "x", "tension": 2, "hate": False, "evidence": [{"text": "текст", "signal": "mood"}]},
])
def test_bad_labels_are_refused_with_a_code(record: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=r"\[V403\]"):
        parse_label(record, "какой-то текст")


def test_bad_keys_are_refused_with_a_code(tmp_path: Path) -> None:
    texts = DatasetTexts(tmp_path, written={})
    for key in ("kaznerd/IOB2_valid.txt", "nowhere/file.txt#l1", "written/none"):
        with pytest.raises(ConfigError, match=r"\[V401\]"):
            texts.text(key)
    with pytest.raises(ConfigError, match=r"\[V402\]"):
        texts.text("kaznerd/IOB2_valid.txt#s1")


@needs_datasets
def test_every_pool_key_rebuilds_its_text() -> None:
    manifest = resources.files("birlik.evaluation").joinpath("data", "signals_gold_pool.jsonl")
    records = [json.loads(line) for line in manifest.read_text("utf-8").splitlines()]
    texts = DatasetTexts(DATASETS)
    rebuilt = {record["key"]: texts.text(record["key"]) for record in records}
    assert len(rebuilt) == len(records) >= 2000
    assert all(text.strip() for text in rebuilt.values())
    assert texts.text("ru_distorted_toxicity_vk/train.tsv#id=396").startswith("разасраться с братскими")
    assert texts.text("kaznerd/IOB2_valid.txt#s0-1").startswith("Әрі «Қара сөздерінің» аудиодискісін")


@needs_datasets
def test_the_gold_set_loads_with_its_texts() -> None:
    assert resources.files("birlik.evaluation").joinpath("data", GOLD_FILE).is_file()
    items = load_gold(DATASETS)
    assert items and all(item.split in ("train", "dev", "test") for item in items)
    for item in items:
        for span in item.label.evidence:
            assert item.text[span.start:span.end] == span.text


def test_written_cases_follow_the_definitions() -> None:
    items = written_items()
    assert items, "signals_written.jsonl is empty"
    assert len({item["key"] for item in items}) == len(items)
    for item in items:
        label = parse_label(item, item["text"])
        assert item["key"].startswith(f"written/{item['lang']}-")
        assert not label.hate or label.tension == 3, item["key"]
        signals = {span.signal for span in label.evidence}
        assert label.tension < 2 or signals & {"tension", "hate"}, item["key"]
        assert label.incident is None or "incident" in signals, item["key"]
    langs = {lang: sum(item["lang"] == lang for item in items) for lang in ("kk", "ru", "en")}
    assert all(langs.values())


@needs_datasets
def test_merge_script_keeps_good_labels_and_reports_bad_ones(tmp_path: Path) -> None:
    manifest = resources.files("birlik.evaluation").joinpath("data", "signals_gold_pool.jsonl")
    key, other = (json.loads(line)["key"] for line in manifest.read_text("utf-8").splitlines()[:2])
    text = DatasetTexts(DATASETS).text(key)
    good = {"key": key, "tension": 1, "hate": False, "incident": None,
            "evidence": [{"text": text[3:9], "signal": "tension"}]}
    bad = {"key": other, "tension": 2, "hate": False,
           "evidence": [{"text": "нет такого текста", "signal": "tension"}]}
    work = tmp_path / "work"
    work.mkdir()
    (work / "labels-1.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in (good, bad)) + "\n", "utf-8")
    (work / "labels-second.jsonl").write_text(json.dumps({**good, "tension": 2}) + "\n", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "signals_gold_merge.py"), "--work", str(work),
         "--datasets", str(DATASETS), "--out", str(out)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    gold = {r["key"]: r for r in map(json.loads, (out / GOLD_FILE).read_text("utf-8").splitlines())}
    assert gold[key]["source"] == "real" and gold[key]["split"] in ("train", "dev", "test")
    assert text.find(text[3:9]) == gold[key]["evidence"][0]["start"]
    assert other not in gold
    assert "[V403]" in result.stderr
    assert any(r["source"] == "written" for r in gold.values())
    second = (out / "signals_gold_second.jsonl").read_text("utf-8").splitlines()
    assert len(second) == 1 and json.loads(second[0])["tension"] == 2
