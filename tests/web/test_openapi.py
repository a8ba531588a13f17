"""/api/v1/openapi.json describes what the API returns: every GET of the API is called as an
administrator and as a coordinator on the seeded store, and each real response is validated
against the response schema the document gives for it. Routes whose schema says nothing (an
untyped ``dict``) are listed, and the typed ones must stay typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

Client = Callable[[str], tuple[TestClient, str]]

#: routes whose responses are pydantic models: their schema must describe them
TYPED = {
    "/api/v1/me",
    "/api/v1/tokens",
    "/api/v1/users",
    "/api/v1/audit",
    "/api/v1/registry/units",
    "/api/v1/sources",
    "/api/v1/indicators",
    "/api/v1/reports",
    "/api/v1/targets",
    "/api/v1/surveys",
    "/api/v1/visits",
}


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def response_schema(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


def untyped(schema: dict[str, Any] | None) -> bool:
    """True for a schema that admits anything (``{}``, an object of anything, a list of those)."""
    if not schema:
        return True
    if schema.get("type") == "array":
        return untyped(schema.get("items"))
    return schema.get("type") == "object" and "properties" not in schema and "$ref" not in schema


def fill(path: str, seeded: dict[str, int]) -> str | None:
    """A path with its parameters filled from the seeded store; None when it names something
    the seed does not have."""
    ids = {"document_id": seeded["doc_z"], "story_id": seeded["story_x"], "alert_id": seeded["alert_z"]}
    names = re.findall(r"{(\w+)}", path)
    if any(name not in ids for name in names):
        return None
    return re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)


@pytest.mark.parametrize("role", ["administrator", "coordinator"])
def test_every_api_response_matches_its_schema(as_user: Client, seeded: dict[str, int], role: str) -> None:
    client, _ = as_user(role)
    spec = client.get("/api/v1/openapi.json").json()
    checked, loose = [], []
    for path, operations in sorted(spec["paths"].items()):
        operation = operations.get("get")
        target = fill(path, seeded)
        if operation is None or target is None or not path.startswith("/api/v1/") or path.endswith("docs"):
            continue
        response = client.get(target)
        if response.status_code != 200 or "json" not in response.headers.get("content-type", ""):
            continue
        schema = response_schema(spec, operation)
        if untyped(schema):
            loose.append(path)
            assert path not in TYPED, f"{path} lost its response model"
            continue
        assert schema is not None
        jsonschema.validate(response.json(), {**schema, "components": spec.get("components", {})})
        checked.append(path)
    refused = {"/api/v1/users", "/api/v1/audit"}  # administrators only
    reachable = TYPED if role == "administrator" else TYPED - refused
    assert reachable <= set(checked), (checked, loose)
    print(f"{role}: {len(checked)} typed responses validated; without a schema: {loose}")


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
