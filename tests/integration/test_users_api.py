"""Users and status: the paged user list, per-user counts, and what the server runs on."""

from __future__ import annotations

from typing import Any, Callable

from graph_helpers import error_code
from litestar.testing import TestClient

import graphmem

Ingest = Callable[..., dict[str, Any]]


def test_user_counts_and_first_last_seen(client: TestClient, ingest: Ingest, user_id: str) -> None:
    ingest(user_id, "a", {"role": "user", "text": "I live in Denver.", "timestamp": "2024-01-10T10:00:00Z"})
    ingest(
        user_id,
        "b",
        {"role": "user", "text": "I love green tea.", "timestamp": "2024-05-01T10:00:00Z"},
        {"role": "assistant", "text": "Noted!", "timestamp": "2024-05-01T10:00:05Z"},
    )
    body = client.get(f"/v1/users/{user_id}").json()
    assert body["user_id"] == user_id
    counts = body["counts"]
    assert (counts["conversations"], counts["messages"], counts["memories"]) == (2, 3, 3)
    assert counts["entities"] >= 3 and counts["relations"] == 2
    assert body["first_seen"].startswith("2024-01-10T10:00") and body["last_seen"].startswith("2024-05-01T10:00:05")
    missing = client.get(f"/v1/users/{user_id}-nobody")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    assert client.get("/v1/users/a%20b").status_code == 422


def test_user_list_pages_in_order(client: TestClient, ingest: Ingest, user_id: str) -> None:
    mine = [f"{user_id}-{i}" for i in range(3)]
    for user in mine:
        ingest(user, "c", {"role": "user", "text": "hello"})
    listed: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/v1/users", params=params).json()
        assert len(page["users"]) <= 2
        listed += [u["user_id"] for u in page["users"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert listed == sorted(listed) and len(listed) == len(set(listed))
    assert [u for u in listed if u.startswith(f"{user_id}-")] == mine
    everyone = client.get("/v1/users", params={"limit": 500}).json()
    if len(everyone["users"]) < 500:
        assert everyone["next_cursor"] is None and len(everyone["users"]) == len(listed)
    assert client.get("/v1/users", params={"limit": 0}).status_code == 422
    assert client.get("/v1/users", params={"cursor": "garbage!"}).status_code == 422


def test_status_reports_versions_models_mode_and_counts(client: TestClient, ingest: Ingest, user_id: str) -> None:
    ingest(user_id, "c", {"role": "user", "text": "I work at Initech."})
    status = client.get("/v1/status").json()
    assert status["versions"]["graphmem"] == graphmem.__version__
    assert status["versions"]["postgresql"].split(".")[0] == "18"
    assert status["versions"]["pgvector"]
    assert status["models"]["embedding_dimension"] == 384 and status["models"]["embedding"] and status["models"]["spacy"]
    assert status["database_mode"] == "external"  # the tests hand the app a database URL
    assert status["users"] >= 1 and status["counts"]["messages"] >= 1 and status["counts"]["relations"] >= 1
