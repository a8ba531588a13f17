"""Who acts, and what their role lets them do."""

from __future__ import annotations

from dataclasses import dataclass

from birlik.access.models import UserRow

PERMISSIONS: dict[str, frozenset[str]] = {
    "administrator": frozenset(
        {
            "read",
            "read_alerts",
            "act_alerts",
            "read_cases",
            "act_cases",
            "edit_registry",
            "admin",
            "read_visits",
        }
    ),
    "analyst": frozenset({"read", "read_alerts", "read_cases", "read_visits"}),
    "coordinator": frozenset({"read", "read_alerts", "act_alerts", "read_cases", "act_cases", "read_visits"}),
    "mediator": frozenset({"read_cases", "act_cases", "read_visits"}),
    "viewer": frozenset({"read"}),
}
"""``read`` covers documents, stories, target indicators, surveys and the quarterly report (each
within the user's regions); ``read_visits``: monitoring visits and their recommendations in the
user's regions — a mediator works with them, a viewer of the public picture does not."""
ALL_REGION_ROLES = frozenset({"administrator", "analyst"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who makes the request, and how they proved it."""

    user_id: int
    username: str
    display_name: str
    role: str
    regions: frozenset[str]
    via: str
    """``session`` (a cookie: forms must carry the CSRF token) or ``token`` (an API token)."""
    csrf_token: str = ""
    scope: str = "write"
    """What an API token may do: ``read`` (safe methods only) or ``write``; a session: ``write``."""

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())



def principal_of(user: UserRow, *, via: str, csrf_token: str = "", scope: str = "write") -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        regions=frozenset(grant.region_kato for grant in user.grants),
        via=via,
        csrf_token=csrf_token,
        scope=scope,
    )

