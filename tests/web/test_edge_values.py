"""Every route, every path and query parameter, a table of edge values: never a 5xx.

Huge, negative and 30-digit numbers, digits of other scripts, far and malformed dates, empty
and very long strings used to reach the database or date arithmetic and come back as 500s (which
also closed the keep-alive connection). The routes and their parameters are read from the app
(the same list the OpenAPI description is built from, which is checked to be covered), so a new
route or parameter is tested without being named here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import cycle, islice
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from birlik.web.app import ROUTERS

Client = Callable[[str], tuple[TestClient, str]]

# always sent: the values that reached the database or a date computation
CORE = ["1" + "0" * 18, "9" * 30, "-1", "²", "9999-12-31", "x" * 3000]
# the rest, a few per parameter in turn: every one is sent somewhere, the number of requests stays bounded
MORE = [
    "0",
    str(2**63),
    "-" + "9" * 25,
    "١٢٣",  # Arabic-Indic digits
    "٣",
    "1e400",
    "NaN",
    "inf",
    "0001-01-01",
    "2026-02-30",
    "2026-13-01",
    "21.03.2026",
    "",
    " ",
    "%00",
    "тест",
    "Қ" * 500,
    "1.5",
    "../../etc/passwd",
]
SKIP = {("POST", "/logout"), ("POST", "/login")}  # would end the session the test speaks through


def parameters(dependant: Dependant, kind: str) -> Iterator[str]:
    for field in getattr(dependant, kind):
        yield field.alias
    for sub in dependant.dependencies:
        yield from parameters(sub, kind)


def cases() -> list[tuple[str, str, str, str, str]]:
    """(method, path template, where, parameter, value) for every parameter of every route."""
    out = []
    extras = cycle(MORE)
    for router in ROUTERS:
        for route in router.router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods):
                if (method, route.path) in SKIP:
                    continue
                for where in ("path_params", "query_params"):
                    for name in dict.fromkeys(parameters(route.dependant, where)):
                        for value in CORE + list(islice(extras, 3)):
                            if where == "path_params" and not value.strip():
                                continue  # an empty path segment is another URL
                            out.append((method, route.path, where, name, value))
    return out


CASES = cases()


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_the_table_covers_every_api_route(as_user: Client) -> None:
    client, _ = as_user("administrator")
    described = client.get("/api/v1/openapi.json").json()["paths"]
    covered = {path for _, path, _, _, _ in CASES}
    with_parameters = {p for p, ops in described.items() if any(o.get("parameters") for o in ops.values())}
    assert with_parameters <= covered, with_parameters - covered
    assert set(MORE) <= {value for *_, value in CASES}
    assert len(CASES) < 2000  # bounded: the test stays fast


def test_no_edge_value_gives_a_server_error(as_user: Client, seeded: dict[str, int]) -> None:
    logged_in, csrf = as_user("administrator")
    case = logged_in.post(f"/api/v1/alerts/{seeded['alert_z']}/escalate", json={}).json()["case"]["id"]
    client = TestClient(logged_in.app, raise_server_exceptions=False)  # a 500 is an answer here
    client.cookies, client.headers = logged_in.cookies, logged_in.headers
    valid = {
        "document_id": seeded["doc_z"],
        "story_id": seeded["story_x"],
        "alert_id": seeded["alert_p"],
        "case_id": case,
        "action": "acknowledge",
        "code": "kk",
    }
    failures = []
    for method, template, where, name, value in CASES:
        path_values = {key: quote(str(v), safe="") for key, v in valid.items()}
        query: dict[str, Any] = {}
        if where == "path_params":
            path_values[name] = quote(value, safe="")
        else:
            query[name] = value
        path = template.format_map(_Default(path_values))
        body: dict[str, Any] = {}
        if method != "GET":
            body = {"json": {}} if template.startswith("/api/") else {"data": {"csrf_token": csrf}}
        response = client.request(method, path, params=query, follow_redirects=False, **body)
        if response.status_code >= 500:
            failures.append(f"{method} {path} {name}={value[:40]!r} → {response.status_code}")
        elif template.startswith("/api/") and response.status_code >= 400:
            error = response.json().get("error", {})
            if not error.get("code") or error.get("status") != response.status_code:
                failures.append(f"{method} {path} {name}={value[:40]!r}: not the error shape")
    assert not failures, "\n".join(failures[:40])


class _Default(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "1"
