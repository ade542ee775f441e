"""The wire contract: generated JSON Schemas match the code, the served OpenAPI is valid, and
every error has the one shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient
from openapi_spec_validator import validate

from graphmem.cli.schemas import render_schemas, schemas

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_schema_files_match_the_code() -> None:
    wanted = render_schemas()
    present = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.json")}
    assert sorted(present) == sorted(wanted), "run `graphmem schemas`"
    for name, text in wanted.items():
        assert present[name] == text, f"schemas/{name} is out of date; run `graphmem schemas`"
    assert {"ContextResponse.json", "EntityDetail.json", "RelationCreate.json", "Status.json", "ErrorResponse.json"} <= set(wanted)


def test_schemas_check_reports_drift(tmp_path: Path) -> None:
    assert schemas(str(tmp_path), check=True) == 1
    assert schemas(str(tmp_path), check=False) == 0
    assert schemas(str(tmp_path), check=True) == 0
    (tmp_path / "Stale.json").write_text("{}\n")
    assert schemas(str(tmp_path), check=True) == 1


def test_served_openapi_validates(client: TestClient) -> None:
    spec = client.get("/schema/openapi.json").json()
    validate(spec)
    paths = spec["paths"]
    for path in (
        "/v1/users/{user_id}/entities/{entity_id}/neighbours",
        "/v1/users/{user_id}/relations/{relation_id}/invalidate",
        "/v1/users/{user_id}/context",
        "/v1/status",
    ):
        assert path in paths


def test_a_conflict_has_the_shape_too(client: TestClient, user_id: str) -> None:
    url = f"/v1/users/{user_id}/entities"
    assert client.post(url, json={"name": "Same", "type": "ORG"}).status_code == 201
    response = client.post(url, json={"name": "same", "type": "ORG"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict" and response.json()["error"]["details"] == {"field": "name"}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("get", "/v1/users/u-contract/entities/1", None, 404, "not_found"),
        ("get", "/v1/users/u-contract/relations/1", None, 404, "not_found"),
        ("get", "/v1/users/u-contract/entities?limit=0", None, 422, "limit_exceeded"),
        ("get", "/v1/users/u-contract/relations?cursor=nope", None, 422, "invalid_input"),
        ("post", "/v1/users/u-contract/relations", {"subject_id": 1}, 400, "invalid_request"),
        ("put", "/v1/users/u-contract/entities/1", {}, 405, "method_not_allowed"),
        ("get", "/v1/users/u-contract-missing", None, 404, "not_found"),
    ],
)
def test_every_error_has_one_shape(client: TestClient, method: str, path: str, body: object, status: int, code: str) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    payload = response.json()
    assert set(payload) == {"error"} and set(payload["error"]) == {"code", "message", "details"}
    assert payload["error"]["code"] == code and payload["error"]["message"]
