"""Storage per million documents in PostgreSQL, and the web app's queries on such a store.

    python bench/bench_storage.py fill --db URL --database birlik_cap1m --docs 1000000
        [--templates 800] [--days 120] [--corpus realistic|worst]
    python bench/bench_storage.py sizes --db URL --database birlik_cap1m
    python bench/bench_storage.py queries --db URL --database birlik_cap1m [--runs 9]
    python bench/bench_storage.py drop --db URL --database birlik_cap1m

``fill`` creates the database (dropped first if it exists), migrates it with the project's own
alembic revisions (pgvector, the HNSW and GIN indexes), drops the secondary indexes and the
foreign keys of the tables it loads, loads them with ``COPY`` (psycopg), then creates those
indexes and constraints again from their saved definitions (each timed), and runs ``VACUUM
ANALYZE``. The documents are shaped like analysed ones: a few hundred ``templates`` — real
kk/ru/en texts (``bench/corpus.py``, ``realistic``) run through the declared pipeline with its
signal stages and embedder — are combined into news items (several templates of one language,
a log-normal length of median ``NEWS_MEDIAN_CHARS``) and posts (one short template), with the
templates' mentions, region links, signal rows (evidence and all), claims, stage versions and
vector (a salient document's model vector, another's static one, each moved by noise and
normalised again). One word in ``TAIL_SHARE`` is replaced by a word of the same length drawn
from a Zipf vocabulary, so that the full-text index sees a long tail of rare words as news
does. Every document is in a story (most alone, ``JOIN_SHARE`` joining a recent one), publication
times spread over ``--days`` in id order, sources, alerts and indicators per region and day.

``sizes`` prints, per table: rows, heap, indexes (each one too), TOAST, and bytes per million
documents. ``queries`` times the query layer's own functions (``birlik.query``) as the pages call
them, for an administrator and a coordinator of three regions, and prints ``EXPLAIN (ANALYZE,
BUFFERS)`` of the slowest SQL statement of the slowest ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from birlik.store.db import make_engine, migrate
from birlik.store.repository import Provenance, document_values, mention_values, region_values, signal_values

NEWS_SHARE = 0.5
"""Documents that are news items (the rest are posts and comments)."""
NEWS_MEDIAN_CHARS = 1800
NEWS_SIGMA = 0.6
NEWS_MAX_CHARS = 20_000
TAIL_SHARE = 10
"""One word in this many is replaced by a word of the long-tail vocabulary."""
TAIL_WORDS = 40_000
"""Generated word forms per word length in the long-tail vocabulary (Zipf ranks)."""
JOIN_SHARE = 0.35
"""Documents that join a recent story rather than open one."""
DUPLICATE_SHARE = 0.1
"""Members of a story that are a near-duplicate of its first document."""
OUTLETS = 400
BATCH = 5000
LOADED_TABLES = (
    "sources",
    "documents",
    "mentions",
    "document_signals",
    "document_regions",
    "stories",
    "story_members",
    "claims",
    "indicators",
    "source_volumes",
    "alerts",
)
KATO_REGIONS = (
    "750000000", "710000000", "790000000", "110000000", "150000000", "190000000", "230000000",
    "270000000", "310000000", "350000000", "390000000", "430000000", "470000000", "550000000",
    "590000000", "610000000", "620000000", "630000000", "100000000", "330000000",
)
COORDINATOR = ("310000000", "750000000", "550000000")


# --- templates ---------------------------------------------------------------------------


@dataclass(slots=True)
class Template:
    """One analysed document, as the store would write it (``store.repository``'s values)."""

    kind: str
    lang: str
    title: str
    text: str
    words: list[tuple[int, int]]
    document: dict[str, Any]
    mentions: list[dict[str, Any]]
    signals: list[dict[str, Any]]
    regions: list[dict[str, Any]]
    claims: list[dict[str, Any]] = field(default_factory=list)
    vector: npt.NDArray[np.float32] | None = None


WORD = re.compile(r"\w{3,14}")


def analysed_templates(count: int, corpus: str, signals: bool = True) -> list[Template]:
    """``count`` documents of the bench corpus through the declared pipeline (cached in /tmp)."""
    cache = Path(f"/tmp/birlik-storage-templates-{corpus}-{count}-{int(signals)}.pickle")
    if cache.exists():
        loaded: list[Template] = pickle.loads(cache.read_bytes())
        return loaded
    from corpus import corpus_documents

    from birlik.nlp.jsonl import document_from_json
    from birlik.runtime import Runtime
    from birlik.settings import Settings

    raw = list(corpus_documents(corpus, count))
    pipeline = Runtime(Settings()).pipeline(signals=signals)
    docs = [document_from_json(d, i) for i, d in enumerate(raw)]
    out: list[Template] = []
    for offset in range(0, len(docs), 64):
        for doc, item in zip(pipeline(docs[offset : offset + 64]), raw[offset : offset + 64], strict=True):
            out.append(template_of(doc, str(item.get("source", "demo")).rsplit("-", 1)[0]))
    cache.write_bytes(pickle.dumps(out))
    return out


def template_of(doc: Any, kind: str) -> Template:
    values = document_values(doc, Provenance(ext_id="", content_hash=""))
    vector = values.pop("embedding")
    claims = [
        {
            "subject": c.subject[:80], "subject_text": c.subject_text, "unit": c.unit, "value": c.value,
            "qualifier": c.qualifier, "text": c.text, "start": c.start, "end": c.end,
            "sentence": c.sentence, "period": c.period,
            "region_kato": c.region,  # a KATO code or a world place's id (migration 0014)
        }
        for c in (doc.claims or [])
    ]
    return Template(
        kind=kind,
        lang=values["lang"],
        title=doc.title or "",
        text=doc.text,
        words=[m.span() for m in WORD.finditer(doc.text)],
        document=values,
        mentions=mention_values(doc),
        signals=signal_values(doc),
        regions=region_values(doc),
        claims=claims,
        vector=None if vector is None else np.asarray(vector, dtype=np.float32),
    )


# --- generation ----------------------------------------------------------------------------


class Generator:
    """Documents and their child rows, deterministic for a seed; ids 1..count in time order."""

    def __init__(
        self, templates: Sequence[Template], count: int, days: int, seed: int = 7,
        tail_words: int = TAIL_WORDS,
    ) -> None:
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.count = count
        self.end = datetime(2026, 12, 1, tzinfo=UTC)
        self.start = self.end - timedelta(days=days)
        self.by_lang: dict[str, list[Template]] = {}
        for template in templates:
            self.by_lang.setdefault(template.lang, []).append(template)
        self.langs = sorted(self.by_lang)
        self.lang_weights = [len(self.by_lang[lang]) for lang in self.langs]
        self.short = [t for t in templates if len(t.text) <= 700] or list(templates)
        self.tail = _tail_vocabulary(self.rng, tail_words)
        self.outlets = [f"outlet-{i:03d}.kz" for i in range(OUTLETS)]
        self.outlet_weights = [1 / (i + 1) for i in range(OUTLETS)]
        self.outlet_ids = {name: i + 1 for i, name in enumerate(self.outlets)}
        self.story_next = 1
        self.open: list[dict[str, Any]] = []
        self.stories_done: list[dict[str, Any]] = []
        self.volumes: Counter[tuple[str, str, date]] = Counter()
        self.indicators: Counter[tuple[str, date, str]] = Counter()

    def batch(self, first: int, last: int) -> dict[str, list[tuple[Any, ...]]]:
        rows: dict[str, list[tuple[Any, ...]]] = {
            "documents": [], "mentions": [], "document_signals": [], "document_regions": [],
            "story_members": [], "claims": [],
        }
        span = (self.end - self.start).total_seconds()
        for doc_id in range(first, last):
            moment = self.start + timedelta(seconds=span * (doc_id - 1) / self.count)
            published = moment - timedelta(minutes=self.rng.randrange(0, 180))
            self._document(doc_id, published, moment, rows)
        rows["stories"] = [_story_row(s) for s in self._closed(first)]
        return rows

    def _document(self, doc_id: int, published: datetime, fetched: datetime,
                  rows: dict[str, list[tuple[Any, ...]]]) -> None:
        news = self.rng.random() < NEWS_SHARE
        if news:
            lang = self.rng.choices(self.langs, self.lang_weights)[0]
            target = min(NEWS_MAX_CHARS, int(NEWS_MEDIAN_CHARS * math.exp(self.rng.gauss(0, NEWS_SIGMA))))
            parts = [self.rng.choice(self.by_lang[lang])]
            while sum(len(p.text) + 2 for p in parts) < target:
                parts.append(self.rng.choice(self.by_lang[lang]))
        else:
            parts = [self.rng.choice(self.short)]
        first = parts[0]
        pieces, mentions, claims, offset = [], [], [], 0
        regions: dict[str, float] = {}
        for part in parts:
            pieces.append(self._tail_words(part))
            mentions += [m | {"start": m["start"] + offset, "end": m["end"] + offset} for m in part.mentions]
            claims += [c | {"start": c["start"] + offset, "end": c["end"] + offset} for c in part.claims]
            for region in part.regions:
                kato = region["region_kato"]
                regions[kato] = max(regions.get(kato, 0.0), region["confidence"])
            offset += len(pieces[-1]) + 2
        body = "\n\n".join(pieces)
        outlet = self.rng.choices(self.outlets, self.outlet_weights)[0]
        values = first.document
        title = (first.title or body[:100]) if news else None
        vector = self._vector(first.vector)
        post = not news
        rows["documents"].append((
            doc_id, self.outlet_ids[outlet], f"{outlet}/{doc_id}", f"https://{outlet}/{doc_id}",
            f"https://{outlet}/{doc_id}", hashlib.sha256(str(doc_id).encode()).hexdigest(), outlet, title,
            body, values["lang"], json.dumps(values["langs"]), published, None, fetched,
            f"p{doc_id % 99991:05d}" if post else None, self.rng.choice(["telegram", "vk"]) if post else None,
            "{}", values["tension"], values["hate"], values["incident"],
            None if vector is None else _vector_text(vector),
            values["embedding_model"] if vector is not None else None,
            json.dumps(values["stages"]),
        ))
        rows["mentions"] += [
            (doc_id, m["start"], m["end"], m["text"], m["type"], m["entity_id"], m["derogatory"])
            for m in mentions
        ]
        rows["document_signals"] += [
            (doc_id, s["name"], s["score"], s["label"], json.dumps(s["labels"], ensure_ascii=False),
             json.dumps(s["evidence"], ensure_ascii=False), json.dumps(s["reasons"])) for s in first.signals
        ]
        rows["document_regions"] += [(doc_id, kato, conf) for kato, conf in regions.items()]
        rows["claims"] += [
            (doc_id, c["subject"], c["subject_text"], c["unit"], c["value"], c["qualifier"], c["text"],
             c["start"], c["end"], c["sentence"], c["period"], c["region_kato"], outlet, values["lang"],
             published)
            for c in claims
        ]
        member = self._member(doc_id, published, outlet, values, list(regions), vector, title or body)
        rows["story_members"].append(member)
        day = published.date()
        for kato in [*regions, "KZ"]:
            self.volumes[(outlet, kato, day)] += 1
            self._indicators(kato, day, values, mentions)

    def _indicators(
        self, kato: str, day: date, values: dict[str, Any], mentions: list[dict[str, Any]]
    ) -> None:
        self.indicators[(kato, day, "docs")] += 1
        groups = {m["entity_id"] for m in mentions if m["type"] == "ETHNIC_GROUP" and m["entity_id"]}
        if groups:
            self.indicators[(kato, day, "ethnic_docs")] += 1
            for group in groups:
                self.indicators[(kato, day, f"ethnic:{group}")] += 1
        if values["tension"] is not None:
            self.indicators[(kato, day, "tension")] += values["tension"]
        if values["incident"]:
            self.indicators[(kato, day, f"incident:{values['incident']}")] += 1

    def _member(self, doc_id: int, seen: datetime, outlet: str, values: dict[str, Any], regions: list[str],
                vector: npt.NDArray[np.float32] | None, title: str) -> tuple[Any, ...]:
        joins = bool(self.open) and self.rng.random() < JOIN_SHARE
        if joins:
            story = self.rng.choice(self.open[-200:])
        else:
            story = {
                "id": self.story_next, "title": title[:200], "representative_id": doc_id, "first_seen": seen,
                "last_seen": seen, "doc_count": 0, "duplicate_count": 0, "outlets": Counter(),
                "langs": set(), "regions": set(), "peak_tension": None, "timeline": {}, "first": doc_id,
            }
            self.story_next += 1
            self.open.append(story)
        duplicate = joins and self.rng.random() < DUPLICATE_SHARE
        story["doc_count"] += 1
        story["duplicate_count"] += int(duplicate)
        story["last_seen"] = max(story["last_seen"], seen)
        story["outlets"][outlet] += 1
        story["langs"].add(values["lang"])
        story["regions"].update(regions)
        tension = values["tension"]
        if tension is not None:
            story["peak_tension"] = max(story["peak_tension"] or 0.0, tension)
        entry = story["timeline"].setdefault(seen.date().isoformat(), {"docs": 0, "tension": None})
        entry["docs"] += 1
        if tension is not None:
            entry["tension"] = max(entry["tension"] or 0.0, tension)
        model = vector is not None and len(vector) == 384
        return (
            doc_id, story["id"], story["first"] if duplicate else doc_id, not duplicate,
            story["first"] if joins else None, round(self.rng.uniform(0.6, 1.0), 4) if joins else 0.0, seen,
            vector.astype(np.float32).tobytes() if model and vector is not None else None,
        )

    def _closed(self, first: int) -> list[dict[str, Any]]:
        if first > self.count:  # the end: every story
            done, self.open = self.open, []
            return done
        keep = self.open[-400:]
        done = self.open[:-400]
        self.open = keep
        return done

    def _tail_words(self, template: Template) -> str:
        if not template.words:
            return template.text
        picks = sorted(self.rng.sample(template.words, max(1, len(template.words) // TAIL_SHARE)))
        out, cursor = [], 0
        for start, end in picks:
            words = self.tail[end - start]
            rank = min(len(words), int(self.np.zipf(1.15))) - 1
            out += [template.text[cursor:start], words[rank]]
            cursor = end
        out.append(template.text[cursor:])
        return "".join(out)

    def _vector(self, vector: npt.NDArray[np.float32] | None) -> npt.NDArray[np.float32] | None:
        if vector is None:
            return None
        moved = vector + self.np.normal(0.0, 0.6 / math.sqrt(len(vector)), len(vector)).astype(np.float32)
        return np.asarray(moved / np.linalg.norm(moved), dtype=np.float32)


def _tail_vocabulary(rng: random.Random, count: int) -> dict[int, list[str]]:
    letters = "абвгдежзийклмнопрстуфхцчшщыэюяәғқңөұүһі"
    return {
        length: ["".join(rng.choices(letters, k=length)) for _ in range(count)]
        for length in range(3, 15)
    }


def _vector_text(vector: npt.NDArray[np.float32]) -> str:
    return "[" + ",".join(f"{x:.5f}" for x in vector.tolist()) + "]"


def _story_row(story: dict[str, Any]) -> tuple[Any, ...]:
    return (
        story["id"], story["title"], story["representative_id"], story["first_seen"], story["last_seen"],
        story["doc_count"], story["duplicate_count"], json.dumps(dict(story["outlets"])),
        json.dumps(sorted(story["langs"])), json.dumps(sorted(story["regions"])), story["peak_tension"],
        json.dumps(story["timeline"]), story["last_seen"],
    )


COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": (
        "id", "source_id", "ext_id", "url", "canonical_url", "content_hash", "outlet", "title", "text",
        "lang", "langs", "published_at", "date_flag", "fetched_at", "author", "platform", "extra", "tension",
        "hate", "incident", "embedding", "embedding_model", "stages",
    ),
    "mentions": ("document_id", "start", "end", "text", "type", "entity_id", "derogatory"),
    "document_signals": ("document_id", "name", "score", "label", "labels", "evidence", "reasons"),
    "document_regions": ("document_id", "region_kato", "confidence"),
    "story_members": (
        "document_id", "story_id", "dup_group", "canonical", "linked_to", "score", "seen_at", "embedding",
    ),
    "stories": (
        "id", "title", "representative_id", "first_seen", "last_seen", "doc_count", "duplicate_count",
        "outlets", "langs", "regions", "peak_tension", "timeline", "updated_at",
    ),
    "claims": (
        "document_id", "subject", "subject_text", "unit", "value", "qualifier", "text", "start", "end",
        "sentence", "period", "region_kato", "source", "lang", "published_at",
    ),
    "sources": (
        "id", "name", "kind", "location", "options", "state", "poll_interval", "enabled", "created_at",
    ),
    "indicators": ("region_kato", "day", "metric", "count", "volume", "value"),
    "source_volumes": ("source_key", "region_kato", "day", "documents"),
    "alerts": (
        "id", "key", "kind", "subject", "region_kato", "metric", "first_day", "last_day", "severity",
        "status", "title", "details", "occurrences", "created_at", "updated_at",
    ),
}


# --- loading ---------------------------------------------------------------------------------


def server_url(base: str, database: str) -> str:
    return make_url(base).set(database=database).render_as_string(hide_password=False)


def create_database(base: str, database: str) -> None:
    engine = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
    engine.dispose()


def drop_database(base: str, database: str) -> None:
    engine = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    engine.dispose()


def detach(engine: Engine) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Drop the secondary indexes and the foreign keys of the loaded tables; their definitions."""
    names = ", ".join(f"'{t}'" for t in LOADED_TABLES)
    with engine.begin() as connection:
        indexes = connection.execute(text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
            f"AND i.tablename IN ({names}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname)"
        )).all()
        foreign = connection.execute(text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            f"WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ({names})"
        )).all()
        for table, name, _ in foreign:
            connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [str(d) for _, d in indexes], [(str(t), str(n), str(d)) for t, n, d in foreign]


def attach(
    engine: Engine, indexes: list[str], foreign: list[tuple[str, str, str]], progress: bool = True
) -> dict[str, float]:
    timings: dict[str, float] = {}
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("SET maintenance_work_mem = '3GB'")
        connection.exec_driver_sql("SET max_parallel_maintenance_workers = 1")
        for definition in indexes:
            started = time.perf_counter()
            connection.exec_driver_sql(definition)
            name = definition.split(" ON ")[0].split()[-1]
            timings[name] = round(time.perf_counter() - started, 1)
            if progress:
                print(f"  index {name}: {timings[name]} s", flush=True)
        for table, name, definition in foreign:
            started = time.perf_counter()
            connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            timings[name] = round(time.perf_counter() - started, 1)
    return timings


def copy_rows(raw: Any, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    columns = ", ".join(f'"{c}"' for c in COLUMNS[table])
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def fill(base: str, database: str, count: int, templates: Sequence[Template], days: int = 120,
         progress: bool = True, tail_words: int = TAIL_WORDS) -> dict[str, Any]:
    """A new database ``database`` on the server ``base`` with ``count`` generated documents."""
    create_database(base, database)
    engine = make_engine(server_url(base, database))
    migrate(engine)
    indexes, foreign = detach(engine)
    generator = Generator(templates, count, days, tail_words=tail_words)
    started = time.perf_counter()
    cpu = time.process_time()
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        copy_rows(raw, "sources", [
            (i + 1, name, "rss", f"https://{name}/rss", "{}", "{}", 900, True, generator.start)
            for i, name in enumerate(generator.outlets)
        ])
        raw.commit()
        for first in range(1, count + 1, BATCH):
            rows = generator.batch(first, min(count + 1, first + BATCH))
            for table in ("documents", "mentions", "document_signals", "document_regions", "claims",
                          "story_members", "stories"):
                copy_rows(raw, table, rows[table])
            raw.commit()
            if progress and (first - 1) % (BATCH * 20) == 0:
                rate = (first + BATCH - 1) / (time.perf_counter() - started)
                print(f"  {first + BATCH - 1} documents, {rate:.0f}/s", flush=True)
        copy_rows(raw, "stories", [_story_row(s) for s in generator._closed(count + 1)])
        copy_rows(raw, "indicators", _indicator_rows(generator))
        copy_rows(raw, "source_volumes", [(o, k, d, n) for (o, k, d), n in generator.volumes.items()])
        copy_rows(raw, "alerts", _alert_rows(generator))
        raw.commit()
    load_seconds = time.perf_counter() - started
    load_cpu = time.process_time() - cpu
    started = time.perf_counter()
    timings = attach(engine, indexes, foreign, progress)
    index_seconds = time.perf_counter() - started
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in LOADED_TABLES:
            connection.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT max(id) FROM {table}))" if table in _SERIAL else "SELECT 1")
        started = time.perf_counter()
        connection.exec_driver_sql("VACUUM ANALYZE")
        vacuum = time.perf_counter() - started
    engine.dispose()
    return {
        "documents": count,
        "load_seconds": round(load_seconds, 1),
        "load_python_cpu_seconds": round(load_cpu, 1),
        "index_seconds": round(index_seconds, 1),
        "vacuum_analyze_seconds": round(vacuum, 1),
        "index_build_seconds": timings,
    }


_SERIAL = ("sources", "documents", "mentions", "stories", "claims", "alerts")


def _indicator_rows(generator: Generator) -> list[tuple[Any, ...]]:
    rows = []
    for (kato, day, metric), amount in generator.indicators.items():
        volume = generator.indicators.get((kato, day, "docs"), 1)
        rows.append((kato, day, metric, float(amount), float(volume), float(amount) / volume))
    for kato, day in {(k, d) for k, d, _ in generator.indicators}:
        volume = generator.indicators[(kato, day, "docs")]
        rows.append((kato, day, "volume", float(volume), float(volume), 1.0))
    return rows


def _alert_rows(generator: Generator) -> list[tuple[Any, ...]]:
    """About one alert per region a week, a third of them still open."""
    rows = []
    days = (generator.end - generator.start).days
    statuses = ["new", "acknowledged", "dismissed", "closed", "escalated", "closed"]
    for i in range(max(1, days // 7) * len(KATO_REGIONS)):
        kato = KATO_REGIONS[i % len(KATO_REGIONS)]
        first = (generator.start + timedelta(days=generator.rng.randrange(days))).date()
        moment = datetime(first.year, first.month, first.day, tzinfo=UTC)
        details = {"metric": "docs", "count": 40.0, "volume": 300.0, "expected": 12.0, "z": 4.2}
        rows.append((
            i + 1, f"surge|{kato}|{first.isoformat()}|{i}", "surge", kato, kato, "docs", first,
            first + timedelta(days=2), generator.rng.choice(["low", "medium", "high"]),
            statuses[i % len(statuses)], f"Surge in {kato}", json.dumps(details), 1, moment, moment,
        ))
    return rows


# --- sizes -------------------------------------------------------------------------------------


def sizes(url: str) -> dict[str, Any]:
    """Per table of the public schema: rows, heap, indexes (and each index), TOAST, total."""
    engine = make_engine(url)
    with engine.connect() as connection:
        documents = int(connection.scalar(text("SELECT count(*) FROM documents")) or 0)
        tables = connection.execute(text(
            "SELECT c.relname, pg_relation_size(c.oid), pg_indexes_size(c.oid), "
            "coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0), pg_total_relation_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC"
        )).all()
        indexes = connection.execute(text(
            "SELECT t.relname, i.relname, pg_relation_size(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' "
            "ORDER BY pg_relation_size(i.oid) DESC"
        )).all()
        out: dict[str, Any] = {"documents": documents, "tables": {}}
        per = 1e6 / documents if documents else 0.0
        for name, heap, index, toast, total in tables:
            rows = int(connection.scalar(text(f'SELECT count(*) FROM "{name}"')) or 0)
            out["tables"][name] = {
                "rows": rows, "heap": heap, "indexes": index, "toast": toast, "total": total,
                "total_per_million_docs": round(total * per),
                "index_sizes": {i: size for t, i, size in indexes if t == name},
            }
        out["total"] = sum(t["total"] for t in out["tables"].values())
        out["total_per_million_docs"] = round(out["total"] * per)
        out["database"] = int(connection.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    engine.dispose()
    return out


def print_sizes(report: dict[str, Any]) -> None:
    mb = 1024 * 1024
    print(f"documents: {report['documents']}; tables total {report['total'] / mb:.0f} MiB, "
          f"{report['total_per_million_docs'] / mb:.0f} MiB per million documents; "
          f"database {report['database'] / mb:.0f} MiB")
    print("| table | rows | heap MiB | indexes MiB | TOAST MiB | total MiB | MiB per 1M docs |")
    print("|---|---|---|---|---|---|---|")
    for name, t in report["tables"].items():
        if t["total"] < mb:
            continue
        print(f"| {name} | {t['rows']:,} | {t['heap'] / mb:.1f} | {t['indexes'] / mb:.1f} "
              f"| {t['toast'] / mb:.1f} | {t['total'] / mb:.1f} | {t['total_per_million_docs'] / mb:.0f} |")
    print("\nindexes over 1 MiB:")
    for name, t in report["tables"].items():
        for index, size in t["index_sizes"].items():
            if size >= mb:
                print(f"  {name}.{index}: {size / mb:.1f} MiB")


# --- queries ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Recorder:
    """The SQL statements a call sent, with their parameters and times."""

    statements: list[tuple[float, str, Any]] = field(default_factory=list)
    _started: float = 0.0

    def before(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self._started = time.perf_counter()

    def after(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.statements.append((time.perf_counter() - self._started, statement, parameters))


Call = Callable[[Any, Any], Any]


def query_cases(embedder: Callable[[], Any], static: Callable[[], Any]) -> dict[str, Call]:
    """What the pages ask, as the pages call the query layer (``session``, ``scope``)."""
    from birlik.query import overview as overview_map
    from birlik.query import queries, search_results, stories
    from birlik.query.filters import DocumentFilters
    from birlik.signals.indicators import query_indicators

    def since(session: Any, days: int) -> datetime:
        return queries.period_end(session) - timedelta(days=days)

    def cards(filters: DocumentFilters, **kw: Any) -> Callable[[Any, Any], Any]:
        return lambda s, scope: queries.list_cards(s, scope, filters, embedder=embedder, static=static, **kw)

    def overview(s: Any, scope: Any) -> Any:
        until = queries.period_end(s)
        first, last = overview_map.span(until, 30)
        for indicator in queries.INDICATORS:  # the page asks one; each from the indicators but hate
            overview_map.region_values(s, scope, indicator, first, last)
        query_indicators(s, regions=scope.regions or ("KZ",), metrics=("docs",), since=first, until=last)
        queries.latest_alerts(s, scope)
        start = until - timedelta(days=30)
        return [queries.document_card(d) for d in queries.top_documents(s, scope, start)]

    def detail(s: Any, scope: Any) -> Any:
        doc_id = queries.matching_ids(s, scope, DocumentFilters(), limit=1, offset=40)[0]
        return queries.document_detail(scope.document(s, doc_id))

    def story(s: Any, scope: Any) -> Any:
        listed = stories.list_stories(s, scope, order="top", since=since(s, 7), limit=1)
        return stories.story_detail(s, scope, str(listed[0]["id"]), marks=True) if listed else None

    def count(filters: DocumentFilters) -> Callable[[Any, Any], Any]:
        return lambda s, scope: search_results.count_found(s, scope, filters)

    def found_stories(filters: DocumentFilters) -> Callable[[Any, Any], Any]:
        return lambda s, scope: stories.list_stories(
            s, scope, document_ids=lambda: queries.matching_ids(s, scope, filters, limit=500))

    regions = COORDINATOR[:1]
    return {
        "overview (30 days: map x4, chart, alerts, top documents)": overview,
        "documents: newest page": cards(DocumentFilters()),
        "documents: page 40 (offset 1000)": cards(DocumentFilters(), offset=1000),
        "documents: common word": cards(DocumentFilters(q="Қазақстан")),
        "documents: rare word": cards(DocumentFilters(q="Достық үйінде")),
        "documents: word + region + lang": cards(DocumentFilters(q="облысы", regions=regions, langs=("kk",))),
        "documents: tension >= 0.5, ru": cards(DocumentFilters(min_tension=0.5, langs=("ru",))),
        "documents: ethnic group filter": cards(DocumentFilters(ethnic=("uzbek",))),
        "documents: incident filter, 30 days": lambda s, scope: queries.list_cards(
            s, scope, DocumentFilters(incident="protest_rally", since=since(s, 30).date())),
        "documents: most tense first": cards(DocumentFilters(sort="tension")),
        "documents: oldest first": cards(DocumentFilters(sort="oldest")),
        "documents: relevance (common word)": cards(DocumentFilters(q="Қазақстан", sort="relevance")),
        "documents: by meaning": cards(DocumentFilters(q="межэтнический конфликт в селе", mode="semantic")),
        "documents: by meaning + region": cards(
            DocumentFilters(q="межэтнический конфликт в селе", mode="semantic", regions=regions)),
        "count found: common word": count(DocumentFilters(q="Қазақстан")),
        "count found: no filter": count(DocumentFilters()),
        "document detail": detail,
        "stories: newest": lambda s, scope: stories.list_stories(s, scope),
        "stories: top of 7 days": lambda s, scope: stories.list_stories(
            s, scope, order="top", since=since(s, 7)),
        "stories: of a word search": found_stories(DocumentFilters(q="облысы")),
        "story detail (largest of 7 days)": story,
        "alerts: open": lambda s, scope: queries.list_alerts(s, scope, status="open"),
        "indicators: one region, 90 days": lambda s, scope: query_indicators(
            s, regions=COORDINATOR[:1], since=since(s, 90).date()),
        "sources: health": lambda s, scope: queries.source_health(s, scope, administrator=True),
    }


def run_queries(url: str, runs: int, explain: int, only: str | None = None) -> dict[str, Any]:
    from birlik.query.scope import RegionScope
    from birlik.runtime import Runtime
    from birlik.settings import Settings
    from birlik.store.repository import Store

    engine = make_engine(url)
    store = Store(engine)
    runtime = Runtime(Settings(), store=store)
    companion: list[Any] = []

    def static() -> Any:
        if not companion:
            from birlik.nlp.static_embed import distilled_companion

            companion.append(distilled_companion(runtime.embedder()))
        return companion[0]

    cases = query_cases(runtime.embedder, static)
    scopes = {"admin": RegionScope.everything(), "coordinator": RegionScope.limited_to(COORDINATOR)}
    recorder = Recorder()
    event.listen(engine, "before_cursor_execute", recorder.before)
    event.listen(engine, "after_cursor_execute", recorder.after)
    results: dict[str, Any] = {}
    for name, call in cases.items():
        if only and only not in name:
            continue
        for scope_name, scope in scopes.items():
            times: list[float] = []
            slowest: tuple[float, str, Any] = (0.0, "", None)
            for attempt in range(runs + 1):  # the first warms the cache and is not counted
                recorder.statements.clear()
                with store.transaction() as session:
                    started = time.perf_counter()
                    answer = call(session, scope)
                    elapsed = time.perf_counter() - started
                if attempt:
                    times.append(elapsed)
                    top = max(recorder.statements, default=(0.0, "", None), key=lambda s: s[0])
                    slowest = max(slowest, top, key=lambda s: s[0])
            times.sort()
            key = f"{name} [{scope_name}]"
            results[key] = {
                "median_ms": round(statistics.median(times) * 1000, 1),
                "p95_ms": round(times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)] * 1000, 1),
                "statements": len(recorder.statements),
                "found": _found(answer),
                "slowest_sql_ms": round(slowest[0] * 1000, 1),
                "slowest_sql": slowest[1],
                "params": slowest[2],
            }
            result = results[key]
            print(f"{key}: median {result['median_ms']} ms, p95 {result['p95_ms']} ms, "
                  f"{result['statements']} statements, found {result['found']}, "
                  f"slowest {result['slowest_sql_ms']} ms", flush=True)
    event.remove(engine, "before_cursor_execute", recorder.before)
    event.remove(engine, "after_cursor_execute", recorder.after)
    ranked = sorted(results.items(), key=lambda kv: -float(kv[1]["p95_ms"]))
    seen: set[str] = set()
    with engine.connect() as connection:
        for key, result in ranked:
            if len(seen) >= explain:
                break
            if result["slowest_sql"] in seen or not result["slowest_sql"]:
                continue
            seen.add(result["slowest_sql"])
            plan = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + result["slowest_sql"], result["params"]
            ).scalars().all()
            result["plan"] = "\n".join(str(line) for line in plan)
            print(f"\n=== {key}: {result['slowest_sql_ms']} ms\n{result['slowest_sql']}\n{result['params']}\n"
                  f"{result['plan']}", flush=True)
    engine.dispose()
    return results


def _found(answer: Any) -> Any:
    """How many things a call returned (a list's length, a count's value), for the report."""
    if isinstance(answer, list | dict):
        return len(answer)
    if isinstance(answer, tuple):
        return [getattr(part, "value", part) for part in answer]
    return None if answer is None else 1


# --- command line ------------------------------------------------------------------------------


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> None:
    server = os.environ.get("BIRLIK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:55499/postgres")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["fill", "sizes", "queries", "drop"])
    parser.add_argument("--db", default=server, help="PostgreSQL server URL (any database of it)")
    parser.add_argument("--database", default="birlik_cap", help="the database to create and fill")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--templates", type=int, default=800)
    parser.add_argument("--corpus", default="realistic", choices=["realistic", "worst"])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--explain", type=int, default=5, help="plans of this many of the slowest")
    parser.add_argument("--only", help="only the queries whose name contains this")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    url = server_url(args.db, args.database)
    print(f"load average at start: {load_average()}", flush=True)
    report: dict[str, Any]
    if args.command == "fill":
        started = time.process_time()
        templates = analysed_templates(args.templates, args.corpus)
        print(f"templates: {len(templates)} ({time.process_time() - started:.1f} CPU s)", flush=True)
        report = fill(args.db, args.database, args.docs, templates, days=args.days)
        print(json.dumps(report, indent=1))
        report["sizes"] = sizes(url)
        print_sizes(report["sizes"])
    elif args.command == "sizes":
        report = sizes(url)
        print_sizes(report)
    elif args.command == "queries":
        report = run_queries(url, args.runs, args.explain, args.only)
    else:
        drop_database(args.db, args.database)
        report = {"dropped": args.database}
    print(f"load average at end: {load_average()}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
