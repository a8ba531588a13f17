"""Stories by time window, in parallel, with the result of one process linking in time order.

The linker assigns each batch against the stored documents of the ``window_hours`` (72 h)
before it, with their stories as they are then; so a batch's stories depend on everything
linked before it. The windows here are cut at batch boundaries of the same time-ordered list
``passes.link_unlinked`` links, and run in parallel, each in a state of its own:

1. **Plan** (``plan``): the unlinked documents in the order they were seen, in the batches of
   ``link_unlinked``; about ``parts`` windows of whole batches, a window only when it spans at
   least the lead-in (shorter windows would cost more than they save). Each window but the
   first starts with a **lead-in**: the batches of the ``lead`` (two linker spans) before it.
2. **Link** (``link_window``, on a worker): in one transaction on one connection, the tables
   the linker writes (``documents``, ``story_members``, ``stories``, ``claims``) are shadowed by
   temporary copies (PostgreSQL looks up ``pg_temp`` first) holding the window's documents and
   the stories already stored around it; the linker links the lead-in batches, then the
   window's own; what it made is read back and the transaction rolled back — the shared tables
   are only read, so windows never wait on each other.
3. **Merge** (``merge``, in window order, each in a transaction): the state the window's linker
   had at the window's start (every document seen in the span before it: its story, its
   near-duplicate group, whether it has the model's vector) must equal the stored state the
   windows before it left, up to the names of stories and groups. When it does, the window's
   assignments are exactly those of one process, and are stored with its story and group
   names mapped onto the stored ones (a story crossing the boundary stays one story); the
   aggregates of every story it touched are rebuilt from its members. When it does not (a
   story chained further back than the lead-in), ``merge`` returns None and the window is
   linked again with no lead-in against the stored state (``exact``): the same result, later.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session, selectinload

from birlik.store.models import DocumentRow
from birlik.store.models_stories import ClaimRow, StoryMemberRow, StoryRow
from birlik.store.repository import Store
from birlik.store.types import as_utc
from birlik.stories.clusterer import ClusterSettings
from birlik.stories.service import StoryLinker, grow_story

LEAD_SPANS = 2.0
"""The lead-in of a window, in linker spans: one to hold every document its first batch sees,
one more for the stories of those documents to settle as they would after the whole history."""

State = dict[int, tuple[int, int, bool, str | None]]
"""Document id → (story, near-duplicate group, has the model's vector, its embedder)."""


@dataclass(frozen=True, slots=True)
class Window:
    index: int
    lead: list[list[int]]
    """Batches (document ids) linked only to rebuild the state at ``start``."""
    core: list[list[int]]
    """The window's own batches: what it stores."""
    start: datetime
    """When the first document of ``core`` was seen."""
    first: datetime
    """When the first document of ``lead`` (else of ``core``) was seen."""
    last: datetime
    """When the last document of ``core`` was seen."""
    exact: bool = False
    """Linked against the stored state (the windows before it merged): no lead-in."""

    @property
    def documents(self) -> int:
        return sum(len(batch) for batch in self.core)


@dataclass(slots=True)
class WindowResult:
    index: int
    exact: bool
    start: datetime
    high: datetime
    span: timedelta
    boundary: State
    members: list[dict[str, Any]] = field(default_factory=list)
    stories: dict[int, tuple[str | None, int | None]] = field(default_factory=dict)
    """Story id (in the window's state) → title and representative document."""
    copied: set[int] = field(default_factory=set)
    """Stories copied from the stored state (their ids are the stored ones)."""
    claims: list[dict[str, Any]] = field(default_factory=list)
    upgrades: list[tuple[int, Any, str | None, bytes | None]] = field(default_factory=list)
    """Documents the model confirmed: id, vector, embedder, story-member vector bytes."""
    lead_documents: int = 0


def unlinked_seen(store: Store) -> list[tuple[datetime, int]]:
    """(seen, id) of the stored documents without a story, in the order ``link_unlinked`` links."""
    from birlik.scale.passes import _seen

    query = (
        select(DocumentRow.id, DocumentRow.published_at, DocumentRow.date_flag, DocumentRow.fetched_at)
        .outerjoin(StoryMemberRow, StoryMemberRow.document_id == DocumentRow.id)
        .where(StoryMemberRow.document_id.is_(None))
    )
    with store.transaction() as session:
        return sorted((_seen(p, f, t), i) for i, p, f, t in session.execute(query))


MAX_WINDOW_DOCUMENTS = 100_000
"""A window links at most about this many documents of its own: its result (about 2 KB a
document, the linker's vectors) travels from the worker to the client in one message."""


def plan(
    store: Store, batch: int, parts: int, lead: timedelta | None = None, *,
    most: int = MAX_WINDOW_DOCUMENTS,
) -> list[Window]:
    """The windows of the unlinked documents (see the module doc): about ``parts`` of them,
    more when a window would hold more than ``most`` documents — but none shorter in time
    than its lead-in, which prevails."""
    if lead is None:
        lead = timedelta(hours=ClusterSettings().window_hours * LEAD_SPANS)
    found = unlinked_seen(store)
    batches = [found[first : first + batch] for first in range(0, len(found), batch)]
    if not batches:
        return []
    count = len(batches)
    parts = max(parts, -(-len(found) // max(most, 1)))

    def spans(low: int, high: int) -> timedelta:
        return batches[high - 1][-1][0] - batches[low][0][0]

    kept, previous = [], 0
    for cut in sorted({round(count * k / max(parts, 1)) for k in range(1, max(parts, 1))} - {0, count}):
        if spans(previous, cut) >= lead and spans(cut, count) >= lead:
            kept.append(cut)
            previous = cut
    bounds = [0, *kept, count]
    windows = []
    for index, (low, high) in enumerate(itertools.pairwise(bounds)):
        start = batches[low][0][0]
        first = low
        while first > 0 and batches[first - 1][-1][0] >= start - lead:
            first -= 1
        windows.append(
            Window(
                index=index,
                lead=[[i for _, i in chunk] for chunk in batches[first:low]],
                core=[[i for _, i in chunk] for chunk in batches[low:high]],
                start=start,
                first=batches[first][0][0],
                last=batches[high - 1][-1][0],
            )
        )
    return windows


def exact(window: Window) -> Window:
    """The window without its lead-in, to link against the stored state."""
    return Window(
        index=window.index, lead=[], core=window.core, start=window.start, first=window.start,
        last=window.last, exact=True,
    )


# --- on a worker ------------------------------------------------------------------------


def link_window(store: Store, linker: StoryLinker, window: Window) -> WindowResult:
    """Link the window's lead-in and batches in a state of its own; nothing stored."""
    span = timedelta(hours=linker.settings.window_hours)
    low, high = window.first - span, window.last + span
    core = [i for chunk in window.core for i in chunk]
    with store.engine.connect() as connection:
        transaction = connection.begin()
        try:
            copied = _shadow(connection, [i for chunk in window.lead for i in chunk] + core, low, high)
            session = Session(bind=connection, autoflush=True, expire_on_commit=False)
            for chunk in window.lead:
                _assign(session, linker, chunk, with_claims=False)
            boundary = _state(session, window.start - span, high, set(core))
            for chunk in window.core:
                _assign(session, linker, chunk, with_claims=True)
            result = WindowResult(
                index=window.index, exact=window.exact, start=window.start, high=high, span=span,
                boundary=boundary, copied=copied,
                lead_documents=sum(len(chunk) for chunk in window.lead),
            )
            _read_back(session, connection, result, core)
            session.close()
        finally:
            transaction.rollback()
    return result


def _shadow(connection: Connection, ids: list[int], low: datetime, high: datetime) -> set[int]:
    """Temporary copies of the tables the linker writes, with the window's documents and the
    stories stored around it; returns the ids of the stories copied."""
    schema = connection.scalar(text("SELECT current_schema()"))
    shared = f'"{schema}"'
    where = {"low": low, "high": high}
    connection.execute(
        text(
            "CREATE TEMP TABLE story_members ON COMMIT DROP AS SELECT * FROM "
            f"{shared}.story_members WHERE seen_at >= :low AND seen_at <= :high"
        ),
        where,
    )
    connection.execute(text("CREATE UNIQUE INDEX ON story_members (document_id)"))
    connection.execute(text("CREATE INDEX ON story_members (seen_at)"))
    connection.execute(
        text(f"CREATE TEMP TABLE stories (LIKE {shared}.stories INCLUDING DEFAULTS) ON COMMIT DROP")
    )
    connection.execute(
        text(
            f"INSERT INTO stories SELECT * FROM {shared}.stories "
            "WHERE id IN (SELECT story_id FROM story_members)"
        )
    )
    connection.execute(
        text(f"CREATE TEMP TABLE claims (LIKE {shared}.claims INCLUDING DEFAULTS) ON COMMIT DROP")
    )
    connection.execute(
        text(
            f"CREATE TEMP TABLE documents ON COMMIT DROP AS SELECT * FROM {shared}.documents "
            "WHERE id = ANY(:ids) OR id IN (SELECT document_id FROM story_members)"
        ),
        {"ids": ids},
    )
    connection.execute(text("CREATE UNIQUE INDEX ON documents (id)"))
    connection.execute(
        text("CREATE TEMP TABLE window_models ON COMMIT DROP AS SELECT id, embedding_model FROM documents")
    )
    return set(connection.scalars(text("SELECT id FROM stories")))


def _assign(session: Session, linker: StoryLinker, ids: Sequence[int], *, with_claims: bool) -> None:
    """One batch, as ``passes.link_unlinked`` links it."""
    rows = session.scalars(
        select(DocumentRow)
        .where(DocumentRow.id.in_(list(ids)))
        .options(selectinload(DocumentRow.mentions), selectinload(DocumentRow.regions))
    )
    by_id = {row.id: row for row in rows}
    linker.assign(session, [by_id[i] for i in ids if i in by_id], with_claims=with_claims)
    session.flush()
    session.expunge_all()  # as a fresh session per batch: the state is in the tables


def _state(session: Session, low: datetime, high: datetime, exclude: set[int]) -> State:
    """Every linked document seen from ``low`` to ``high``: its story, group and vector."""
    query = (
        select(
            StoryMemberRow.document_id, StoryMemberRow.story_id, StoryMemberRow.dup_group,
            StoryMemberRow.embedding.is_not(None), DocumentRow.embedding_model,
        )
        .join(DocumentRow, DocumentRow.id == StoryMemberRow.document_id)
        .where(StoryMemberRow.seen_at >= low, StoryMemberRow.seen_at <= high)
    )
    return {
        int(i): (int(story), int(group), bool(model), embedder)
        for i, story, group, model, embedder in session.execute(query)
        if i not in exclude
    }


def _read_back(session: Session, connection: Connection, result: WindowResult, core: list[int]) -> None:
    members = list(session.scalars(select(StoryMemberRow).where(StoryMemberRow.document_id.in_(core))))
    columns = [column.key for column in StoryMemberRow.__table__.columns]
    result.members = [{name: getattr(member, name) for name in columns} for member in members]
    story_ids = {member.story_id for member in members}
    result.stories = {
        row.id: (row.title, row.representative_id)
        for row in session.scalars(select(StoryRow).where(StoryRow.id.in_(story_ids)))
    }
    claim_columns = [column.key for column in ClaimRow.__table__.columns if column.key != "id"]
    result.claims = [
        {name: getattr(claim, name) for name in claim_columns}
        for claim in session.scalars(
            select(ClaimRow).where(ClaimRow.document_id.in_(core)).order_by(ClaimRow.id)
        )
    ]
    changed = list(
        connection.scalars(
            text(
                "SELECT d.id FROM documents d JOIN window_models w ON w.id = d.id "
                "WHERE d.embedding_model IS DISTINCT FROM w.embedding_model ORDER BY d.id"
            )
        )
    )
    for row in session.scalars(select(DocumentRow).where(DocumentRow.id.in_(changed))):
        member = session.get(StoryMemberRow, row.id)
        vector = member.embedding if member else None
        result.upgrades.append((row.id, row.embedding, row.embedding_model, vector))


# --- in the client, window after window ---------------------------------------------------


def _matching(local: State, stored: State) -> tuple[dict[int, int], dict[int, int]] | None:
    """Story and group names of the window's state → the stored ones, when the two states are
    the same up to names; else None."""
    if local.keys() != stored.keys():
        return None
    stories: dict[int, int] = {}
    groups: dict[int, int] = {}
    back_stories: dict[int, int] = {}
    back_groups: dict[int, int] = {}
    for document_id, (story, group, model, embedder) in local.items():
        true_story, true_group, true_model, true_embedder = stored[document_id]
        if (model, embedder) != (true_model, true_embedder):
            return None
        if stories.setdefault(story, true_story) != true_story:
            return None
        if back_stories.setdefault(true_story, story) != story:
            return None
        if groups.setdefault(group, true_group) != true_group:
            return None
        if back_groups.setdefault(true_group, group) != group:
            return None
    return stories, groups


def merge(store: Store, result: WindowResult) -> int | None:
    """Store the window's stories (see the module doc); None when its state at its start is not
    the stored one (nothing stored: link it again with ``exact``)."""
    core = {int(member["document_id"]) for member in result.members}
    with store.transaction(write=True) as session:
        stored = _state(session, result.start - result.span, result.high, core)
        maps = _matching(result.boundary, stored)
        if maps is None:
            if result.exact:
                raise RuntimeError(
                    f"stories: window {result.index}, linked against the stored state, differs from it"
                )
            return None
        story_map, group_map = maps
        firsts: dict[int, datetime] = {}
        for member in sorted(result.members, key=lambda m: (as_utc(m["seen_at"]), m["document_id"])):
            firsts.setdefault(int(member["story_id"]), as_utc(member["seen_at"]))
        for local, moment in sorted(firsts.items(), key=lambda pair: (pair[1], pair[0])):
            if local in story_map:
                continue
            if local in result.copied:
                story_map[local] = local
                continue
            title, representative = result.stories[local]
            story = StoryRow(
                title=title, representative_id=representative, first_seen=moment, last_seen=moment,
                doc_count=0, duplicate_count=0, outlets={}, langs=[], regions=[], timeline={},
            )
            session.add(story)
            session.flush()
            story_map[local] = story.id
        for member in result.members:
            row = dict(member)
            row["story_id"] = story_map[int(member["story_id"])]
            row["dup_group"] = group_map.get(int(member["dup_group"]), int(member["dup_group"]))
            session.add(StoryMemberRow(**row))
        session.flush()
        for document_id, vector, embedder, member_bytes in result.upgrades:
            document = session.get(DocumentRow, document_id)
            if document is not None:
                document.embedding, document.embedding_model = vector, embedder
            if document_id not in core:
                stored_member = session.get(StoryMemberRow, document_id)
                if stored_member is not None and member_bytes is not None:
                    stored_member.embedding = member_bytes
        for claim in result.claims:
            session.add(ClaimRow(**claim))
        _rebuild(session, {story_map[int(m["story_id"])] for m in result.members})
    return len(result.members)


def _rebuild(session: Session, story_ids: set[int]) -> None:
    """The aggregates of these stories from all their stored members, in the order seen."""
    if not story_ids:
        return
    session.flush()
    pairs = session.execute(
        select(StoryMemberRow, DocumentRow)
        .join(DocumentRow, DocumentRow.id == StoryMemberRow.document_id)
        .where(StoryMemberRow.story_id.in_(story_ids))
        .order_by(StoryMemberRow.seen_at, StoryMemberRow.document_id)
        .options(selectinload(DocumentRow.regions))
    )
    members: dict[int, list[tuple[StoryMemberRow, DocumentRow]]] = {}
    for member, row in pairs:
        members.setdefault(member.story_id, []).append((member, row))
    for story in session.scalars(select(StoryRow).where(StoryRow.id.in_(story_ids))):
        found = members.get(story.id, [])
        if not found:
            continue
        moment = as_utc(found[0][0].seen_at)
        story.first_seen = story.last_seen = moment
        story.doc_count, story.duplicate_count = 0, 0
        story.outlets, story.langs, story.regions, story.timeline = {}, [], [], {}
        story.peak_tension = None
        for member, row in found:
            grow_story(story, row, as_utc(member.seen_at), duplicate=not member.canonical)
