"""Early-warning benchmarks (prints figures; never a timed unit test).

1. Indicators and rules after a batch of 1,000 documents: the Ingestor's indicator hook on
   1,000 stored documents, then one evaluation pass (surges over 58 days of history for 20
   regions, source health), on SQLite or BIRLIK_DATABASE_URL.
2. Backtest over a year of synthetic daily data for 20 regions × 10 metrics.

    python bench/bench_signals.py [--docs 1000] [--days 365]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REGIONS = (
    "100000000", "110000000", "150000000", "190000000", "230000000", "270000000", "310000000",
    "330000000", "350000000", "390000000", "430000000", "470000000", "550000000", "590000000",
    "610000000", "620000000", "630000000", "710000000", "750000000", "790000000",
)  # fmt: skip
GROUPS = ("uyghur", "dungan", "uzbek", "russian", "korean")


def synthetic_day(
    rng: random.Random, day: date, region: str, docs: int, *, group_boost: dict[str, float] | None = None
) -> Iterator[dict[str, Any]]:
    """Analysed lines (as `birlik analyze` writes them) of one region on one day: 10 metrics
    (ethnic_docs, 5 × ethnic:<group>, derogatory_docs, hate_docs, tension, incident:conflict)."""
    boost = group_boost or {}
    for k in range(docs):
        entities = [
            {"start": 0, "end": 1, "text": g, "type": "ETHNIC_GROUP", "id": g}
            for g in GROUPS
            if rng.random() < 0.06 * boost.get(g, 1.0)
        ]
        if entities and rng.random() < 0.1:
            entities[0]["derogatory"] = True
        hate = rng.random() * (0.9 if entities else 0.3)
        yield {
            "id": f"{region}-{day.isoformat()}-{k}-{rng.random():.6f}",
            "published_at": datetime(day.year, day.month, day.day, 10, tzinfo=UTC).isoformat(),
            "source": f"outlet-{region[:2]}-{k % 3}",
            "lang": "kk" if k % 2 else "ru",
            "regions": [region],
            "entities": entities,
            "signals": {
                "hate": {"score": hate},
                "tension": {"score": rng.random() * 0.4},
                "incident": {"label": "conflict" if rng.random() < 0.02 else None},
            },
        }


def synthetic_corpus(
    days: int,
    *,
    seed: int = 11,
    per_region: int = 12,
    start: date = date(2025, 1, 6),
    surge: tuple[str, int, int, str, float] | None = None,
    extra_flat_docs: int = 0,
) -> list[dict[str, Any]]:
    """A year (or ``days``) of daily documents for 20 regions with weekday seasonality.

    ``surge`` = (region, first day index, length, group, boost): that group is mentioned
    ``boost`` times as often there. ``extra_flat_docs`` adds documents spread over all
    region-days (a flat corpus as large as one with a surge)."""
    rng = random.Random(seed)
    lines: list[dict[str, Any]] = []
    for index in range(days):
        day = start + timedelta(days=index)
        weekend = day.weekday() >= 5
        for region in REGIONS:
            count = max(1, round(rng.gauss(per_region * (0.6 if weekend else 1.0), 1.5)))
            boost = None
            if surge is not None and surge[0] == region and surge[1] <= index < surge[1] + surge[2]:
                boost = {surge[3]: surge[4]}
            lines.extend(synthetic_day(rng, day, region, count, group_boost=boost))
    for _ in range(extra_flat_docs):
        day = start + timedelta(days=rng.randrange(days))
        lines.extend(synthetic_day(rng, day, rng.choice(REGIONS), 1))
    return lines


def bench_batch(docs: int) -> None:
    from birlik.domain.records import Document, Mention, RegionScore
    from birlik.signals.indicators import after_batch
    from birlik.signals.monitor import Evaluator
    from birlik.signals.rules import load_rules
    from birlik.store import repository as repo
    from birlik.store.db import make_engine, migrate
    from birlik.store.repository import Provenance, Store

    folder = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate(engine)
    store = Store(engine)
    now = datetime.now(UTC)
    history = synthetic_corpus(60, start=(now - timedelta(days=60)).date(), per_region=8)
    from birlik.signals.backtest import facts_from_json
    from birlik.signals.indicators import update_indicators

    with store.transaction() as session:
        update_indicators(session, [f for f in map(facts_from_json, history) if f is not None])
    rng = random.Random(5)
    with store.transaction() as session:
        rows = []
        for k, line in enumerate(synthetic_day(rng, now.date(), REGIONS[6], docs)):
            doc = Document(
                id=str(line["id"]),
                text=f"bench {k}",
                published_at=now,
                entities=[
                    Mention(start=0, end=1, text=e["id"], type="ETHNIC_GROUP", id=e["id"])
                    for e in line["entities"]
                ],
                regions=[RegionScore(kato=REGIONS[k % 20], confidence=1.0)],
            )
            rows.append(
                repo.add_document(
                    session, doc, Provenance(ext_id=doc.id, content_hash=f"{k:064d}", outlet=line["source"])
                )
            )
        session.flush()
        started = time.perf_counter()
        after_batch(session, rows)
        indicators_s = time.perf_counter() - started
    started = time.perf_counter()
    report = Evaluator(load_rules()).run(store, now, None)
    rules_s = time.perf_counter() - started
    print(
        f"batch of {docs} documents over {len(history)} history documents: indicators {indicators_s:.3f} s, "
        f"rules {rules_s:.3f} s, total {indicators_s + rules_s:.3f} s (target < 2 s); "
        f"{len(report.created)} alerts"
    )


def bench_backtest(days: int) -> None:
    from birlik.signals.backtest import backtest
    from birlik.signals.rules import load_rules

    started = time.perf_counter()
    corpus = synthetic_corpus(days, surge=("310000000", days - 40, 4, "uyghur", 10.0))
    generated = time.perf_counter() - started
    started = time.perf_counter()
    report = backtest(corpus, load_rules())
    elapsed = time.perf_counter() - started
    print(
        f"backtest: {days} days × 20 regions × 10 metrics, {len(corpus)} documents "
        f"(generated in {generated:.1f} s): {elapsed:.2f} s (target < 30 s), "
        f"{len(corpus) / elapsed:,.0f} docs/s, {len(report.alerts)} alerts"
    )
    for alert in report.alerts[:10]:
        print(f"  {alert.first_day} {alert.severity:6} lead {alert.lead_days} d  {alert.title}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    bench_batch(args.docs)
    bench_backtest(args.days)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
