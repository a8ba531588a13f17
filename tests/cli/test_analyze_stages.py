"""`birlik analyze` outputs each document's claims (DESIGN.md) and runs a pipeline of
registered stages named on the command line, as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

BIRLIK = [sys.executable, "-m", "birlik.cli.main", "--quiet"]

#: (id, text, figure as written, value, unit, qualifier, subject, region KATO)
CLAIMS = [
    ("kk", "Алматы облысында 30-дан астам этномәдени бірлестік жұмыс істейді.",
     "30-дан астам", 30.0, "count", "at_least", "ethnocultural_association", "190000000"),
    ("ru", "В 2023 году в Шымкенте прошло около 4000 мероприятий.",
     "около 4000", 4000.0, "count", "about", "event", "790000000"),
    ("en", "More than 95 percent of residents of Pavlodar support the Assembly.",
     "More than 95 percent", 95.0, "percent", "at_least", "person", "551000000"),
]


def _analyze(args: list[str], lines: list[dict[str, object]]) -> list[dict[str, object]]:
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    env = dict(os.environ, BIRLIK_DATABASE_URL="sqlite:///:memory:")
    result = subprocess.run([*BIRLIK, "analyze", *args], input=stdin, capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.slow  # the whole default pipeline in a process of its own
def test_analyze_outputs_the_claims_of_each_document() -> None:
    lines: list[dict[str, object]] = [{"id": key, "text": text} for key, text, *_ in CLAIMS]
    lines.append({"id": "none", "text": "Бүгін ауа райы жақсы."})
    out = _analyze([], lines)
    for (key, text, written, value, unit, qualifier, subject, region), annotated in zip(
        CLAIMS, out, strict=False
    ):
        claims = annotated["claims"]
        assert isinstance(claims, list), key
        found = {(c["text"], c["value"], c["unit"], c["qualifier"]) for c in claims}
        assert (written, value, unit, qualifier) in found, (key, claims)
        claim = next(c for c in claims if c["text"] == written)
        assert text[claim["start"] : claim["end"]] == written
        assert (claim["subject"], claim["region"]) == (subject, region), (key, claim)
    assert out[1]["claims"][0]["period"] == "2023"
    assert out[3]["claims"] == []


def test_analyze_runs_the_stages_named_with_their_config() -> None:
    lines: list[dict[str, object]] = [{"id": "ru", "text": CLAIMS[1][1]}]
    stages = "normalise.v1,langid.v1,segment.v1,ethnic.v1,places.v1,orgs.v1,entities.v1,regions.v1"
    [entities_only] = _analyze(["--stages", stages], lines)
    assert "claims" not in entities_only and "signals" not in entities_only
    assert entities_only["regions"]
    config = ["--config", "langid.v1:min_share=0.3"]
    [with_claims] = _analyze(["--stages", stages + ",claims.v1", *config], lines)
    assert with_claims["claims"] and with_claims["regions"] == entities_only["regions"]


def test_analyze_refuses_an_unknown_stage_with_a_coded_error() -> None:
    env = dict(os.environ, BIRLIK_DATABASE_URL="sqlite:///:memory:")
    result = subprocess.run([*BIRLIK, "analyze", "--stages", "normalise.v1,tension.v9"], input="",
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 2 and "[P008]" in result.stderr and "tension.v2" in result.stderr
