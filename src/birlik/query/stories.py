"""Stories for the pages and the API, read through the user's ``RegionScope``.

A story is visible when at least one of its documents is; everything shown of it — documents,
counts, outlets, languages, regions, timeline, claims — is computed from the visible documents
only, so that a coordinator learns nothing of another region's documents through a story that
crosses regions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from birlik.access.errors import not_found
from birlik.nlp.claims import comparable, find_discrepancies
from birlik.query import queries
from birlik.query.scope import RegionScope
from birlik.signals import explain
from birlik.store.models import MAX_ID, DocumentRegionRow, DocumentRow
from birlik.store.models_stories import ClaimRow, StoryMemberRow, StoryRow
from birlik.store.types import as_utc
from birlik.stories.service import claim_of

LANG_ORDER = ("kk", "ru", "en")
DETAIL_TEXT_CHARS = 1500
"""How much of each document the side-by-side view shows (the document page has all of it)."""
MAX_DETAIL_DOCUMENTS = 200
STORY_SOURCE_DOCUMENTS = 100
"""The stories API with filters lists the stories of this many of the newest matching documents."""


def available() -> bool:
    """Kept for the templates: the stories layer is part of the package."""
    return True


def _visible(scope: RegionScope) -> Any:
    """Stories with at least one document in scope (no condition at all for all regions)."""
    if scope.all_regions:
        return None
    return exists(
        select(StoryMemberRow.document_id)
        .join(DocumentRow, DocumentRow.id == StoryMemberRow.document_id)
        .where(StoryMemberRow.story_id == StoryRow.id, scope.document_condition())
    )


def _visible_members(scope: RegionScope, story_ids: Sequence[int]) -> Select[StoryMemberRow, DocumentRow]:
    return (
        select(StoryMemberRow, DocumentRow)
        .join(DocumentRow, DocumentRow.id == StoryMemberRow.document_id)
        .where(StoryMemberRow.story_id.in_(story_ids), scope.document_condition())
    )


def list_stories(
    session: Session,
    scope: RegionScope,
    *,
    limit: int = 25,
    since: datetime | None = None,
    order: str = "recent",
    document_ids: Callable[[], Sequence[int]] | None = None,
) -> list[dict[str, Any]]:
    """The newest stories in scope (``order="top"``: the largest, then the most tense).

    ``document_ids`` restricts the list to the stories of the documents it returns (what a
    filtered search on the Stories page finds); it is not called when there is no story at all.
    """
    if session.scalar(select(StoryRow.id).limit(1)) is None:
        return []
    if document_ids is not None:
        return _stories_of(session, scope, list(document_ids()), limit=limit, since=since, order=order)
    statement = select(StoryRow)
    visible = _visible(scope)
    if visible is not None:
        statement = statement.where(visible)
    if since is not None:
        statement = statement.where(StoryRow.last_seen >= since)
    if order == "top":
        statement = statement.order_by(
            StoryRow.doc_count.desc(), StoryRow.peak_tension.desc().nulls_last(), StoryRow.id.desc()
        )
    else:
        statement = statement.order_by(StoryRow.last_seen.desc(), StoryRow.id.desc())
    stories = list(session.scalars(statement.limit(limit)))
    if not stories:
        return []
    if scope.all_regions:
        return [_summary_of_row(story) for story in stories]
    members: dict[int, list[Member]] = {story.id: [] for story in stories}
    for member in _member_facts(session, scope, list(members)):
        members[member.story_id].append(member)
    return [_summary_of_members(story.id, story.title, members[story.id]) for story in stories]


def _stories_of(
    session: Session, scope: RegionScope, ids: list[int], *, limit: int, since: datetime | None, order: str
) -> list[dict[str, Any]]:
    """The stories of these documents, summarised from their visible members alone (three
    short reads: the stories' keys, their visible members, those members' regions)."""
    if not ids:
        return []
    stories_of_ids = select(StoryMemberRow.story_id).where(StoryMemberRow.document_id.in_(ids))
    members: dict[int, list[Member]] = {}
    for member in _member_facts(session, scope, stories_of_ids):  # one read: the stories in a subquery
        members.setdefault(member.story_id, []).append(member)
    summaries = [_summary_of_members(story_id, None, found) for story_id, found in members.items()]
    if since is not None:
        start = since.astimezone(UTC).isoformat()
        summaries = [s for s in summaries if s["last_seen"] and s["last_seen"] >= start]
    if order == "top":
        summaries.sort(key=lambda s: (s["docs"], s["peak_tension"] or 0.0, s["id"]), reverse=True)
    else:
        summaries.sort(key=lambda s: (s["last_seen"] or "", s["id"]), reverse=True)
    return summaries[:limit]


@dataclass(frozen=True, slots=True)
class Member:
    """What a story summary needs of one visible document."""

    story_id: int
    seen_at: datetime
    canonical: bool
    title: str
    lang: str
    outlet: str | None
    tension: float | None
    regions: tuple[str, ...]


def _member_facts(
    session: Session, scope: RegionScope, story_ids: Sequence[int] | Select[Any]
) -> list[Member]:
    """The visible members of these stories (ids, or a select of them), read as plain rows (no
    ORM objects, no text)."""
    rows = session.execute(
        select(
            StoryMemberRow.story_id,
            StoryMemberRow.seen_at,
            StoryMemberRow.canonical,
            DocumentRow.id,
            func.coalesce(func.nullif(DocumentRow.title, ""), func.substr(DocumentRow.text, 1, 120)),
            DocumentRow.lang,
            DocumentRow.outlet,
            DocumentRow.tension,
        )
        .join(DocumentRow, DocumentRow.id == StoryMemberRow.document_id)
        .where(StoryMemberRow.story_id.in_(story_ids), scope.document_condition())
    ).all()
    regions: dict[int, list[str]] = {}
    doc_ids = [row[3] for row in rows]
    if doc_ids:
        links = select(DocumentRegionRow.document_id, DocumentRegionRow.region_kato).where(
            DocumentRegionRow.document_id.in_(doc_ids)
        )
        for doc_id, kato in session.execute(links):
            regions.setdefault(doc_id, []).append(kato)
    return [
        Member(
            story, seen, canonical, title or "", lang or "und", outlet, tension, tuple(regions.get(doc, ()))
        )
        for story, seen, canonical, doc, title, lang, outlet, tension in rows
    ]


def _member_of(member: StoryMemberRow, doc: DocumentRow) -> Member:
    return Member(
        member.story_id,
        member.seen_at,
        member.canonical,
        doc.title or doc.text[:120],
        doc.lang or "und",
        doc.outlet,
        doc.tension,
        tuple(region.region_kato for region in doc.regions),
    )


def _summary_of_row(story: StoryRow) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "first_seen": _iso(story.first_seen),
        "last_seen": _iso(story.last_seen),
        "docs": story.doc_count,
        "duplicates": story.duplicate_count,
        "outlets": dict(story.outlets),
        "langs": list(story.langs),
        "regions": list(story.regions),
        "peak_tension": story.peak_tension,
        "timeline": dict(sorted(story.timeline.items())),
    }


def _summary_of_members(story_id: int, title: str | None, members: Sequence[Member]) -> dict[str, Any]:
    """The story as the visible documents make it."""
    ordered = sorted(members, key=lambda m: as_utc(m.seen_at))
    tensions = [m.tension for m in members if m.tension is not None]
    timeline: dict[str, dict[str, Any]] = {}
    for member in ordered:
        entry = timeline.setdefault(as_utc(member.seen_at).date().isoformat(), {"docs": 0, "tension": None})
        entry["docs"] += 1
        if member.tension is not None:
            entry["tension"] = max(entry["tension"] or 0.0, member.tension)
    return {
        "id": story_id,
        "title": ordered[0].title if ordered else title,
        "first_seen": as_utc(ordered[0].seen_at).isoformat() if ordered else None,
        "last_seen": as_utc(ordered[-1].seen_at).isoformat() if ordered else None,
        "docs": len(members),
        "duplicates": sum(1 for m in members if not m.canonical),
        "outlets": dict(Counter(m.outlet or "(unknown)" for m in members)),
        "langs": sorted({m.lang for m in members}),
        "regions": sorted({kato for m in members for kato in m.regions}),
        "peak_tension": max(tensions) if tensions else None,
        "timeline": timeline,
    }


def story_detail(
    session: Session, scope: RegionScope, story_id: str, *, marks: bool = False
) -> dict[str, Any]:
    """One story: its visible documents by language, with evidence; timeline, regions, claims.

    ``marks``: each document also carries ``marks``, the start of its text cut into nested
    mark tokens (``signals.explain.nest``, as the document page shows them: a slur inside an
    evidence sentence stays marked inside it)."""
    if not (story_id.isascii() and story_id.isdigit() and int(story_id) <= MAX_ID):  # not "²", "9"*30
        raise not_found(f"story {story_id[:40]}")
    story = session.get(StoryRow, int(story_id))
    if story is None:
        raise not_found(f"story {story_id}")
    members = [
        (member, row)
        for member, row in session.execute(
            _visible_members(scope, [story.id])
            .options(
                selectinload(DocumentRow.regions),
                selectinload(DocumentRow.mentions),
                selectinload(DocumentRow.signals),
            )
            .order_by(StoryMemberRow.seen_at, DocumentRow.id)
            .limit(MAX_DETAIL_DOCUMENTS)
        ).tuples()
    ]
    if not members:
        raise not_found(f"story {story_id}")
    summary = _summary_of_members(story.id, story.title, [_member_of(member, row) for member, row in members])
    documents = []
    for member, row in members:
        detail = queries.document_detail(row)
        document: dict[str, Any] = {"marks": _marks(row.text, detail)} if marks else {}
        documents.append(
            document
            | {
                **queries.document_card(row),
                "seen_at": as_utc(member.seen_at).isoformat(),
                "duplicate_of": None if member.canonical else member.dup_group,
                "segments": [
                    [kind, piece] for kind, piece in queries.highlight(detail, limit=DETAIL_TEXT_CHARS)
                ],
                "truncated": len(row.text) > DETAIL_TEXT_CHARS,
                "evidence": [
                    {"signal": name, **item}
                    for name, signal in detail["signals"].items()
                    for item in signal.get("evidence") or []
                    if isinstance(item, dict)
                ],
            }
        )
    ids = [row.id for _, row in members]
    claims = [
        claim_of(row)
        for row in session.scalars(
            select(ClaimRow)
            .where(ClaimRow.document_id.in_(ids))
            .order_by(ClaimRow.subject, ClaimRow.published_at, ClaimRow.id)
        )
    ]
    by_lang: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        by_lang.setdefault(document["lang"] or "und", []).append(document)
    columns = sorted(by_lang, key=lambda lang: (LANG_ORDER.index(lang) if lang in LANG_ORDER else 9, lang))
    return {
        **summary,
        "documents": documents,
        "columns": [{"lang": lang, "documents": by_lang[lang]} for lang in columns],
        "claims": [
            {
                "document": int(claim.document),
                "subject": claim.subject,
                "subject_text": claim.subject_text,
                "value": claim.value,
                "unit": claim.unit,
                "qualifier": claim.qualifier,
                "text": claim.text,
                "sentence": claim.sentence,
                "lang": claim.lang,
                "source": claim.source,
            }
            for claim in claims
            if comparable(claim)
        ],
        "discrepancies": [
            {
                "subject": d.subject,
                "kind": d.kind,
                "documents": [int(d.first.document), int(d.second.document)],
                "values": [d.first.text, d.second.text],
                "subject_texts": [d.first.subject_text, d.second.subject_text],
                "langs": [d.first.lang, d.second.lang],
            }
            for d in find_discrepancies(claims)
        ],
    }


def _marks(text: str, detail: dict[str, Any]) -> list[explain.Token]:
    """The first ``DETAIL_TEXT_CHARS`` of the text as nested marks (a mark crossing the cut is
    left out)."""
    spans = explain.document_spans(detail["mentions"], detail["signals"])
    return explain.nest(text[:DETAIL_TEXT_CHARS], spans)


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None
