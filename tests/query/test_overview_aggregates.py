"""The overview map's numbers from the stored indicators equal those the documents give (on
both backends), over whole days in Kazakhstan, within the reader's regions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import delete

from birlik.domain.records import Document, RegionScore, Signal
from birlik.query import overview
from birlik.query.queries import INDICATORS
from birlik.query.scope import RegionScope
from birlik.signals.indicators import after_batch
from birlik.store import repository as repo
from birlik.store.models import DocumentRow
from birlik.store.repository import Provenance, Store

ZHAMBYL, PAVLODAR, ALMATY_CITY = "310000000", "550000000", "750000000"
UNTIL = datetime(2026, 3, 31, 9, tzinfo=UTC)  # 14:00 on 31 March in Kazakhstan
serial = count()


def _add(
    store: Store,
    published_at: datetime | None,
    regions: dict[str, float],
    *,
    tension: float | None = None,
    hate: float | None = None,
    incident: str | None = None,
    date_flag: str | None = None,
) -> None:
    k = next(serial)
    signals = {
        name: Signal(name=name, score=score)
        for name, score in (("tension", tension), ("hate", hate))
        if score is not None
    }
    if incident is not None:
        signals["incident"] = Signal(name="incident", label=incident, score=0.9)
    doc = Document(
        id=f"o{k}",
        text=f"document {k}",
        published_at=published_at,
        regions=[RegionScore(kato=kato, confidence=c) for kato, c in regions.items()],
        signals=signals,
    )
    prov = Provenance(ext_id=doc.id, content_hash=f"{k:064d}", outlet=f"outlet-{k % 3}", date_flag=date_flag)
    with store.transaction() as session:
        row = repo.add_document(session, doc, prov)
        row.fetched_at = UNTIL
        session.flush()
        after_batch(session, [row])  # as the ingestor does, in the batch's transaction


def _corpus(store: Store) -> None:
    """Three regions over 40 days: documents every few hours (so some fall just before or after
    midnight in Kazakhstan, 19:00 UTC), some about two regions, some tagged with too little
    confidence, with and without scores and incidents, and a few with a flagged date."""
    start = UNTIL - timedelta(days=40)
    for n in range(160):
        moment = start + timedelta(hours=6 * n + (n % 5))
        regions = {ZHAMBYL: 1.0} if n % 3 else {PAVLODAR: 0.9}
        if n % 7 == 0:
            regions[ALMATY_CITY] = 0.6
        if n % 11 == 0:
            regions[PAVLODAR] = 0.1  # below the indicators' confidence: counts in neither
        _add(
            store,
            moment,
            regions,
            tension=None if n % 13 == 0 else round((n % 10) / 10, 2),
            hate=None if n % 4 else round((n % 9) / 9, 3),
            incident="protest_rally" if n % 6 == 0 else ("labour_dispute" if n % 17 == 0 else None),
        )
    _add(store, datetime(2099, 1, 1, tzinfo=UTC), {ZHAMBYL: 1.0}, tension=0.9, date_flag="future")
    _add(store, None, {ZHAMBYL: 1.0}, tension=0.9)  # undated: in no period


SCOPES = {
    "everything": RegionScope.everything(),
    "coordinator": RegionScope.limited_to([ZHAMBYL, ALMATY_CITY]),
    "mediator": RegionScope(all_regions=False, katos=frozenset([ZHAMBYL]), cases_of="mediator"),
    "no region": RegionScope.limited_to([]),
}


@pytest.mark.parametrize("days", [1, 7, 30])
def test_the_indicators_give_the_documents_numbers_within_the_scope(store: Store, days: int) -> None:
    _corpus(store)
    start, end = overview.span(UNTIL, days)
    assert (end - start).days == days - 1 and end == date(2026, 3, 31)
    with store.transaction() as session:
        for name, scope in SCOPES.items():
            for indicator in INDICATORS:
                stored = overview.region_values(session, scope, indicator, start, end)
                counted = overview.from_documents(session, scope, indicator, start, end)
                assert stored.keys() == counted.keys(), (name, indicator)
                assert stored == pytest.approx(counted, abs=1e-9), (name, indicator)
                if name == "everything":
                    assert set(stored) == {ZHAMBYL, PAVLODAR, ALMATY_CITY} or days == 1
                elif name == "coordinator":
                    assert set(stored) <= {ZHAMBYL, ALMATY_CITY} and (days == 1 or ZHAMBYL in stored)
                else:
                    assert stored == {}


def test_the_numbers_are_those_of_the_rules(store: Store) -> None:
    """Counted by hand: whole days in Kazakhstan, a confident region, a trusted date."""
    moment = datetime(2026, 3, 30, 18, 30, tzinfo=UTC)  # 23:30 on 30 March in Kazakhstan
    _add(store, moment, {ZHAMBYL: 1.0}, tension=0.2, hate=0.5, incident="protest_rally")
    _add(store, moment + timedelta(hours=1), {ZHAMBYL: 1.0}, tension=0.6)  # 00:30 on 31 March
    _add(store, moment, {ZHAMBYL: 1.0, PAVLODAR: 0.1})  # Pavlodar: too little confidence
    _add(store, moment, {ZHAMBYL: 1.0}, date_flag="future")  # flagged: in no period
    with store.transaction() as session:
        everything = RegionScope.everything()
        one, two = overview.span(UNTIL, 1), overview.span(UNTIL, 2)
        assert overview.region_values(session, everything, "documents", *one) == {ZHAMBYL: 1.0}
        assert overview.region_values(session, everything, "documents", *two) == {ZHAMBYL: 3.0}
        assert overview.region_values(session, everything, "incidents", *two) == {ZHAMBYL: 1.0}
        assert overview.region_values(session, everything, "incidents", *one) == {ZHAMBYL: 0.0}
        tension = overview.region_values(session, everything, "tension", *two)
        assert tension == pytest.approx({ZHAMBYL: (0.2 + 0.6 + 0) / 3})
        assert overview.region_values(session, everything, "hate", *two) == pytest.approx({ZHAMBYL: 0.5 / 3})


def test_the_map_reads_the_indicators_not_the_documents(store: Store) -> None:
    """With the documents gone, the counts and the mean tension stay: they come from the
    indicators (hate, not among them, goes with the documents)."""
    _corpus(store)
    start, end = overview.span(UNTIL, 30)
    everything = RegionScope.everything()
    with store.transaction() as session:
        before = {i: overview.region_values(session, everything, i, start, end) for i in INDICATORS}
        session.execute(delete(DocumentRow))
        after = {i: overview.region_values(session, everything, i, start, end) for i in INDICATORS}
    assert before["documents"] and after["documents"] == before["documents"]
    assert after["incidents"] == before["incidents"] and after["tension"] == before["tension"]
    assert before["hate"] and after["hate"] == {}
