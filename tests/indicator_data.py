"""Indicators of two regions over two months, through the real ``update_indicators``: Zhambyl
writes every day (ethnic documents varying 2–4 a day among 5 plain ones), falls silent for three
days (10–12 February: nothing at all) and surges on 20 February; Pavlodar writes less, with a
derogatory document every third day; one document a week in Zhambyl is about an incident."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from birlik.signals.indicators import DocFacts, update_indicators
from birlik.store.models_signals import AlertRow

ZHAMBYL, PAVLODAR = "310000000", "550000000"
FIRST, LAST = date(2026, 1, 1), date(2026, 2, 28)
SILENT = (date(2026, 2, 10), date(2026, 2, 11), date(2026, 2, 12))
SURGE = date(2026, 2, 20)
SURGE_COUNT = 40


def facts() -> list[DocFacts]:
    out: list[DocFacts] = []
    day = FIRST
    while day <= LAST:
        index = (day - FIRST).days
        if day not in SILENT:
            ethnic = SURGE_COUNT if day == SURGE else 2 + index % 3
            for n in range(ethnic + 5):
                out.append(
                    DocFacts(
                        day=day,
                        fetched_day=day,
                        source_key="outlet-z",
                        regions=(ZHAMBYL,),
                        ethnic_groups=("uyghur",) if n < ethnic else (),
                        incident="protest_rally" if n == 0 and index % 7 == 0 else None,
                    )
                )
        for n in range(3):
            out.append(
                DocFacts(
                    day=day,
                    fetched_day=day,
                    source_key="outlet-p",
                    regions=(PAVLODAR,),
                    ethnic_groups=("german",) if n == 0 else (),
                    derogatory=n == 0 and index % 3 == 0,
                )
            )
        day += timedelta(days=1)
    return out


def store_indicators(session: Session) -> None:
    update_indicators(session, facts())


def add_alert(session: Session, region: str, day: date, metric: str, key: str) -> int:
    alert = AlertRow(
        key=key,
        kind="surge",
        subject=region,
        region_kato=region,
        metric=metric,
        first_day=day,
        last_day=day,
        severity="medium",
        status="new",
        title=f"Surge in {region}",
        details={"metrics": [{"metric": metric, "z": 6.0, "severity": "medium"}]},
    )
    session.add(alert)
    session.flush()
    return alert.id
