"""Story-growth alerts behind a small interface: a story gaining outlets, languages or
regions fast.

The rules need only who carried which story when (``StoryMember``). ``StoryFeed`` is
anything that lists them; ``TableStoryFeed`` reads them from a table with ``document_id`` and
``story_id`` columns (the runtime builds it over the story membership table and hands it to
the monitor; a monitor without a feed raises no story alerts). Backtests build members from
the corpus's ``story`` field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from birlik.signals.indicators import COUNTRY, kz_day
from birlik.signals.rules import Finding, RuleSet, Severity, region_name
from birlik.store.models import DocumentRegionRow, DocumentRow
from birlik.store.types import as_utc

LOOKBACK = timedelta(days=7)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryMember:
    story_id: str
    at: datetime
    outlet: str
    lang: str
    regions: tuple[str, ...] = ()


class StoryFeed(Protocol):
    def members(self, session: Session, since: datetime, until: datetime) -> list[StoryMember]:
        """Members (since ``since``) of the stories that gained a document in the last day."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryGrowth:
    story_id: str
    documents: int
    outlets: tuple[str, ...]
    new_outlets: tuple[str, ...]
    languages: tuple[str, ...]
    new_languages: tuple[str, ...]
    regions: tuple[str, ...]
    new_regions: tuple[str, ...]
    top_region: str | None


def story_growth(members: Iterable[StoryMember], until: datetime, window: timedelta) -> list[StoryGrowth]:
    """How each story with members in the window ``until - window``–``until`` grew in it."""
    by_story: defaultdict[str, list[StoryMember]] = defaultdict(list)
    for member in members:
        if member.at <= until:
            by_story[member.story_id].append(member)
    start = until - window
    out = []
    for story_id, story in sorted(by_story.items()):
        story.sort(key=lambda m: m.at)
        recent = [m for m in story if m.at > start]
        if recent:
            out.append(_growth(story_id, [m for m in story if m.at <= start] or story[:1], recent, story))
    return out


def _growth(
    story_id: str, before: Sequence[StoryMember], recent: Sequence[StoryMember], story: Sequence[StoryMember]
) -> StoryGrowth:
    def gained(attr: str) -> tuple[str, ...]:
        known = {v for m in before for v in _values(m, attr)}
        return tuple(sorted({v for m in recent for v in _values(m, attr)} - known))

    region_counts: defaultdict[str, int] = defaultdict(int)
    for member in story:
        for region in member.regions:
            region_counts[region] += 1
    return StoryGrowth(
        story_id=story_id,
        documents=len(story),
        outlets=tuple(sorted({m.outlet for m in story})),
        new_outlets=gained("outlet"),
        languages=tuple(sorted({m.lang for m in story})),
        new_languages=gained("lang"),
        regions=tuple(sorted(region_counts)),
        new_regions=gained("regions"),
        top_region=max(sorted(region_counts), key=lambda r: region_counts[r]) if region_counts else None,
    )


def _values(member: StoryMember, attr: str) -> tuple[str, ...]:
    value: Any = getattr(member, attr)
    return tuple(value) if isinstance(value, tuple) else (value,)


def evaluate_story_growth(growths: Iterable[StoryGrowth], until: datetime, rules: RuleSet) -> list[Finding]:
    findings = []
    for growth in growths:
        rule = rules.story(growth.top_region)
        if not rule.enabled or growth.documents < rule.min_documents:
            continue
        reasons, fired = [], []
        if len(growth.new_outlets) >= rule.min_new_outlets:
            reasons.append(f"+{len(growth.new_outlets)} outlets")
            fired.append("outlets")
        if len(growth.new_languages) >= rule.min_new_languages:
            reasons.append(f"now in {', '.join(growth.languages)}")
            fired.append("languages")
        if len(growth.new_regions) >= rule.min_new_regions:
            reasons.append(f"+{len(growth.new_regions)} regions")
            fired.append("regions")
        if not reasons:
            continue
        severity: Severity = "high" if len(reasons) >= 3 else "medium" if len(reasons) == 2 else "low"
        where = region_name(growth.top_region) if growth.top_region else "no region"
        findings.append(
            Finding(
                kind="story_growth",
                subject=growth.story_id,
                day=kz_day(until),
                severity=severity,
                title=f"Story {growth.story_id} grows fast ({where}): {', '.join(reasons)}",
                window_days=rule.window_days,
                region_kato=growth.top_region if growth.top_region != COUNTRY else None,
                story_id=growth.story_id,
                details={
                    "documents": growth.documents,
                    "outlets": list(growth.outlets),
                    "new_outlets": list(growth.new_outlets),
                    "languages": list(growth.languages),
                    "new_languages": list(growth.new_languages),
                    "regions": list(growth.regions),
                    "new_regions": list(growth.new_regions),
                    "fired": fired,
                    "rule": {
                        "window_hours": rule.window_hours,
                        "min_new_outlets": rule.min_new_outlets,
                        "min_new_languages": rule.min_new_languages,
                        "min_new_regions": rule.min_new_regions,
                    },
                },
            )
        )
    return findings


# --- the stories tables -----------------------------------------------------------------


class TableStoryFeed:
    """Members from a stories table with ``document_id`` and ``story_id`` columns."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def members(self, session: Session, since: datetime, until: datetime) -> list[StoryMember]:
        link = self.table
        moment = func.coalesce(DocumentRow.published_at, DocumentRow.fetched_at)
        active = (
            select(link.c.story_id)
            .join(DocumentRow, DocumentRow.id == link.c.document_id)
            .where(DocumentRow.fetched_at > until - timedelta(days=1))
            .distinct()
        )
        rows = session.execute(
            select(
                link.c.story_id,
                DocumentRow.id,
                moment,
                DocumentRow.outlet,
                DocumentRow.source_id,
                DocumentRow.lang,
            )
            .join(DocumentRow, DocumentRow.id == link.c.document_id)
            .where(link.c.story_id.in_(active), moment > since)
        ).all()
        regions: defaultdict[int, list[str]] = defaultdict(list)
        ids = [row[1] for row in rows]
        for start in range(0, len(ids), 500):
            for document_id, region in session.execute(
                select(DocumentRegionRow.document_id, DocumentRegionRow.region_kato).where(
                    DocumentRegionRow.document_id.in_(ids[start : start + 500])
                )
            ):
                regions[document_id].append(region)
        return [
            StoryMember(
                story_id=str(story_id),
                at=as_utc(at),
                outlet=outlet or f"source:{source_id}",
                lang=lang or "und",
                regions=tuple(regions.get(document_id, ())),
            )
            for story_id, document_id, at, outlet, source_id, lang in rows
        ]
