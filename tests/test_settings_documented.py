"""Every setting is documented in the README (a setting nobody can find does not exist)."""

from __future__ import annotations

from pathlib import Path

import pytest

from birlik.settings import Settings
from birlik.web.config import WebSettings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(set(Settings.model_fields) | set(WebSettings.model_fields)))
def test_setting_is_in_the_readme(name: str) -> None:
    assert f"BIRLIK_{name.upper()}" in README


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_setting_has_a_description(name: str) -> None:
    assert Settings.model_fields[name].description
