"""Monitoring visits to the regions and the register of their recommendations.

A visit file (YAML) holds one visit or a list of them:

```yaml
- region: Жамбыл облысы            # KATO code or name
  title: Monitoring visit to Zhambyl region
  dates: [2026-08-11, 2026-08-13]
  team: [A. Researcher, B. Analyst]
  meetings:
    - {date: 2026-08-11, with: regional Assembly secretariat, summary: …}
  findings: [ … ]
  risks:
    - {text: …, level: medium}       # low | medium | high
  recommendations:
    - {text: …, owner: akimat's department of internal policy, deadline: 2026-10-01}
```
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.dates import parse_day
from birlik.domain.errors import ConfigError, NotFound, VisitError
from birlik.store.models import utcnow
from birlik.surveys.importer import region_code
from birlik.surveys.models import RecommendationRow, VisitRow

RISK_LEVELS = ("low", "medium", "high")
RECOMMENDATION_STATUSES = ("open", "in_progress", "done", "dropped")
OPEN_STATUSES = ("open", "in_progress")


@dataclass(frozen=True, slots=True, kw_only=True)
class Recommendation:
    text: str
    owner: str
    deadline: date | None = None
    status: str = "open"


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    region_kato: str
    title: str
    started_on: date
    ended_on: date
    team: tuple[str, ...] = ()
    meetings: tuple[dict[str, str], ...] = ()
    findings: tuple[str, ...] = ()
    risks: tuple[dict[str, str], ...] = ()
    recommendations: tuple[Recommendation, ...] = field(default=())


def load_visits_file(path: Path) -> list[Visit]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise VisitError(f"cannot read the visits file {path}: {exc}", code=codes.U201) from exc
    if isinstance(data, dict):
        data = data.get("visits", [data])
    if not isinstance(data, list) or not data:
        raise VisitError(f"{path}: expected a visit or a list of visits", code=codes.U201)
    return [visit_from_mapping(item, f"{path}[{n}]") for n, item in enumerate(data)]


def visit_from_mapping(item: object, where: str) -> Visit:
    if not isinstance(item, dict):
        raise VisitError(f"{where}: a visit must be a mapping", code=codes.U202)
    missing = [key for key in ("region", "dates", "title") if not item.get(key)]
    if missing:
        raise VisitError(f"{where}: missing {', '.join(missing)}", code=codes.U202)
    try:
        region = region_code(str(item["region"]))
    except ConfigError as exc:
        raise VisitError(f"{where}: {exc.detail}", code=codes.U203) from exc
    dates = item["dates"] if isinstance(item["dates"], list) else [item["dates"]]
    started = _day(dates[0], where)
    ended = _day(dates[-1], where)
    if started is None or ended is None or ended < started:
        raise VisitError(f"{where}: dates must be [first day, last day] in order", code=codes.U204)
    return Visit(
        region_kato=region,
        title=str(item["title"]),
        started_on=started,
        ended_on=ended,
        team=tuple(str(person) for person in item.get("team") or ()),
        meetings=tuple(_meeting(m, where) for m in item.get("meetings") or ()),
        findings=tuple(str(f) for f in item.get("findings") or ()),
        risks=tuple(_risk(r, where) for r in item.get("risks") or ()),
        recommendations=tuple(_recommendation(r, where) for r in item.get("recommendations") or ()),
    )


def _meeting(raw: object, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw.get("with"):
        raise VisitError(f"{where}: a meeting needs `with` (who was met)", code=codes.U205)
    return {key: str(raw[key]) for key in ("date", "with", "summary") if raw.get(key) is not None}


def _risk(raw: object, where: str) -> dict[str, str]:
    if isinstance(raw, str):
        raw = {"text": raw, "level": "medium"}
    if not isinstance(raw, dict) or not raw.get("text"):
        raise VisitError(f"{where}: a risk needs text", code=codes.U206)
    level = str(raw.get("level") or "medium")
    if level not in RISK_LEVELS:
        raise VisitError(f"{where}: risk level {level!r} must be one of {list(RISK_LEVELS)}", code=codes.U206)
    return {"text": str(raw["text"]), "level": level}


def _recommendation(raw: object, where: str) -> Recommendation:
    if not isinstance(raw, dict) or not raw.get("text") or not raw.get("owner"):
        raise VisitError(f"{where}: a recommendation needs text and owner", code=codes.U207)
    status = str(raw.get("status") or "open")
    _check_status(status)
    return Recommendation(
        text=str(raw["text"]),
        owner=str(raw["owner"]),
        deadline=_day(raw.get("deadline"), where),
        status=status,
    )


def _check_status(status: str) -> None:
    if status not in RECOMMENDATION_STATUSES:
        raise VisitError(f"status {status!r} must be one of {list(RECOMMENDATION_STATUSES)}", code=codes.U208)


def _day(raw: object, where: str) -> date | None:
    return parse_day(raw, f"{where}:", codes.U204)


# --- the store -------------------------------------------------------------------------------


def add_visit(session: Session, visit: Visit) -> VisitRow:
    row = VisitRow(
        region_kato=visit.region_kato,
        title=visit.title,
        started_on=visit.started_on,
        ended_on=visit.ended_on,
        team=list(visit.team),
        meetings=[dict(m) for m in visit.meetings],
        findings=list(visit.findings),
        risks=[dict(r) for r in visit.risks],
        recommendations=[
            RecommendationRow(text=r.text, owner=r.owner, deadline=r.deadline, status=r.status)
            for r in visit.recommendations
        ],
    )
    session.add(row)
    session.flush()
    return row


def list_visits(
    session: Session,
    *,
    since: date | None = None,
    until: date | None = None,
    regions: Sequence[str] | None = None,
) -> list[VisitRow]:
    """Visits that overlap [since, until), oldest first; with ``regions``, only visits to them."""
    query = select(VisitRow).order_by(VisitRow.started_on, VisitRow.id)
    if regions is not None:
        query = query.where(VisitRow.region_kato.in_(list(regions)))
    if since is not None:
        query = query.where(VisitRow.ended_on >= since)
    if until is not None:
        query = query.where(VisitRow.started_on < until)
    return list(session.scalars(query))


def list_recommendations(
    session: Session,
    *,
    statuses: Sequence[str] = (),
    region_kato: str | None = None,
    regions: Sequence[str] | None = None,
) -> list[RecommendationRow]:
    """The register: by deadline (none last), then by id; ``regions`` limits it to visits there."""
    query = select(RecommendationRow).join(VisitRow)
    if regions is not None:
        query = query.where(VisitRow.region_kato.in_(list(regions)))
    if statuses:
        query = query.where(RecommendationRow.status.in_(list(statuses)))
    if region_kato is not None:
        query = query.where(VisitRow.region_kato == region_kato)
    rows = list(session.scalars(query))
    return sorted(rows, key=lambda r: (r.deadline is None, r.deadline or date.max, r.id))


def set_recommendation_status(
    session: Session, recommendation_id: int, status: str, note: str | None = None
) -> RecommendationRow:
    _check_status(status)
    row = session.get(RecommendationRow, recommendation_id)
    if row is None:
        raise NotFound(
            f"no recommendation {recommendation_id} — see `birlik visits recommendations`", code=codes.U209
        )
    row.status = status
    row.status_note = note
    row.updated_at = utcnow()
    session.flush()
    return row


def is_overdue(row: RecommendationRow, today: date) -> bool:
    return row.status in OPEN_STATUSES and row.deadline is not None and row.deadline < today


def recommendation_json(row: RecommendationRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "visit_id": row.visit_id,
        "region_kato": row.visit.region_kato,
        "text": row.text,
        "owner": row.owner,
        "deadline": row.deadline,
        "status": row.status,
        "status_note": row.status_note,
    }
