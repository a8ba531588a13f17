"""``scripts/kk_org_folds.py``: the full pipeline's Kazakh entity figures on one KazNERD fold,
on a small written file in KazNERD's format (token TAG lines, a blank line between
sentences)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "kk_org_folds.py"

SENTENCES = [
    # fold 0: a described body after a quoted project
    [("Павлодарда", "B-GPE"), ("«", "O"), ("Цифрлық", "B-PROJECT"), ("Қазақстан", "I-PROJECT"),
     ("»", "O"), ("жобасын", "O"), ("Қаржы", "B-ORGANISATION"), ("нарқын", "I-ORGANISATION"),
     ("реттеу", "I-ORGANISATION"), ("және", "I-ORGANISATION"), ("дамыту", "I-ORGANISATION"),
     ("агенттігі", "I-ORGANISATION"), ("қолдады", "O"), (".", "O")],
    [("Күн", "O"), ("бүгін", "O"), ("жылы", "O"), ("болды", "O"), (".", "O")],
    [("Балалар", "O"), ("мектепке", "O"), ("барды", "O"), (".", "O")],
    [("Ауыл", "O"), ("шаруашылығы", "O"), ("дамып", "O"), ("келеді", "O"), (".", "O")],
    [("Кітап", "O"), ("оқу", "O"), ("пайдалы", "O"), (".", "O")],
]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kk_org_folds", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fold_figures_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "kaznerd"
    folder.mkdir()
    (folder / "IOB2_valid.txt").write_text(
        "\n\n".join("\n".join(f"{w} {t}" for w, t in s) for s in SENTENCES) + "\n",
        encoding="utf-8")
    errors = tmp_path / "errors.tsv"
    assert _script().main(["--fold", "0", "--datasets", str(tmp_path), "--errors", str(errors),
                           "--crf"]) == 0
    out = capsys.readouterr().out
    assert "fold 0: 1 sentences, model shipped" in out
    org = next(line for line in out.splitlines() if line.strip().startswith("ORG"))
    assert org.split()[-1] == "1.0000", out  # the described body, and not the project
    assert "CRF alone:" in out
    assert errors.read_text(encoding="utf-8") == ""
