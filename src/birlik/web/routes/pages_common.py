"""Rendering pages: every template gets the translator, the user, the CSRF token and names."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from birlik.access.principal import PERMISSIONS, Principal
from birlik.query.scope import RegionScope
from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.regions import region_short_name
from birlik.web.deps import WebState
from birlik.web.i18n import LANGUAGES, Translator
from birlik.web.messages import alert_title, say


def region_names(lang: str) -> dict[str, str]:
    """Each region's name as lists, filters and chart titles write it: the map's short name, so
    that Almaty Region and the city of Almaty (one bare name) read apart (``region_short_name``)."""
    return dict(_region_names(lang))


@cache
def _region_names(lang: str) -> dict[str, str]:  # three times per page: worked out once per language
    return {p.kato: region_short_name(p.kato, lang) for p in load_gazetteer().regions()}


def ethnic_choices(lang: str) -> list[tuple[str, str]]:
    """(id, name in the reader's language) of the groups a filter offers, in the lexicon's order."""
    return [(group.id, group.display_name(lang)) for group in load_ethnic_groups() if not group.umbrella][:40]


def landing(role: str) -> str:
    """Where a role starts: the overview, or (a mediator, who reads no documents) their cases."""
    allowed = PERMISSIONS.get(role, frozenset())
    return "/cases" if "read" not in allowed and "read_cases" in allowed else "/"


def scope_line(who: Principal, t: Translator) -> str:
    """What the user's data is limited to, said on every page: national, or their regions."""
    if RegionScope.of(who).all_regions:
        return t("search.scope.national")
    names = region_names(t.lang)
    regions = ", ".join(sorted(names.get(kato, kato) for kato in who.regions))
    return t("search.scope.regions", regions=regions) if regions else t("search.scope.none")


def render(
    request: Request,
    state: WebState,
    t: Translator,
    template: str,
    who: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.update(
        request=request,
        t=t,
        lang=t.lang,
        languages=LANGUAGES,
        who=who,
        csrf=who.csrf_token if who else context.get("csrf", ""),
        region_names=region_names(t.lang),
        home=landing(who.role) if who else "/",
        say=partial(say, t),
        alert_title=partial(alert_title, t),
        scope_line=scope_line(who, t) if who else "",
    )
    return state.templates.TemplateResponse(request, template, context, status_code=status_code)


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)

