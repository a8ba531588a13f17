"""Region scoping, in one place for the API and the pages.

``RegionScope`` is what the ``Scope`` dependency yields: the regions (KATO) a user may see
and the query helpers that apply them. Every route that reads or changes documents, stories,
alerts, cases or units goes through these helpers; a record outside the scope is "not found",
so that its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, select, true
from sqlalchemy.orm import Session

from birlik.access.errors import forbidden, not_found
from birlik.access.principal import ALL_REGION_ROLES, Principal
from birlik.cases.models import CaseRow
from birlik.store.models import DocumentRegionRow, DocumentRow
from birlik.store.models_signals import AlertRow

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionScope:
    all_regions: bool
    katos: frozenset[str]
    cases_of: str | None = None
    """A mediator sees only the cases assigned to this user name."""

    @classmethod
    def everything(cls) -> RegionScope:
        """Every region: the operator's scope at the command line."""
        return cls(all_regions=True, katos=frozenset())

    @classmethod
    def limited_to(cls, katos: Iterable[str] | None) -> RegionScope:
        """These regions only, or every region for None: a report's scope."""
        return cls.everything() if katos is None else cls(all_regions=False, katos=frozenset(katos))

    @classmethod
    def of(cls, principal: Principal) -> RegionScope:
        if principal.role in ALL_REGION_ROLES:
            return cls(all_regions=True, katos=frozenset())
        if principal.role == "mediator":
            return cls(all_regions=False, katos=principal.regions, cases_of=principal.username)
        return cls(all_regions=False, katos=principal.regions)

    @property
    def sees_no_region(self) -> bool:
        """A mediator (their cases only) or a reader of no region: no region's documents,
        alerts or figures."""
        return not self.all_regions and (self.cases_of is not None or not self.katos)

    @property
    def regions(self) -> tuple[str, ...] | None:
        """The regions in scope, sorted; None for every region."""
        return None if self.all_regions else tuple(sorted(self.katos))

    def allows(self, region_kato: str | None) -> bool:
        return self.all_regions or (region_kato is not None and region_kato in self.katos)

    def narrow(self, wanted: Iterable[str]) -> tuple[str, ...] | None:
        """The regions to filter on: the wanted ones within scope; None means no filter at all."""
        wanted = tuple(wanted)
        if self.all_regions:
            return wanted or None
        return tuple(k for k in wanted if k in self.katos) if wanted else tuple(sorted(self.katos))

    # --- conditions --------------------------------------------------------------------

    def document_condition(self, wanted: Iterable[str] = ()) -> ColumnElement[bool]:
        """Documents in scope, and in one of the ``wanted`` regions when some are given. A
        region outside a limited scope still filters: a document of the user's region that
        also concerns it is theirs to read, so it is listed (never one outside the scope)."""
        wanted = tuple(wanted)
        if self.all_regions:
            return _in_regions(wanted) if wanted else true()
        if self.sees_no_region:
            return false()
        if all(kato in self.katos for kato in wanted):
            return _in_regions(wanted or tuple(sorted(self.katos)))
        return and_(_in_regions(tuple(sorted(self.katos))), _in_regions(wanted))

    def region_condition(self, column: Any) -> ColumnElement[bool]:
        """A record's region column (an alert's, a case's, a visit's) within the regions."""
        return true() if self.all_regions else column.in_(sorted(self.katos))

    def alert_condition(self) -> ColumnElement[bool]:
        if self.all_regions:
            return true()
        if self.sees_no_region:
            return false()
        return AlertRow.region_kato.in_(sorted(self.katos))

    def case_condition(self) -> ColumnElement[bool]:
        if self.all_regions:
            return true()
        if self.cases_of is not None:
            return CaseRow.assignee_user == self.cases_of
        if not self.katos:
            return false()
        return CaseRow.region_kato.in_(sorted(self.katos))

    def unit_condition(self) -> ColumnElement[bool]:
        """Units are a public directory of the Assembly: every role reads all of them."""
        return true()

    # --- queries -----------------------------------------------------------------------

    def documents(self, statement: Select[T], wanted: Iterable[str] = ()) -> Select[T]:
        return statement.where(self.document_condition(wanted))

    def alerts(self, statement: Select[T]) -> Select[T]:
        return statement.where(self.alert_condition())

    def cases(self, statement: Select[T]) -> Select[T]:
        return statement.where(self.case_condition())

    # --- single records ----------------------------------------------------------------

    def document(self, session: Session, document_id: int) -> DocumentRow:
        row = session.scalar(self.documents(select(DocumentRow).where(DocumentRow.id == document_id)))
        if row is None:
            raise not_found(f"document {document_id}")
        return row

    def alert(self, session: Session, alert_id: int) -> AlertRow:
        row = session.scalar(self.alerts(select(AlertRow).where(AlertRow.id == alert_id)))
        if row is None:
            raise not_found(f"alert {alert_id}")
        return row

    def case(self, session: Session, case_id: int) -> CaseRow:
        row = session.scalar(self.cases(select(CaseRow).where(CaseRow.id == case_id)))
        if row is None:
            raise not_found(f"case {case_id}")
        return row

    def require_region(self, region_kato: str | None) -> None:
        """Acting on a region (a new case, a unit) needs that region in scope."""
        if not self.allows(region_kato):
            raise forbidden(f"region {region_kato} is outside your regions")


def _in_regions(katos: tuple[str, ...]) -> ColumnElement[bool]:
    return exists().where(
        DocumentRegionRow.document_id == DocumentRow.id, DocumentRegionRow.region_kato.in_(katos)
    )
