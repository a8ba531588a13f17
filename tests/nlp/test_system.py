"""The missing-package warning: coded, on stderr, once per process; the dictionary path is a setting."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from birlik.nlp import system
from birlik.nlp.lemma_kk import KazakhLemmatizer
from birlik.settings import Settings


@pytest.fixture(autouse=True)
def _fresh_warnings() -> None:
    system._warned.clear()


def test_missing_dictionary_is_reported_with_its_code(tmp_path: Path) -> None:
    settings = Settings(hunspell_kk_dic=tmp_path / "kk_KZ.dic")
    messages = system.reduced_quality(settings)
    assert len(messages) == 1
    assert messages[0].startswith("[N201]") and "BIRLIK_HUNSPELL_KK_DIC" in messages[0]


def test_present_dictionary_is_not_reported(tmp_path: Path) -> None:
    dic = tmp_path / "kk_KZ.dic"
    dic.write_text("1\nкітап/ABbCcDdEeFfGgHhIiJjKkLl\n", encoding="utf-8")
    assert system.reduced_quality(Settings(hunspell_kk_dic=dic)) == []


def test_warning_is_printed_once(tmp_path: Path) -> None:
    settings = Settings(hunspell_kk_dic=tmp_path / "missing.dic")
    stream = io.StringIO()
    system.warn_reduced_quality(settings, stream=stream)
    system.warn_reduced_quality(settings, stream=stream)
    assert stream.getvalue().count("[N201]") == 1
    assert stream.getvalue().startswith("birlik: warning [N201]")


def test_the_setting_reaches_the_lemmatiser(tmp_path: Path) -> None:
    dic = tmp_path / "kk_KZ.dic"
    dic.write_text("1\nжұмбақ/ABbCcDdEeFfGgHhIiJjKkLl\n", encoding="utf-8")
    assert KazakhLemmatizer(Settings(hunspell_kk_dic=dic).hunspell_kk_dic).hunspell
    assert not KazakhLemmatizer(Settings(hunspell_kk_dic=tmp_path / "no.dic").hunspell_kk_dic).hunspell


@pytest.mark.slow
def test_analyze_warns_once_on_stderr_when_the_dictionary_is_missing(tmp_path: Path) -> None:
    lines = [{"id": str(i), "text": "Қазақтар мен ұйғырлар бірге тұрады."} for i in range(70)]
    env = dict(os.environ, BIRLIK_HUNSPELL_KK_DIC=str(tmp_path / "kk_KZ.dic"))
    result = subprocess.run(
        [sys.executable, "-m", "birlik.cli.main", "--quiet", "analyze", "--tokens", "-"],
        input="".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("[N201]") == 1
    assert len(result.stdout.splitlines()) == 70  # the documents are still analysed
