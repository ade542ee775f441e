"""No endpoint shows one user anything of another user's."""

from __future__ import annotations

from typing import Any, Callable

from litestar.testing import TestClient


def test_user_a_sees_nothing_of_user_b(client: TestClient, ingest: Callable[..., dict[str, Any]]) -> None:
    a, b = "scope-a", "scope-b"
    secret = "The vault code is tangerine-4471."
    ingest(b, "shared-name", {"role": "user", "text": secret, "client_id": "s1"})
    ingest(a, "own", {"role": "user", "text": "I like tangerines and vaults.", "client_id": "s1"})

    # B's conversation id under A's path: not found, not B's data.
    assert client.get(f"/v1/users/{a}/conversations/shared-name/messages").status_code == 404

    # Search by every channel, with and without filters: only A's memory can come back.
    for body in (
        {"query": "vault code tangerine-4471", "limit": 100},
        {"query": "tangerine", "recipe": "fast"},
        {"query": "tangerine", "recipe": "deep", "filters": {"conversation_id": "shared-name"}},
    ):
        hits = client.post(f"/v1/users/{a}/memories/search", json=body).json()["hits"]
        assert all(h["text"] != secret for h in hits)
        assert all(h["conversation_id"] == "own" for h in hits)

    # The same client id in A's namespace is A's own message, not a duplicate of B's.
    again = ingest(a, "shared-name", {"role": "user", "text": "new", "client_id": "s1"})
    assert again["created"] == 1
    texts = [m["text"] for m in client.get(f"/v1/users/{a}/conversations/shared-name/messages").json()["messages"]]
    assert texts == ["new"]


def test_unknown_user_search_is_empty(client: TestClient) -> None:
    response = client.post("/v1/users/nobody-at-all/memories/search", json={"query": "anything"})
    assert response.status_code == 200 and response.json()["hits"] == []
