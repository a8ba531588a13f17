"""Documents per district of a region, for a coordinator's overview.

Documents are tagged with regions only; a district is known where the text names it or one of
its towns (a PLACE mention whose KATO is the district's: towns and villages carry the code of
their district, see the gazetteer). A document naming two districts counts in both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import Session

from birlik.resources.gazetteer import load_gazetteer
from birlik.store.models import DocumentRegionRow, DocumentRow, MentionRow

MAX_REGIONS = 3
"""Beyond this many regions the district list is too long to read on the overview."""


@dataclass(frozen=True, slots=True)
class DistrictCount:
    kato: str
    region_kato: str
    documents: int


def district_counts(session: Session, region_katos: Iterable[str], since: datetime) -> list[DistrictCount]:
    """Every district of the regions (zero included), with the documents of the regions
    published since ``since`` that name it."""
    regions = sorted(set(region_katos))[:MAX_REGIONS]
    gazetteer = load_gazetteer()
    districts = {place.kato: region for region in regions for place in gazetteer.districts(region)}
    if not districts:
        return []
    in_regions = exists().where(
        DocumentRegionRow.document_id == DocumentRow.id, DocumentRegionRow.region_kato.in_(regions)
    )
    statement = (
        select(MentionRow.entity_id, func.count(distinct(MentionRow.document_id)))
        .join(DocumentRow, DocumentRow.id == MentionRow.document_id)
        .where(
            MentionRow.type == "PLACE",
            MentionRow.entity_id.in_(sorted(districts)),
            DocumentRow.published_at >= since,
            in_regions,
        )
        .group_by(MentionRow.entity_id)
    )
    counts = {str(kato): int(n) for kato, n in session.execute(statement)}
    return [DistrictCount(kato, region, counts.get(kato, 0)) for kato, region in districts.items()]
