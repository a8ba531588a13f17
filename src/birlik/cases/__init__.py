"""Cases: the tracked work that follows an escalated alert (new → triaged → assigned →
in_progress → resolved → closed), with a history of every change."""

from birlik.cases.workflow import (
    CASE_STATUSES,
    CASE_TRANSITIONS,
    assign_case,
    get_case,
    list_cases,
    move_case,
    open_case_from_alert,
)
from birlik.domain.errors import CaseError

__all__ = [
    "CASE_STATUSES",
    "CASE_TRANSITIONS",
    "CaseError",
    "assign_case",
    "get_case",
    "list_cases",
    "move_case",
    "open_case_from_alert",
]
