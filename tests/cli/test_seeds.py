"""The seeds of the project (../shared/seeds) as a first real corpus: languages, regions and
ethnic groups of the Concept text (seed 002)."""

from __future__ import annotations

import json

from tests_support import analyze_lines

EXPECTED_LANGS = {"000": "kk", "001": "ru", "002": "kk", "003": "kk", "004": "ru"}
SEED_002_REGIONS = {"190000000", "310000000", "330000000", "610000000"}
SEED_002_DISTRICTS = {"194000000", "196600000", "314800000", "334600000", "615200000"}
SEED_002_GROUPS = {"german", "korean", "uzbek", "ukrainian", "polish", "turk", "kurd", "uyghur"}


def test_seeds(seed_texts: dict[str, str]) -> None:
    lines = [json.dumps({"id": key, "text": text}, ensure_ascii=False) for key, text in seed_texts.items()]
    out = {o["id"]: o for o in analyze_lines(lines)}
    assert {key: o["lang"] for key, o in out.items()} == EXPECTED_LANGS
    concept = out["002"]
    place_ids = {e["id"] for e in concept["entities"] if e["type"] == "PLACE"}
    assert place_ids >= SEED_002_DISTRICTS
    assert place_ids | set(concept["regions"]) >= SEED_002_REGIONS
    groups = {e["id"] for e in concept["entities"] if e["type"] == "ETHNIC_GROUP"}
    assert groups >= SEED_002_GROUPS
