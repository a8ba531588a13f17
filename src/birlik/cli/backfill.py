"""``birlik backfill`` and ``birlik reprocess``: the same runtime over partitions on Dask
distributed (an existing scheduler or a local cluster), into PostgreSQL."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import TYPE_CHECKING

import click

from birlik.cli.context import AppContext, parse_day, pass_app
from birlik.cli.sources import parse_options
from birlik.domain import codes
from birlik.domain.errors import ConfigError

if TYPE_CHECKING:
    from distributed import Client

    from birlik.scale.backfill import RunReport, Status

EXIT_FAILED_PARTITIONS = 4

_SCHEDULER = click.option(
    "--scheduler", metavar="tcp://HOST:8786", help="An existing Dask scheduler (default: a local cluster)."
)
_WORKERS = click.option(
    "--workers", type=click.IntRange(1), default=2, show_default=True,
    help="Worker processes of the local cluster (one thread each).",
)
_RUN = click.option("--run", default=None, help="The run's name in the ledger.")
_PIPELINE = click.option(
    "--pipeline", "pipeline_names", default=None, metavar="STAGE,…",
    help="Registered stages to run (default: the declared pipeline; see `birlik stages`).",
)
_ATTEMPTS = click.option(
    "--max-attempts", type=click.IntRange(1, 20), default=3, show_default=True,
    help="Attempts of a partition before it is reported as failed.",
)


@click.command()
@click.argument("sources", nargs=-1)
@click.option("--kind", type=click.Choice(["files", "posts", "telegram"]), help="Connector kind (guessed).")
@click.option("--option", "-o", "pairs", multiple=True, help="Connector option key=value.")
@_SCHEDULER
@_WORKERS
@_RUN
@click.option("--resume", is_flag=True, help="Continue the run after a crash (SOURCES may be omitted).")
@click.option("--retry-failed", is_flag=True, help="Also retry partitions that used up their attempts.")
@click.option(
    "--records", type=click.IntRange(1), default=5000, show_default=True,
    help="Records of an export per partition (rounded up to whole batches of BIRLIK_BATCH_SIZE).",
)
@click.option(
    "--files-per-partition", type=click.IntRange(1), default=200, show_default=True,
    help="Files of a folder per partition.",
)
@_PIPELINE
@_ATTEMPTS
@pass_app
def backfill(
    app: AppContext,
    sources: tuple[str, ...],
    kind: str | None,
    pairs: tuple[str, ...],
    scheduler: str | None,
    workers: int,
    run: str | None,
    resume: bool,
    retry_failed: bool,
    records: int,
    files_per_partition: int,
    pipeline_names: str | None,
    max_attempts: int,
) -> None:
    """Ingest SOURCES (folders, JSONL/CSV and Telegram exports) on a Dask cluster into
    PostgreSQL, then recompute stories and indicators.

    Partitioned by file and by ranges of records; the partitions are kept in a ledger in the
    database: run again with --resume after a crash of the client, a worker or the scheduler.
    Nothing is stored twice (the identity rules of `birlik ingest`).
    """
    from birlik.scale.backfill import Runner, plan, require_postgres

    require_postgres(app.runtime)
    name = run or "backfill"
    app.store(create=True)
    if not sources and not resume:
        raise ConfigError(
            "nothing to backfill — give SOURCES, or --resume to continue a run", code=codes.X106
        )
    if sources:
        added = plan(
            app.runtime, name, sources, kind=kind, options=parse_options(pairs),
            records=records, files_per_partition=files_per_partition,
        )
        click.echo(f"run {name}: {added} new partitions planned", err=True)
    elif not _known_run(app, name):
        raise ConfigError(f"no run named {name!r} to resume — check --run (see the ledger)", code=codes.X107)
    with _cluster(scheduler, workers) as client, _bar(app) as show:
        runner = Runner(app.runtime, client, name, stages=_names(pipeline_names),
                        max_attempts=max_attempts, progress=show)
        report = runner.backfill(retry_failed=retry_failed)
    _summarise(name, report)


@click.command()
@click.option("--stale", is_flag=True, help="Documents analysed by other stage versions than the pipeline's.")
@click.option("--stages", "stage_names", default=None, metavar="STAGE,…",
              help="Documents whose recorded versions lack one of these stages (name.version).")
@click.option("--since", help="Only documents published (or fetched) from this day, e.g. 2026-01-01.")
@_SCHEDULER
@_WORKERS
@_RUN
@_PIPELINE
@_ATTEMPTS
@click.option("--chunk", type=click.IntRange(1), default=500, show_default=True, help="Documents per task.")
@pass_app
def reprocess(
    app: AppContext,
    stale: bool,
    stage_names: str | None,
    since: str | None,
    scheduler: str | None,
    workers: int,
    run: str | None,
    pipeline_names: str | None,
    max_attempts: int,
    chunk: int,
) -> None:
    """Analyse stored documents again on a Dask cluster, in place (signals, mentions, regions,
    the vector, the recorded stage versions), then recompute the indicators."""
    from birlik.scale.backfill import Runner, require_postgres

    require_postgres(app.runtime)
    app.store()
    moment = parse_day(since, "--since")
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    with _cluster(scheduler, workers) as client, _bar(app) as show:
        runner = Runner(app.runtime, client, run or "reprocess", stages=_names(pipeline_names),
                        max_attempts=max_attempts, progress=show)
        report = runner.reprocess(stale=stale, stages=_names(stage_names) or (), since=moment, chunk=chunk)
    _summarise(run or "reprocess", report, verb="reanalysed")


def _names(value: str | None) -> list[str] | None:
    return [name.strip() for name in value.split(",") if name.strip()] if value else None


def _known_run(app: AppContext, name: str) -> bool:
    from birlik.scale import ledger

    return name in ledger.runs(app.store())


@contextmanager
def _cluster(scheduler: str | None, workers: int) -> Iterator[Client]:
    from birlik.scale.backfill import connect, dashboard

    client = connect(scheduler, workers)
    try:
        link = dashboard(client)
        click.echo(f"dask: {len(client.scheduler_info()['workers'])} workers"
                   + (f", dashboard {link}" if link else " (dashboard: install bokeh)"), err=True)
        yield client
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None and scheduler is None:
            cluster.close()


@contextmanager
def _bar(app: AppContext) -> Iterator[Callable[[Status], None]]:
    bar = app.progress(None, "part", "backfill")
    phase: list[str] = []

    def show(status: Status) -> None:
        if not phase or phase[0] != status.phase:
            phase[:] = [status.phase]
            bar.reset(total=status.partitions)
            bar.set_description(status.phase)
        bar.n = status.done + status.failed
        bar.set_postfix(docs=status.items, rate=f"{status.rate:.1f}/s", failed=status.failed, refresh=False)
        bar.refresh()

    try:
        yield show
    finally:
        bar.close()


def _summarise(run: str, report: RunReport, verb: str = "stored") -> None:
    click.echo(
        f"run {run}: {report.done}/{report.partitions} partitions done, {verb} {report.stored}, "
        f"duplicates {report.duplicates}, quarantined {report.quarantined}, "
        f"stories linked {report.linked}{_windows(report)}, indicator days {report.indicator_days}, "
        f"{report.seconds:.1f} s"
    )
    for key, reason in sorted(report.failed.items()):
        click.echo(f"birlik: [{codes.X108.id}] partition {key} failed: {reason}", err=True)
    if report.failed:
        sys.exit(EXIT_FAILED_PARTITIONS)


def _windows(report: RunReport) -> str:
    if not report.story_windows:
        return ""
    again = f", {report.story_windows_relinked} linked again" if report.story_windows_relinked else ""
    return f" in {report.story_windows} time windows{again}"


COMMANDS = (backfill, reprocess)
