"""Helpers of the scale tests (tests/scale): a generated time-ordered corpus with reprints and exact
duplicates, the lighter stage list both sides run, and what is compared after a run."""

from __future__ import annotations

import json
import random
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select

from birlik.store.models import DocumentRow
from birlik.store.models_signals import IndicatorRow, SourceVolumeRow
from birlik.store.models_stories import StoryMemberRow
from birlik.store.repository import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from corpus import GROUPS_KK, GROUPS_RU, KK, PLACES_KK, PLACES_RU, RU

#: The stages both the backfill and the reference ingest run (registered names): entities and
#: regions, what stories and indicators read; the signal stages add minutes, not coverage.
LIGHT = (
    "normalise.v1", "langid.v1", "segment.v1", "lemma.v1", "ethnic.v1", "places.v1", "orgs.v1",
    "regions.v1", "entities.v1",
)
FIELDS = {"fields": {"time": "published_at"}}
_REPRINT = ("ЖАҢАЛЫҚ:", "Новость:", "Хабарлама:", "Сообщают:")


def corpus(count: int, seed: int = 3) -> list[dict[str, Any]]:
    """``count`` news items in time order: events reported by 1–3 outlets (reprints with a
    prefix: near-duplicates). Exact duplicates come from a second export holding some of
    the same items (``write(path, items[a:b])``)."""
    rng = random.Random(seed)
    moment = datetime(2026, 3, 1, 8, tzinfo=timezone(timedelta(hours=5)))
    items: list[dict[str, Any]] = []
    while len(items) < count:
        kazakh = rng.random() < 0.5
        templates, places, groups = (KK, PLACES_KK, GROUPS_KK) if kazakh else (RU, PLACES_RU, GROUPS_RU)
        base = " ".join(
            rng.choice(templates).format(
                place=rng.choice(places), group=rng.choice(groups), n=rng.randint(5, 5000)
            )
            for _ in range(5)
        )
        prefixes = rng.sample(_REPRINT, len(_REPRINT))  # each reprint its own: no exact copy
        for copy in range(rng.choice((1, 1, 2, 3))):
            if len(items) >= count:
                break
            moment += timedelta(minutes=rng.randint(3, 45))
            index = len(items)
            text = base if copy == 0 else f"{prefixes[copy]} {base}"
            outlet = rng.randrange(12)
            items.append({
                "id": f"doc-{index}", "title": text[:70], "text": text,
                "published_at": moment.isoformat(), "source": f"outlet-{outlet}",
                "url": f"https://outlet-{outlet}.example/news/{index}",
            })
    return items


def write(path: Path, items: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return path


def distinct_texts(items: list[dict[str, Any]]) -> int:
    return len({item["text"] for item in items})


def snapshot(store: Store) -> dict[str, Any]:
    """What must be equal after a backfill and a single-process ingest of the same corpus:
    documents (by content hash), stories and near-duplicate groups as sets of documents,
    indicators and source volumes."""
    with store.transaction() as session:
        docs = {int(i): str(h) for i, h in session.execute(select(DocumentRow.id, DocumentRow.content_hash))}
        stories: dict[int, set[str]] = {}
        groups: dict[int, set[str]] = {}
        for member in session.scalars(select(StoryMemberRow)):
            stories.setdefault(member.story_id, set()).add(docs[member.document_id])
            groups.setdefault(member.dup_group, set()).add(docs[member.document_id])
        indicators = {
            (row.region_kato, row.day, row.metric):
                (round(row.count, 6), round(row.volume, 6), round(row.value, 9))
            for row in session.scalars(select(IndicatorRow))
        }
        volumes = {
            (row.source_key, row.region_kato, row.day): row.documents
            for row in session.scalars(select(SourceVolumeRow))
        }
    return {
        "documents": sorted(docs.values()),
        "stories": {frozenset(members) for members in stories.values()},
        "groups": {frozenset(members) for members in groups.values()},
        "indicators": indicators,
        "volumes": volumes,
    }


@contextmanager
def another_database(server: str) -> Iterator[str]:
    """A second fresh database on the server of ``postgres_url`` (a reference to compare with)."""
    import psycopg

    base, _ = server.rsplit("/", 1)
    name = f"birlik_{uuid.uuid4().hex[:10]}"
    admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
