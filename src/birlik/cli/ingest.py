"""``birlik ingest``: paths, URLs, registered sources or the bundled demo corpus."""

from __future__ import annotations

import logging
import sys
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import click

from birlik.cli.context import AppContext, pass_app
from birlik.cli.sources import parse_options
from birlik.connectors.base import SourceConfig
from birlik.domain import codes
from birlik.domain.errors import BirlikError, ConfigError
from birlik.ingest.service import Ingestor, IngestReport, ensure_source, source_config
from birlik.store import repository as repo

DEMO_FEEDS: tuple[tuple[str, str, dict[str, object]], ...] = (
    ("demo-news", "news.jsonl", {"fields": {"time": "published_at"}}),
    (
        "demo-posts",
        "posts.jsonl",
        {"fields": {"text": "message", "author": "username", "time": "created_at", "url": "link"}},
    ),
)
log = logging.getLogger(__name__)

EXIT_ALL_QUARANTINED = 2
KINDS = ("files", "posts", "rss", "web", "telegram")
_FEED_SUFFIXES = (".rss", ".xml", ".atom", "/feed", "/rss", "/atom")


def guess_kind(location: str) -> str:
    """The connector kind for a path or URL when the user did not name one."""
    if location.startswith(("http://", "https://")):
        url_path = urlsplit(location).path.lower().rstrip("/")
        return "rss" if url_path.endswith(_FEED_SUFFIXES) else "web"
    path = Path(location)
    if path.is_dir():
        return "files"
    if path.name == "result.json":
        return "telegram"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".csv"):
        return "posts"
    if suffix in (".rss", ".atom", ".xml"):
        return "rss"
    return "files"


@click.command()
@click.argument("locations", nargs=-1)
@click.option("--kind", type=click.Choice(KINDS), help="Connector kind (guessed if omitted).")
@click.option("--source", "source_names", multiple=True, help="Ingest a registered source (repeat).")
@click.option("--all-sources", is_flag=True, help="Ingest every enabled registered source.")
@click.option("--demo", is_flag=True, help="Ingest the bundled illustrative demo corpus.")
@click.option("--option", "-o", "pairs", multiple=True, help="Connector option key=value.")
@pass_app
def ingest(
    app: AppContext,
    locations: tuple[str, ...],
    kind: str | None,
    source_names: tuple[str, ...],
    all_sources: bool,
    demo: bool,
    pairs: tuple[str, ...],
) -> None:
    """Fetch, analyse and store documents from PATHs, URLs or registered sources.

    Safe to interrupt and run again: nothing is lost and nothing is stored twice.
    """
    app.store(create=demo)
    targets = _targets(app, locations, kind, source_names, all_sources, demo, parse_options(pairs))
    if not targets:
        raise ConfigError(
            "nothing to ingest — give a PATH or URL, --source NAME, --all-sources or --demo", code=codes.E010
        )
    from birlik.nlp.system import warn_reduced_quality

    warn_reduced_quality(app.settings, ocr=any(config.kind == "files" for config, _ in targets))
    total = IngestReport()
    with app.progress(None, "item", "ingest") as bar:

        def advance(count: int) -> None:
            bar.update(count)

        # workers build the pipeline from the settings; this process fetches and stores
        with app.runtime.ingestor(progress=advance, workers=True) as ingestor:
            for config, source_id in targets:
                total.add(_ingest_one(ingestor, config, source_id))
    _summarise(total)
    if (total.quarantined or total.failed) and not total.stored and not total.duplicates:
        click.echo(
            f"birlik: [{codes.I039.id}] nothing was stored: {total.quarantined} inputs quarantined, "
            f"{len(total.failed)} sources failed — see `birlik quarantine list`, fix the inputs "
            "and run `birlik quarantine retry`",
            err=True,
        )
        sys.exit(EXIT_ALL_QUARANTINED)


def _ingest_one(ingestor: Ingestor, config: SourceConfig, source_id: int) -> IngestReport:
    """One target; an unexpected failure is reported and the other targets go on."""
    try:
        return ingestor.ingest(config, source_id)
    except BirlikError:
        raise  # the database or the settings: nothing else can succeed either
    except Exception as exc:  # a bug on one source's content
        log.exception("ingest of %s failed", config.name)
        line = f"birlik: [{codes.C091.id}] {config.name}: {exc.__class__.__name__}: {exc}"
        click.echo(line[:500], err=True)
        return IngestReport(failed=[config.name])


def _targets(
    app: AppContext,
    locations: tuple[str, ...],
    kind: str | None,
    names: tuple[str, ...],
    all_sources: bool,
    demo: bool,
    options: dict[str, object],
) -> list[tuple[SourceConfig, int]]:
    store = app.store()
    targets = []
    interval = app.settings.default_poll_interval
    for location in locations:
        resolved = location if "://" in location else str(Path(location).resolve())
        if "://" not in location and not Path(location).exists():
            raise ConfigError(f"{location} does not exist — check the path", code=codes.E011)
        targets.append(
            ensure_source(
                store,
                kind=kind or guess_kind(location),
                location=resolved,
                name=None,
                options=options,
                poll_interval=interval,
            )
        )
    if demo:
        demo_dir = resources.files("birlik.demo")
        for name, filename, demo_options in DEMO_FEEDS:
            targets.append(
                ensure_source(
                    store,
                    kind="posts",
                    location=str(demo_dir / filename),
                    name=name,
                    options=demo_options,
                    poll_interval=interval,
                )
            )
    with store.transaction() as session:
        rows = repo.list_sources(session) if all_sources else [repo.get_source(session, n) for n in names]
        targets.extend((source_config(row), row.id) for row in rows if row.enabled or not all_sources)
    return targets


def _summarise(report: IngestReport) -> None:
    click.echo(
        f"fetched {report.fetched}, stored {report.stored}, duplicates {report.duplicates}, "
        f"quarantined {report.quarantined}"
        + (f", unavailable: {', '.join(report.unavailable)}" if report.unavailable else "")
        + (f", failed: {', '.join(report.failed)}" if report.failed else "")
    )
