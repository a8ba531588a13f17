"""Quality gate: when the shared datasets are present (as in CI), every evaluation runs and
must stay at or above the floors pinned in eval_baseline.json, on the pinned data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
BASELINE = ROOT / "eval_baseline.json"


def test_every_evaluation_has_floors() -> None:
    from birlik.evaluation.base import evaluations

    pinned = json.loads(BASELINE.read_text())
    assert set(evaluations()) <= set(pinned), "run `birlik eval --write-baseline` for new evaluations"
    for name, entry in pinned.items():
        assert entry["floors"] or entry.get("ceilings"), name
        assert len(entry["dataset_hash"]) == 16, name


@pytest.mark.slow
@pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is not present")
def test_quality_floors_hold() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "birlik.cli.main", "--quiet", "eval", "--datasets", str(DATASETS),
         "--baseline", str(BASELINE), "--check"],
        capture_output=True, text=True, timeout=3600, cwd=ROOT, env=dict(os.environ),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_a_floor_and_a_ceiling_fail_the_gate(tmp_path: Path) -> None:
    from birlik.cli.evaluate import _check_floors, _write_floors
    from birlik.domain.errors import ConfigError

    baseline = tmp_path / "baseline.json"
    _write_floors(baseline, {"demo": ("0123456789abcdef", {"micro.f1": 0.9, "seeds.max_hate": 0.1})})
    pinned = json.loads(baseline.read_text())["demo"]
    assert pinned["floors"] == {"micro.f1": 0.895}
    assert pinned["ceilings"] == {"seeds.max_hate": 0.105}
    _check_floors(baseline, {"demo": ("0123456789abcdef", {"micro.f1": 0.9, "seeds.max_hate": 0.1})})
    for worse in ({"micro.f1": 0.8, "seeds.max_hate": 0.1}, {"micro.f1": 0.9, "seeds.max_hate": 0.3}):
        with pytest.raises(ConfigError, match="V006"):
            _check_floors(baseline, {"demo": ("0123456789abcdef", worse)})
