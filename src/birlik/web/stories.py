"""Stories for the pages and the API, read through the user's ``RegionScope``.

A story is visible when at least one of its documents is; everything shown of it — documents,
counts, outlets, languages, regions, timeline, claims — is computed from the visible documents
only, so that a coordinator learns nothing of another region's documents through a story that
crosses regions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, selectinload

from birlik.store.models import DocumentRow
from birlik.store.models_stories import ClaimRow, StoryMemberRow, StoryRow
from birlik.stories.claims import find_discrepancies
from birlik.stories.service import claim_of
from birlik.web import queries
from birlik.web.errors import not_found
from birlik.web.scoping import RegionScope

LANG_ORDER = ("kk", "ru", "en")
DETAIL_TEXT_CHARS = 1500
"""How much of each document the side-by-side view shows (the document page has all of it)."""
MAX_DETAIL_DOCUMENTS = 200


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
    statement = select(StoryRow)
    visible = _visible(scope)
    if visible is not None:
        statement = statement.where(visible)
    if since is not None:
        statement = statement.where(StoryRow.last_seen >= since)
    if document_ids is not None:
        ids = list(document_ids())
        if not ids:
            return []
        statement = statement.where(
            StoryRow.id.in_(select(StoryMemberRow.story_id).where(StoryMemberRow.document_id.in_(ids)))
        )
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
    members: dict[int, list[tuple[StoryMemberRow, DocumentRow]]] = {story.id: [] for story in stories}
    visible = _visible_members(scope, list(members)).options(selectinload(DocumentRow.regions))
    for member, document in session.execute(visible).tuples():
        members[member.story_id].append((member, document))
    return [_summary_of_members(story, members[story.id]) for story in stories]


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


def _summary_of_members(
    story: StoryRow, members: Sequence[tuple[StoryMemberRow, DocumentRow]]
) -> dict[str, Any]:
    """The story as the visible documents make it."""
    seen = sorted(_aware(member.seen_at) for member, _ in members)
    tensions = [doc.tension for _, doc in members if doc.tension is not None]
    timeline: dict[str, dict[str, Any]] = {}
    for member, doc in members:
        entry = timeline.setdefault(_aware(member.seen_at).date().isoformat(), {"docs": 0, "tension": None})
        entry["docs"] += 1
        if doc.tension is not None:
            entry["tension"] = max(entry["tension"] or 0.0, doc.tension)
    first = min(members, key=lambda pair: _aware(pair[0].seen_at))[1] if members else None
    return {
        "id": story.id,
        "title": (first.title or first.text[:120]) if first is not None else story.title,
        "first_seen": seen[0].isoformat() if seen else None,
        "last_seen": seen[-1].isoformat() if seen else None,
        "docs": len(members),
        "duplicates": sum(1 for member, _ in members if not member.canonical),
        "outlets": dict(Counter(doc.outlet or "(unknown)" for _, doc in members)),
        "langs": sorted({doc.lang or "und" for _, doc in members}),
        "regions": sorted({region.region_kato for _, doc in members for region in doc.regions}),
        "peak_tension": max(tensions) if tensions else None,
        "timeline": dict(sorted(timeline.items())),
    }


def story_detail(session: Session, scope: RegionScope, story_id: str) -> dict[str, Any]:
    """One story: its visible documents by language, with evidence; timeline, regions, claims."""
    if not story_id.isdigit():
        raise not_found(f"story {story_id}")
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
    summary = _summary_of_members(story, members)
    documents = []
    for member, row in members:
        detail = queries.document_detail(row)
        documents.append(
            {
                **queries.document_card(row),
                "seen_at": _aware(member.seen_at).isoformat(),
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
        ],
        "discrepancies": [
            {
                "subject": d.subject,
                "kind": d.kind,
                "documents": [int(d.first.document), int(d.second.document)],
                "values": [d.first.text, d.second.text],
            }
            for d in find_discrepancies(claims)
        ],
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    return _aware(moment).isoformat() if moment is not None else None
