"""`birlik explain` prints each tension component with its value, reason code and evidence."""

from __future__ import annotations

import pytest

from birlik.cli.explain import _components
from birlik.domain.records import Document
from birlik.evaluation.signals import signals_pipeline

TEXT = ("СРОЧНО!!! Кордай, сегодня ночью. Снова межнациональная бойня, есть раненые. Власти молчат. "
        "Распространите, пока не удалили!!!")


def test_each_component_with_value_reason_and_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    doc = signals_pipeline()([Document(id="p", text=TEXT)])[0]
    _components(doc.text, doc.signals["tension"].as_json())
    out = capsys.readouterr().out
    assert "* rumour" in out and "tension.rumour" in out
    assert "* ethnic_frame" in out and "«межнациональная»" in out
    assert "[tension.rumour] …«СРОЧНО»!!!" in out
    assert "violence" in out
