"""``birlik search`` and ``birlik stats``."""

from __future__ import annotations

from dataclasses import asdict

import click

from birlik.cli.context import AppContext, emit_json, parse_day, pass_app
from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.nlp.static_embed import distilled_companion
from birlik.query.filters import SORTS, DocumentFilters
from birlik.query.queries import list_cards
from birlik.query.scope import RegionScope
from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.store.stats import collect_stats


def resolve_region(value: str) -> str:
    """A region given as a KATO code or by name in any language → its KATO code."""
    gazetteer = load_gazetteer()
    if value.isdigit():
        region = gazetteer.region_of(value)
        if region is None:
            raise ConfigError(f"unknown KATO code {value!r}", code=codes.E012)
        return region
    wanted = value.casefold()
    for place in gazetteer.regions():
        names = [name.casefold() for names in place.names.values() for name in names]
        if wanted in names:
            return place.kato
    raise ConfigError(f"unknown region {value!r} — give a KATO code or a region name", code=codes.E012)


def resolve_ethnic(value: str) -> str:
    lexicon = load_ethnic_groups()
    wanted = value.casefold()
    for group in lexicon:
        names = [name.casefold() for names in group.names.values() for name in names]
        if wanted == group.id or wanted in names:
            return group.id
    raise ConfigError(f"unknown ethnic group {value!r} — give an id such as 'uyghur'", code=codes.E013)


@click.command()
@click.argument("query", default="")
@click.option("--lang", "langs", multiple=True, help="Language code (repeat): kk, ru, en…")
@click.option("--region", "regions", multiple=True, help="Region KATO code or name (repeat).")
@click.option("--ethnic", "ethnic_groups", multiple=True, help="Ethnic group id or name (repeat).")
@click.option("--incident", help="Only documents reporting this incident type, e.g. violence_brawl.")
@click.option("--min-tension", type=click.FloatRange(0.0, 1.0), help="Only documents with tension ≥ this.")
@click.option("--since", help="From this date (inclusive), e.g. 2026-06-01.")
@click.option("--until", help="Up to this date (inclusive).")
@click.option("--semantic", is_flag=True,
              help="Search by meaning with the configured embedder (BIRLIK_EMBEDDER), not by words.")
@click.option("--sort", type=click.Choice(SORTS), default=None,
              help="Order: relevance (the default with a query), newest (without), oldest, tension.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per document.")
@pass_app
def search(
    app: AppContext,
    query: str,
    langs: tuple[str, ...],
    regions: tuple[str, ...],
    ethnic_groups: tuple[str, ...],
    incident: str | None,
    min_tension: float | None,
    since: str | None,
    until: str | None,
    semantic: bool,
    sort: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Documents by words (any inflectional ending) or by meaning, with the web's filters.

    The same query layer as the web's search: the operator's scope is every region."""
    first, last = parse_day(since, "--since"), parse_day(until, "--until")
    filters = DocumentFilters(
        q=query,
        mode="semantic" if semantic else "text",
        langs=langs,
        regions=tuple(resolve_region(r) for r in regions),
        ethnic=tuple(resolve_ethnic(e) for e in ethnic_groups),
        incident=incident or None,
        min_tension=min_tension,
        since=first.date() if first else None,
        until=last.date() if last else None,
        sort=sort or ("relevance" if query.strip() else "newest"),
    )
    runtime = app.runtime
    with app.store().transaction() as session:
        cards = list_cards(
            session, RegionScope.everything(), filters, limit=limit,
            embedder=runtime.embedder, static=lambda: distilled_companion(runtime.embedder()),
        )
    for card in cards:
        card.pop("highlights", None)
        if as_json:
            emit_json(card)
        else:
            day = (card["published_at"] or "----------")[:10]
            title = (card["title"] or "")[:70]
            click.echo(f"{card['id']:>7} {day} {card['lang']:3} {title}\n        {card['snippet']}")
    if not cards and not as_json:
        click.echo("no documents match", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
@pass_app
def stats(app: AppContext, as_json: bool) -> None:
    """What the database holds: documents by language, region and ethnic group."""
    with app.store().transaction() as session:
        counts = collect_stats(session)
    if as_json:
        emit_json(asdict(counts))
        return
    gazetteer = load_gazetteer()
    click.echo(
        f"documents: {counts.documents}   sources: {counts.sources}   "
        f"quarantined (open): {counts.quarantined_open}   dates flagged: {counts.dates_flagged}"
    )
    click.echo("languages: " + ", ".join(f"{k} {v}" for k, v in counts.by_lang.items()))
    click.echo("regions:")
    for kato, n in counts.by_region.items():
        place = gazetteer.get(kato)
        label = (
            (place.name("en") + (" (city)" if place.is_city and place.level == "region" else ""))
            if place
            else "?"
        )
        click.echo(f"  {kato}  {label:28} {n}")
    click.echo("ethnic groups (documents):")
    click.echo("  " + ", ".join(f"{k} {v}" for k, v in counts.by_ethnic_group.items()))
    if counts.derogatory_mentions:
        click.echo(f"derogatory mentions: {counts.derogatory_mentions}")
