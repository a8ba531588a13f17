"""The views the API and the pages share: one function assembles each, as ``*Public`` models, in
the reader's language and within the reader's regions. A route of ``/api/v1`` returns the model;
the page of the same thing renders it and adds only its form controls (the steps a user may take,
the people a case can go to)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from birlik.access.principal import Principal
from birlik.cases import CASE_TRANSITIONS
from birlik.cases import services as case_services
from birlik.cases import text as case_text
from birlik.cases.models import CaseRow
from birlik.cases.workflow import MEDIATOR_STATUSES, case_history
from birlik.query import overview, queries
from birlik.query.scope import RegionScope
from birlik.signals import alert_text
from birlik.signals.alert_documents import alert_documents
from birlik.signals.alerts import alert_history
from birlik.signals.rules import load_rules
from birlik.store.models import DocumentRow
from birlik.store.models_signals import AlertRow
from birlik.web import map_view
from birlik.web.deps import WebState
from birlik.web.i18n import Translator
from birlik.web.messages import alert_title, say
from birlik.web.public import (
    AlertDetailPublic,
    AlertDocumentPublic,
    AlertEventPublic,
    AlertPublic,
    AttachmentPublic,
    CaseDetailPublic,
    CaseEventPublic,
    CasePublic,
    CommentPublic,
    DocumentCardPublic,
    MapPublic,
    OverviewPublic,
    SeriesDayPublic,
    UnitBriefPublic,
    WhyLinePublic,
)
from birlik.web.routes import indicators as indicator_pages

# --- alerts ---------------------------------------------------------------------------------


def alert_public(alert: AlertRow, t: Translator | None = None) -> AlertPublic:
    """An alert; ``title`` in ``t``'s language (the stored title without a translator)."""
    public = AlertPublic.of(alert)
    if t is not None:
        public.title = alert_title(t, alert)
    return public


def alert_list(session: Session, scope: RegionScope, t: Translator, status: str | None) -> list[AlertPublic]:
    """The alerts of the reader's regions, of one status or all (``None``), newest first."""
    return [alert_public(a, t) for a in queries.list_alerts(session, scope, status)]


def alert_detail(
    session: Session,
    scope: RegionScope,
    who: Principal,
    row: AlertRow,
    t: Translator,
    rules_file: Path | None,
) -> AlertDetailPublic:
    """One alert: why it fired (the rules file is read only for an alert whose lines need it), the
    documents behind it the reader may open, and its history."""
    rules = load_rules(rules_file) if alert_text.needs_rules(row) else None
    return AlertDetailPublic(
        **dict(alert_public(row, t)),
        why=[WhyLinePublic(key=line.key, text=say(t, line)) for line in alert_text.why_fired(row, rules)],
        documents=[_document_of(d) for d in _documents_of(session, scope, who, row)],
        history=[AlertEventPublic.of(e) for e in alert_history(session, row.id)],
    )


def _documents_of(session: Session, scope: RegionScope, who: Principal, alert: AlertRow) -> list[DocumentRow]:
    """The alert's documents the reader may open (none for a role that reads no documents)."""
    if not who.can("read"):
        return []
    return list(session.scalars(scope.documents(alert_documents(alert))))


def _document_of(row: DocumentRow) -> AlertDocumentPublic:
    return AlertDocumentPublic(
        id=row.id, title=row.title, outlet=row.outlet, published_at=row.published_at, tension=row.tension
    )


# --- cases ----------------------------------------------------------------------------------


def case_public(row: CaseRow, alert: AlertRow | None, t: Translator) -> CasePublic:
    """A case; ``title`` is its alert's title in ``t``'s language, else the stored title."""
    public = CasePublic.of(row)
    public.title = say(t, case_text.case_title(row, alert))
    return public


def case_list(
    session: Session, scope: RegionScope, t: Translator, status: str | None = None
) -> list[CasePublic]:
    """The cases of the reader's regions, of one status or all (``None``)."""
    rows = queries.list_cases(session, scope, status)
    alerts = queries.alerts_of_cases(session, rows)
    return [case_public(c, alerts.get(c.alert_id or 0), t) for c in rows]


def case_of(session: Session, row: CaseRow, t: Translator) -> CasePublic:
    """One case as an action's reply gives it."""
    return case_public(row, _linked_alert(session, row), t)


def _linked_alert(session: Session, row: CaseRow) -> AlertRow | None:
    return session.get(AlertRow, row.alert_id) if row.alert_id is not None else None


def case_detail(
    session: Session, scope: RegionScope, who: Principal, row: CaseRow, t: Translator
) -> CaseDetailPublic:
    """One case: its alert and that alert's documents, what was written when it opened, its
    history said in the reader's language, comments, attachments, the units it can be routed to
    and the statuses the reader may move it to (a mediator only those a mediator may set)."""
    linked = _linked_alert(session, row)
    mediator = who.role == "mediator"
    may_move = who.can("act_cases")
    opened_from = case_text.opened_from(linked)
    return CaseDetailPublic(
        **dict(case_public(row, linked, t)),
        history=[_event_of(line, t) for line in case_text.history(case_history(session, row.id))],
        comments=[CommentPublic.of(c) for c in case_services.comments(session, row)],
        attachments=[AttachmentPublic.of(a) for a in case_services.attachments(session, row)],
        units=[UnitBriefPublic.of(u) for u in case_services.units_for(session, row)],
        alert=alert_public(linked, t) if linked is not None else None,
        opened_from=say(t, opened_from) if opened_from is not None else None,
        note=case_text.opening_note(row),
        documents=[_document_of(d) for d in _documents_of(session, scope, who, linked)] if linked else [],
        next_statuses=[
            s for s in CASE_TRANSITIONS[row.status] if may_move and (not mediator or s in MEDIATOR_STATUSES)
        ],
    )


def _event_of(line: case_text.HistoryLine, t: Translator) -> CaseEventPublic:
    public = CaseEventPublic.of(line.event)
    public.said = say(t, line.action)
    public.changes = [say(t, change) for change in line.changes]
    return public


# --- overview -------------------------------------------------------------------------------


def overview_public(
    state: WebState,
    session: Session,
    scope: RegionScope,
    who: Principal,
    t: Translator,
    indicator: str,
    days: int,
) -> OverviewPublic:
    """The overview, for the API and the page (``/``, which adds only what it draws): the last
    ``days`` days (1 to 3650) of ``indicator`` (documents when it is not one of
    ``queries.INDICATORS``) by region — whole days in Kazakhstan, from the stored indicators
    (``query.overview``) — and by day, the latest alerts (for those who may read them) and the
    most tense documents, within the caller's regions; alert titles in ``t``'s language."""
    days = max(1, min(days, 3650))
    indicator = indicator if indicator in queries.INDICATORS else "documents"
    until = queries.period_end(session)
    since = until - timedelta(days=days)
    start, end = overview.span(until, days)
    values = queries.cached(
        state.cache,
        ("overview", scope, indicator, start, end),
        state.web.cache_seconds,
        lambda: overview.region_values(session, scope, indicator, start, end),
    )
    series = indicator_pages.overview_series(state, session, scope, who, indicator, days, until)
    alerts = queries.latest_alerts(session, scope) if who.can("read_alerts") else []
    top = queries.top_cards(state.cache, state.web.cache_seconds, session, scope, days, since)
    return OverviewPublic(
        indicator=indicator,
        days=days,
        until=until,
        regions=values,
        map=MapPublic.model_validate(map_view.api_map(indicator, values, scope, days)),
        series_metric=series.metric if series else None,
        series=[SeriesDayPublic.model_validate(day.as_json()) for day in series.days] if series else [],
        alerts=[alert_public(a, t) for a in alerts],
        top_documents=[DocumentCardPublic.model_validate(card) for card in top],
    )
