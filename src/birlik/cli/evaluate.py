"""``birlik eval``: quality on the shared datasets, gated by pinned floors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from birlik.cli.context import AppContext, emit_json, pass_app
from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.evaluation.base import Metrics, dataset_hash, evaluations, lower_is_better

TOLERANCE = 1e-6
MARGIN = 0.005
"""How far a pinned bound sits from the measured figure, so that noise does not fail CI."""


@click.command("eval")
@click.option(
    "--datasets",
    "datasets_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Datasets folder (default: BIRLIK_DATASETS_DIR or ../shared/datasets).",
)
@click.option("--only", multiple=True, help="Run only these evaluations (repeat).")
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    default=Path("eval_baseline.json"),
    show_default=True,
    help="Pinned floors.",
)
@click.option("--check", is_flag=True, help="Fail (exit 2) when a metric falls below its floor.")
@click.option("--write-baseline", is_flag=True, help="Pin the measured figures as the new floors.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per evaluation.")
@pass_app
def evaluate(
    app: AppContext,
    datasets_dir: Path | None,
    only: tuple[str, ...],
    baseline: Path,
    check: bool,
    write_baseline: bool,
    as_json: bool,
) -> None:
    """Measure quality on ../shared/datasets and compare with eval_baseline.json."""
    from birlik.evaluation.topics import use_cache_dir

    use_cache_dir(app.settings.embed_cache)
    root = datasets_dir or app.settings.datasets_dir
    if not root.is_dir():
        raise ConfigError(f"datasets folder {root} not found — pass --datasets", code=codes.V002)
    registry = evaluations()
    unknown = set(only) - set(registry)
    if unknown:
        raise ConfigError(f"unknown evaluation(s) {sorted(unknown)} — known: {sorted(registry)}",
                          code=codes.V004)
    results: dict[str, tuple[str, Metrics]] = {}
    for name, evaluation in registry.items():
        if only and name not in only:
            continue
        started = time.perf_counter()
        metrics = evaluation.run(root / evaluation.dataset)
        results[name] = (dataset_hash(root, evaluation), metrics)
        _show(name, evaluation.dataset, metrics, time.perf_counter() - started, as_json)
    if write_baseline:
        _write_floors(baseline, results)
    if check:
        _check_floors(baseline, results)


def _show(name: str, dataset: str, metrics: Metrics, seconds: float, as_json: bool) -> None:
    if as_json:
        emit_json({"evaluation": name, "dataset": dataset, "seconds": round(seconds, 1), "metrics": metrics})
        return
    click.echo(f"== {name}  ({dataset}, {seconds:.1f} s)")
    for key, value in metrics.items():
        click.echo(f"   {key:40} {value:.4f}")


def _write_floors(path: Path, results: dict[str, tuple[str, Metrics]]) -> None:
    pinned = json.loads(path.read_text()) if path.exists() else {}
    for name, (digest, metrics) in results.items():
        pinned[name] = {
            "dataset_hash": digest,
            "floors": {k: round(v - MARGIN, 3) for k, v in metrics.items() if not lower_is_better(k)},
            "ceilings": {k: round(v + MARGIN, 3) for k, v in metrics.items() if lower_is_better(k)},
        }
    path.write_text(json.dumps(pinned, indent=2, sort_keys=True) + "\n")
    click.echo(f"floors written to {path}", err=True)


def _check_floors(path: Path, results: dict[str, tuple[str, Metrics]]) -> None:
    if not path.exists():
        raise ConfigError(f"{path} not found — run with --write-baseline first", code=codes.V005)
    pinned = json.loads(path.read_text())
    failures = []
    for name, (digest, metrics) in results.items():
        if name not in pinned:
            failures.append(f"{name}: no floors pinned")
            continue
        if pinned[name]["dataset_hash"] != digest:
            failures.append(f"{name}: dataset changed (hash {digest}, pinned {pinned[name]['dataset_hash']})")
        for key, floor in pinned[name]["floors"].items():
            value = metrics.get(key)
            if value is None or value + TOLERANCE < floor:
                failures.append(f"{name}: {key} = {value} below the floor {floor}")
        for key, ceiling in pinned[name].get("ceilings", {}).items():
            value = metrics.get(key)
            if value is None or value - TOLERANCE > ceiling:
                failures.append(f"{name}: {key} = {value} above the ceiling {ceiling}")
    if failures:
        raise ConfigError("quality gate failed: " + "; ".join(failures), code=codes.V006)
    click.echo(f"quality gate passed ({len(results)} evaluations)", err=True)
