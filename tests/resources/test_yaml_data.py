"""The lexicons read with libyaml's parser hold the same data as with PyYAML's safe loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from birlik.resources.yaml_data import load_yaml

SRC = Path(__file__).resolve().parents[2] / "src" / "birlik"
FILES = sorted(SRC.rglob("*.yaml"))


def test_every_data_file_is_found() -> None:
    assert {"ethnic_groups.yaml", "world_places.yaml", "rules.yaml"} <= {path.name for path in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_the_data_is_what_the_safe_loader_builds(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['true']",  # no Python objects: a safe loader
        "key: [unclosed",
    ],
)
def test_unsafe_or_broken_text_is_a_yaml_error(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml(text)
