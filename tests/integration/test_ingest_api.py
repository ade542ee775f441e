"""Ingest over HTTP: durable batches, idempotent client ids, and reading them back."""

from __future__ import annotations

from typing import Any, Callable

from litestar.testing import TestClient

Ingest = Callable[..., dict[str, Any]]


def _messages(client: TestClient, user: str, conversation: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/v1/users/{user}/conversations/{conversation}/messages", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_ingest_creates_messages_and_memories(client: TestClient, ingest: Ingest, user_id: str) -> None:
    body = ingest(
        user_id,
        "support-1",
        {"role": "user", "text": "My order #123 arrived broken.", "speaker": "Dana", "client_id": "a"},
        {"role": "assistant", "text": "Sorry to hear that, I will send a replacement.", "client_id": "b"},
    )
    assert body["created"] == 2 and body["duplicates"] == 0
    assert [m["status"] for m in body["messages"]] == ["created", "created"]
    page = _messages(client, user_id, "support-1")
    assert [m["text"] for m in page["messages"]] == [
        "My order #123 arrived broken.",
        "Sorry to hear that, I will send a replacement.",
    ]
    assert page["messages"][0]["speaker"] == "Dana"
    hits = client.post(f"/v1/users/{user_id}/memories/search", json={"query": "broken order"}).json()["hits"]
    assert hits[0]["client_id"] == "a"
    assert hits[0]["message_id"] == body["messages"][0]["message_id"]


def test_resending_a_client_id_changes_nothing(client: TestClient, ingest: Ingest, user_id: str) -> None:
    first = ingest(user_id, "c", {"role": "user", "text": "I live in Lisbon.", "client_id": "m-1"})
    again = client.post(
        f"/v1/users/{user_id}/conversations/c/messages?wait=true",
        json={
            "messages": [
                {"role": "user", "text": "I live in Lisbon.", "client_id": "m-1"},
                {"role": "user", "text": "And I work at Acme.", "client_id": "m-2"},
            ]
        },
    )
    assert again.status_code == 201
    body = again.json()
    assert body["created"] == 1 and body["duplicates"] == 1
    assert body["messages"][0] == {
        "index": 0,
        "message_id": first["messages"][0]["message_id"],
        "client_id": "m-1",
        "status": "duplicate",
    }
    only_duplicates = client.post(
        f"/v1/users/{user_id}/conversations/c/messages?wait=true",
        json={"messages": [{"role": "user", "text": "I live in Lisbon.", "client_id": "m-1"}]},
    )
    assert only_duplicates.status_code == 200
    assert only_duplicates.json()["created"] == 0
    assert len(_messages(client, user_id, "c")["messages"]) == 2
    hits = client.post(f"/v1/users/{user_id}/memories/search", json={"query": "Lisbon", "limit": 50}).json()["hits"]
    assert len([h for h in hits if h["client_id"] == "m-1"]) == 1


def test_same_client_id_in_another_conversation_is_a_new_message(ingest: Ingest, user_id: str) -> None:
    ingest(user_id, "c1", {"role": "user", "text": "hello", "client_id": "x"})
    body = ingest(user_id, "c2", {"role": "user", "text": "hello", "client_id": "x"})
    assert body["created"] == 1


def test_cursor_paging_walks_every_message_once_in_time_order(client: TestClient, ingest: Ingest, user_id: str) -> None:
    messages = [
        {"role": "user", "text": f"message {i}", "timestamp": f"2024-01-01T00:00:{59 - i:02d}Z", "client_id": str(i)}
        for i in range(7)
    ]
    ingest(user_id, "paged", *messages)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = _messages(client, user_id, "paged", **params)
        seen += [m["client_id"] for m in page["messages"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [str(i) for i in reversed(range(7))]  # oldest timestamp first


def test_exact_page_boundary_has_no_next_cursor(client: TestClient, ingest: Ingest, user_id: str) -> None:
    ingest(user_id, "c", *({"role": "user", "text": f"t{i}"} for i in range(4)))
    page = _messages(client, user_id, "c", limit=4)
    assert len(page["messages"]) == 4 and page["next_cursor"] is None


def test_timestamp_defaults_to_now_and_naive_means_utc(client: TestClient, ingest: Ingest, user_id: str) -> None:
    ingest(
        user_id,
        "c",
        {"role": "user", "text": "naive", "timestamp": "2023-05-08T13:56:00"},
        {"role": "user", "text": "server time"},
    )
    page = _messages(client, user_id, "c")["messages"]
    assert page[0]["timestamp"] == "2023-05-08T13:56:00Z"
    assert page[1]["timestamp"] > "2026-01-01"


def test_unknown_conversation_is_404(client: TestClient, user_id: str) -> None:
    response = client.get(f"/v1/users/{user_id}/conversations/nope/messages")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
