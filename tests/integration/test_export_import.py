"""Export streams everything of a user; import restores it so that search and context agree."""

from __future__ import annotations

import json
from typing import Any, Callable

from litestar.testing import TestClient

from privacy_helpers import user_tables

Sql = Callable[..., list[Any]]

TURNS = [
    {"role": "user", "text": "My name is Odile Ferrant and I moved to Lyon in March.", "speaker": "Odile", "client_id": "t1",
     "metadata": {"lang": "en", "tags": ["move"]}},
    {"role": "assistant", "text": "Welcome to Lyon, Odile! How is the new flat?"},
    {"role": "user", "text": "The flat is great but my espresso machine broke during the move.", "speaker": "Odile"},
    {"role": "user", "text": "I ordered a replacement grinder from Brevlo last week.", "speaker": "Odile"},
]


def _top(client: TestClient, user: str) -> tuple[list[str], list[str], str]:
    hits = client.post(f"/v1/users/{user}/memories/search", json={"query": "what broke in the move?", "limit": 3}).json()
    context = client.get(f"/v1/users/{user}/context", params={"query": "espresso machine", "conversation_id": "c1"}).json()
    return [h["text"] for h in hits["hits"]], [m["text"] for m in context["memories"]], context["text"]


def test_export_counts_match_and_import_round_trips(
    client: TestClient, ingest: Callable[..., dict[str, Any]], sql: Sql, user_id: str
) -> None:
    ingest(user_id, "c1", *TURNS)
    before = _top(client, user_id)

    response = client.get(f"/v1/users/{user_id}/export")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    doc = response.json()
    assert doc["format"] == "graphmem-export" and doc["user_id"] == user_id
    for table in user_tables(sql):
        in_db = sql(f'SELECT count(*) FROM "{table}" WHERE user_id = :u', u=user_id)[0][0]
        assert doc["counts"][table] == len(doc["tables"][table]) == in_db, table
    assert user_id not in json.dumps(doc["tables"])  # rows carry no user id; the path decides

    assert client.post(f"/v1/users/{user_id}/import", json=doc).status_code == 409  # not empty
    assert client.delete(f"/v1/users/{user_id}").status_code == 200
    restored = client.post(f"/v1/users/{user_id}/import", json=doc)
    assert restored.status_code == 201, restored.text
    assert restored.json()["counts"] == doc["counts"]
    assert _top(client, user_id) == before

    copy = f"{user_id}-copy"
    assert client.post(f"/v1/users/{copy}/import", json=doc).status_code == 201
    assert _top(client, copy)[:2] == before[:2]
    # New writes after an import get fresh ids.
    assert ingest(copy, "c1", {"role": "user", "text": "Another message after the import."})["created"] == 1
    again = client.get(f"/v1/users/{copy}/export").json()
    assert again["counts"]["messages"] == doc["counts"]["messages"] + 1


def test_export_of_unknown_user_is_404(client: TestClient) -> None:
    assert client.get("/v1/users/never-existed-xyz/export").status_code == 404


def test_import_rejects_broken_documents(client: TestClient, user_id: str) -> None:
    base = {"format": "graphmem-export", "version": 1, "user_id": "x", "counts": {}}
    cases = [
        ({**base, "tables": {"secrets": [{"a": 1}]}}, 422),
        ({**base, "tables": {"users": [{"created_at": "2024-01-01T00:00:00Z"}]}, "counts": {"users": 2}}, 422),
        ({**base, "tables": {"messages": [{"id": 1, "conversation_id": "nope", "role": "user", "text": "x",
                                           "ts": "2024-01-01T00:00:00Z", "metadata": {}, "created_at": "2024-01-01T00:00:00Z"}]}}, 422),
        ({**base, "format": "other", "tables": {}}, 400),
    ]
    for body, status in cases:
        response = client.post(f"/v1/users/{user_id}/import", json=body)
        assert response.status_code == status, (body, response.text)
    assert client.get(f"/v1/users/{user_id}").status_code == 404  # nothing half-imported
