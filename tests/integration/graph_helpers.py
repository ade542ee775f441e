"""Small lookups the graph API tests share: find an entity's id by name through the API."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

__all__ = ["entity_id", "entity_named", "error_code"]


def entity_named(client: TestClient, user: str, name: str) -> dict[str, Any]:
    response = client.get(f"/v1/users/{user}/entities", params={"q": name, "limit": 500})
    assert response.status_code == 200, response.text
    wanted = name.lower()
    found = [e for e in response.json()["entities"] if e["key"] == wanted or e["name"].lower() == wanted]
    assert found, f"no entity {name!r} for {user}: {response.json()}"
    return found[0]  # type: ignore[no-any-return]


def entity_id(client: TestClient, user: str, name: str) -> int:
    return int(entity_named(client, user, name)["id"])


def error_code(response: Any) -> str:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    return str(body["error"]["code"])
