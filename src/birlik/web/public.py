"""What the API returns, as pydantic models (``*Public``): the OpenAPI schema at
/api/v1/openapi.json describes each response from these, and the routes build them from rows
with one constructor each, so that the API and the pages show the same fields.

Times are ISO 8601 with their offset (UTC as stored); the pages render them in Almaty's time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from birlik.access.models import RegistryUnitRow, UserRow
from birlik.access.principal import Principal
from birlik.cases.models import CaseAttachmentRow, CaseCommentRow

Iso = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]
"""A moment written as ``datetime.isoformat`` writes it (``+00:00``, not ``Z``): every time the
API gives is written so."""


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def of(cls, source: Any) -> Self:
        """The model of a row or record whose attributes bear the model's field names; a model
        whose fields are computed or renamed says how in its own ``of``."""
        return cls.model_validate(source, from_attributes=True)


class MePublic(Public):
    username: str
    display_name: str
    role: str
    regions: list[str] = Field(description="KATO codes of the user's regions; empty for a national role.")

    @classmethod
    def of(cls, who: Principal) -> MePublic:
        regions = sorted(who.regions)
        return cls(username=who.username, display_name=who.display_name, role=who.role, regions=regions)


class TokenPublic(Public):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it; never the token.")
    scope: Literal["read", "write"]
    created_at: Iso
    expires_at: Iso
    expired: bool
    last_used_at: Iso | None


class TokenCreatedPublic(TokenPublic):
    token: str = Field(description="The secret, shown this once.")
    note: str


class UserPublic(Public):
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    regions: list[str]

    @classmethod
    def of(cls, user: UserRow) -> UserPublic:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            active=user.active,
            regions=sorted(g.region_kato for g in user.grants),
        )


class AuditEntryPublic(Public):
    id: int
    at: Iso
    actor: str
    action: str = Field(description="``case.assign``, ``user.access``… (named in the pages' language).")
    entity: str
    entity_id: str | None
    region_kato: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None



class UnitPublic(Public):
    id: int
    kind: str
    name: str
    region_kato: str
    district_kato: str | None
    address: str | None
    phone: str | None
    email: str | None
    contact_person: str | None
    languages: list[str]

    @classmethod
    def of(cls, unit: RegistryUnitRow) -> UnitPublic:
        return cls(
            id=unit.id,
            kind=unit.kind,
            name=unit.name,
            region_kato=unit.region_kato,
            district_kato=unit.district_kato,
            address=unit.address,
            phone=unit.phone,
            email=unit.email,
            contact_person=unit.contact_person,
            languages=list(unit.languages or []),
        )


class ImportedPublic(Public):
    imported: int = Field(description="Units added from the CSV file.")


class SourcePublic(Public):
    name: str
    kind: str
    location: str | None = Field(description="Where the source reads from: administrators only.")
    enabled: bool
    documents: int = Field(description="Documents of the source within your regions.")
    last_polled_at: Iso | None
    last_ok_at: Iso | None
    last_error: str | None = Field(description="The last error: administrators only.")
    health: Literal["ok", "stale", "error"]


class RegionNamePublic(Public):
    kato: str
    kk: str
    ru: str
    en: str


class SavedSearchPublic(Public):
    id: int
    name: str
    params: dict[str, Any] = Field(description="The search's filters, as the search page's query.")


# --- documents ------------------------------------------------------------------------------


class HighlightsPublic(Public):
    title: list[tuple[int, int]] = Field(description="(start, end) of the query's words in the title.")
    snippet: list[tuple[int, int]] = Field(description="(start, end) of the query's words in the snippet.")


class DocumentCardPublic(Public):
    """What a list shows of a document; authors appear only as their stored pseudonym."""

    id: int
    title: str | None
    snippet: str
    highlights: HighlightsPublic
    lang: str | None
    published_at: Iso | None
    outlet: str | None
    url: str | None
    author: str | None
    platform: str | None
    tension: float | None
    hate: float | None
    incident: str | None
    regions: list[str]


class MentionPublic(Public):
    start: int
    end: int
    text: str
    type: str
    id: str | None = Field(description="The entity's identifier, when it is known.")
    derogatory: bool


class SignalPublic(Public):
    score: float | None
    label: str | None
    evidence: list[Any] | None
    reasons: list[Any] | None


class DocumentDetailPublic(DocumentCardPublic):
    text: str
    mentions: list[MentionPublic]
    signals: dict[str, SignalPublic]


class CountPublic(Public):
    value: int
    exact: bool = Field(description="False: an estimate (a large result is not counted to its end).")


class DocumentsPublic(Public):
    filters: dict[str, Any]
    order: str
    limit: int
    offset: int
    count: CountPublic
    items: list[DocumentCardPublic]


# --- stories --------------------------------------------------------------------------------


class StoryDayPublic(Public):
    docs: int
    tension: float | None


class StoryPublic(Public):
    id: int
    title: str | None
    first_seen: Iso | None
    last_seen: Iso | None
    docs: int
    duplicates: int
    outlets: dict[str, int] = Field(description="Documents by outlet.")
    langs: list[str]
    regions: list[str]
    peak_tension: float | None
    timeline: dict[str, StoryDayPublic] = Field(description="Documents and peak tension by day.")


class StoriesPublic(Public):
    filters: dict[str, Any]
    order: str
    items: list[StoryPublic]


class StoryDocumentPublic(DocumentCardPublic):
    seen_at: Iso
    duplicate_of: int | None
    segments: list[tuple[str, str]] = Field(description="The text as (kind, piece); kind '' is plain.")
    truncated: bool
    evidence: list[dict[str, Any]]


class StoryColumnPublic(Public):
    lang: str
    documents: list[StoryDocumentPublic]


class ClaimPublic(Public):
    document: int
    subject: str
    subject_text: str
    value: float
    unit: str
    qualifier: str
    text: str
    sentence: str
    lang: str | None
    source: str | None


class DiscrepancyPublic(Public):
    subject: str
    kind: str
    documents: list[int]
    values: list[str]
    subject_texts: list[str]
    langs: list[str | None]


class StoryDetailPublic(StoryPublic):
    documents: list[StoryDocumentPublic]
    columns: list[StoryColumnPublic] = Field(description="The documents by language.")
    claims: list[ClaimPublic]
    discrepancies: list[DiscrepancyPublic]


# --- alerts and cases -----------------------------------------------------------------------


class AlertPublic(Public):
    id: int
    kind: str
    subject: str
    region_kato: str | None
    metric: str | None
    story_id: str | None
    severity: str
    status: str
    title: str | None = None
    first_day: date
    last_day: date
    occurrences: int
    dismiss_reason: str | None
    case_id: int | None
    details: dict[str, Any]


class WhyLinePublic(Public):
    key: str = Field(description="The message's key, the same in every language.")
    text: str = Field(description="The line in the reader's language.")


class AlertDocumentPublic(Public):
    id: int
    title: str | None
    outlet: str | None
    published_at: Iso | None
    tension: float | None


class AlertEventPublic(Public):
    at: Iso
    actor: str
    from_status: str | None
    to_status: str
    note: str | None


class AlertDetailPublic(AlertPublic):
    why: list[WhyLinePublic] = Field(description="Why it fired, line by line.")
    documents: list[AlertDocumentPublic] = Field(
        description="Its documents within the reader's regions; none for a role that reads no documents."
    )
    history: list[AlertEventPublic]


class CasePublic(Public):
    id: int
    title: str
    region_kato: str | None
    status: str
    alert_id: int | None
    created_at: Iso
    updated_at: Iso
    due_at: Iso | None
    assignee_unit: str | None
    assignee_user: str | None
    description: str



class CaseEventPublic(Public):
    at: Iso
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
    said: str | None = Field(None, description="What happened, in the reader's language.")
    changes: list[str] = Field(
        default_factory=list, description="The fields it changed, each in the reader's language."
    )



class CommentCreatedPublic(Public):
    id: int
    author: str
    body: str


class CommentPublic(CommentCreatedPublic):
    at: Iso

    @classmethod
    def of(cls, row: CaseCommentRow) -> CommentPublic:
        return cls(id=row.id, author=row.author, body=row.body, at=row.created_at)


class AttachmentCreatedPublic(Public):
    id: int
    filename: str
    size: int


class AttachmentPublic(AttachmentCreatedPublic):
    content_type: str
    by: str = Field(description="Who uploaded it.")

    @classmethod
    def of(cls, row: CaseAttachmentRow) -> AttachmentPublic:
        return cls(
            id=row.id, filename=row.filename, size=row.size, content_type=row.content_type, by=row.uploaded_by
        )


class UnitBriefPublic(Public):
    id: int
    name: str
    kind: str



class CaseDetailPublic(CasePublic):
    history: list[CaseEventPublic]
    comments: list[CommentPublic]
    attachments: list[AttachmentPublic]
    units: list[UnitBriefPublic] = Field(description="Units of the case's region it can be routed to.")
    alert: AlertPublic | None = Field(None, description="The alert the case was opened from.")
    opened_from: str | None = Field(None, description="That alert in a sentence, in the reader's language.")
    note: str = Field("", description="What a person wrote when the case was opened.")
    documents: list[AlertDocumentPublic] = Field(
        default_factory=list, description="The alert's documents; none for a role that reads no documents."
    )
    next_statuses: list[str] = Field(
        default_factory=list, description="The statuses the reader may move the case to."
    )


class AlertActionPublic(Public):
    alert: AlertPublic
    case: CasePublic | None = Field(description="The case an escalation opened.")


# --- overview -------------------------------------------------------------------------------


class SeriesDayPublic(Public):
    day: date
    count: float
    volume: float
    value: float | None
    expected: float | None
    low: float | None
    high: float | None
    threshold: float | None
    cold_start: bool


class MapBinPublic(Public):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    low: float = Field(alias="from")
    high: float | None = Field(alias="to", description="None: the open top bin.")
    colour: str


class MapScalePublic(Public):
    kind: str
    per: int | None = Field(description="A rate's population unit (per this many people).")
    days: int | None = Field(description="A rate's period in days.")
    bins: list[MapBinPublic]


class MapRegionPublic(Public):
    value: float | None
    bin: int | None


class MapPublic(Public):
    scale: MapScalePublic
    regions: dict[str, MapRegionPublic] = Field(description="By KATO code: the regions in scope.")
    limited: bool = Field(description="True: the map shows the caller's regions only.")


class OverviewPublic(Public):
    indicator: str
    days: int
    until: Iso
    regions: dict[str, float] = Field(description="The indicator by region (KATO code).")
    map: MapPublic
    series_metric: str | None
    series: list[SeriesDayPublic]
    alerts: list[AlertPublic]
    top_documents: list[DocumentCardPublic]
