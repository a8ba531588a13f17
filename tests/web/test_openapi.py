"""/api/v1/openapi.json describes what the API returns: every route that answers with JSON has a
response schema (a bare ``dict`` fails), and every GET of the API, called as an administrator
and as a coordinator on the seeded store, answers with what that schema says (each real
response is validated against it with jsonschema)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from web.conftest import ZHAMBYL

Client = Callable[[str], tuple[TestClient, str]]

#: GET routes a coordinator may not call (administrators only)
ADMINISTRATORS_ONLY = {"/api/v1/users", "/api/v1/audit"}
#: GET routes that answer with a file, not JSON
FILES = {"/api/v1/reports/download", "/api/v1/cases/{case_id}/attachments/{attachment_id}"}


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def response_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema of the operation's success (200 or 201); None without one."""
    responses = operation.get("responses", {})
    ok = responses.get("200") or responses.get("201") or {}
    schema = ok.get("content", {}).get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


def untyped(schema: dict[str, Any] | None) -> bool:
    """True for a schema that admits anything (``{}``, an object of anything, a list of those)."""
    if not schema:
        return True
    if schema.get("type") == "array":
        return untyped(schema.get("items"))
    return schema.get("type") == "object" and "properties" not in schema and "$ref" not in schema


def fill(path: str, ids: dict[str, int]) -> str | None:
    """A path with its parameters filled from the seeded store; None when it names something
    the seed does not have."""
    names = re.findall(r"{(\w+)}", path)
    if any(name not in ids for name in names):
        return None
    return re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)


def validate(spec: dict[str, Any], operation: dict[str, Any], body: Any) -> None:
    schema = response_schema(operation)
    assert schema is not None and not untyped(schema)
    jsonschema.validate(body, {**schema, "components": spec.get("components", {})})


def test_every_api_route_says_what_it_returns(as_user: Client) -> None:
    """Every route of the API that answers with JSON has a response schema that describes it: a
    new route returning a bare ``dict`` fails here."""
    client, _ = as_user("administrator")
    spec = client.get("/api/v1/openapi.json").json()
    loose, typed = [], []
    for path, operations in sorted(spec["paths"].items()):
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            if not path.startswith("/api/v1/") or not {"200", "201"} & set(responses):
                continue  # 204: no body
            if path in FILES:
                assert "application/json" not in responses["200"].get("content", {}), path
                continue
            (loose if untyped(response_schema(operation)) else typed).append(f"{method.upper()} {path}")
    assert loose == [], f"routes without a response schema: {loose}"
    assert len(typed) >= 30, typed


@pytest.mark.parametrize("role", ["administrator", "coordinator"])
def test_every_api_response_matches_its_schema(as_user: Client, seeded: dict[str, int], role: str) -> None:
    """Every GET of the API, called on the seeded store (and on a case opened by escalating an
    alert, with a comment), answers with what its schema says."""
    client, _ = as_user(role)
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    escalated = client.post(f"/api/v1/alerts/{seeded['alert_z']}/escalate", json={})
    assert escalated.status_code == 200, escalated.text
    validate(spec, paths["/api/v1/alerts/{alert_id}/{action}"]["post"], escalated.json())
    case_id = escalated.json()["case"]["id"]
    commented = client.post(f"/api/v1/cases/{case_id}/comments", json={"body": "Checked."})
    assert commented.status_code == 201, commented.text
    validate(spec, paths["/api/v1/cases/{case_id}/comments"]["post"], commented.json())
    moved = client.post(f"/api/v1/cases/{case_id}/move", json={"status": "triaged"})
    assert moved.status_code == 200, moved.text
    validate(spec, paths["/api/v1/cases/{case_id}/move"]["post"], moved.json())
    ids = {
        "document_id": seeded["doc_z"],
        "story_id": seeded["story_x"],
        "alert_id": seeded["alert_z"],
        "case_id": case_id,
    }
    checked = []
    for path, operations in sorted(paths.items()):
        operation = operations.get("get")
        target = fill(path, ids)
        if operation is None or target is None or not path.startswith("/api/v1/") or path in FILES:
            continue
        response = client.get(target)
        if response.status_code == 403 and role != "administrator" and path in ADMINISTRATORS_ONLY:
            continue
        assert response.status_code == 200, (path, response.text)
        validate(spec, operation, response.json())
        checked.append(path)
    gets = {path for path, operations in paths.items() if "get" in operations and path.startswith("/api/v1/")}
    expected = gets - FILES - (ADMINISTRATORS_ONLY if role != "administrator" else set())
    assert set(checked) == expected, sorted(expected - set(checked))
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    assert [c["body"] for c in detail["comments"]] == ["Checked."] and detail["history"], detail
    # times are written as the API always wrote them (isoformat: +00:00, not Z)
    assert detail["created_at"].endswith("+00:00") and detail["comments"][0]["at"].endswith("+00:00")
    print(f"{role}: {len(checked)} GET responses validated against their schema")


def test_the_overview_shows_alerts_only_to_those_who_may_read_them(as_user: Client) -> None:
    """The API's overview is the page's: a viewer (no alerts of their own) gets none in it; a
    coordinator gets those of their region, and the page links the same alerts and documents."""
    viewer, _ = as_user("viewer")
    coordinator, _ = as_user("coordinator")
    assert viewer.get("/api/v1/alerts").status_code == 403
    assert viewer.get("/api/v1/overview").json()["alerts"] == []
    assert 'href="/alerts/' not in viewer.get("/").text
    view = coordinator.get("/api/v1/overview").json()
    assert [a["subject"] for a in view["alerts"]] == [ZHAMBYL]
    page = coordinator.get("/").text
    assert set(re.findall(r'href="/alerts/(\d+)"', page)) == {str(a["id"]) for a in view["alerts"]}
    assert 'href="/alerts/' in page and view["top_documents"]


def test_a_response_that_breaks_its_schema_is_caught() -> None:
    """The check above can fail: a response missing a required field does not validate."""
    schema = {"$ref": "#/components/schemas/UserPublic"}
    components = {
        "schemas": {
            "UserPublic": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "username": {"type": "string"}},
                "required": ["id", "username"],
            }
        }
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": 1}, {**schema, "components": components})
