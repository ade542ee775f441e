"""The in-process BM25 index follows PostgreSQL: writes, deletes and erasure are seen at once."""

from __future__ import annotations

from typing import Any, Callable

from litestar.testing import TestClient

Ingest = Callable[..., dict[str, Any]]


def _lexical(client: TestClient, user: str, query: str) -> dict[str, float]:
    response = client.post(f"/v1/users/{user}/memories/search", json={"query": query, "limit": 10})
    assert response.status_code == 200, response.text
    hits = response.json()["hits"]
    return {h["text"]: h["why"]["channels"]["lexical"]["score"] for h in hits if "lexical" in h["why"]["channels"]}


def _turn(text: str, minute: int) -> dict[str, Any]:
    return {"role": "user", "speaker": "Ana", "text": text, "timestamp": f"2024-05-01T10:{minute:02d}:00Z"}


def test_index_follows_inserts_deletes_and_erasure(client: TestClient, ingest: Ingest, user_id: str) -> None:
    search = client.app.state.services.search
    ingest(user_id, "a", _turn("The quokka photo is my favourite.", 0))  # alone: no neighbour shares its words
    ingest(user_id, "b", *(_turn(f"Filler note {i} about groceries.", 10 + i) for i in range(6)))
    first = _lexical(client, user_id, "quokka photo")
    assert list(first) == ["The quokka photo is my favourite."]
    assert search.lexicon.latest(user_id, "context") is not None  # the index of context documents

    ingest(user_id, "c", _turn("Another quokka came by today.", 30))  # a new document, and df of quokka 2
    second = _lexical(client, user_id, "quokka photo")
    assert "Another quokka came by today." in second
    assert second["The quokka photo is my favourite."] != first["The quokka photo is my favourite."]

    response = client.post(f"/v1/users/{user_id}/memories/search", json={"query": "Another quokka", "limit": 1})
    message_id = response.json()["hits"][0]["message_id"]
    assert client.delete(f"/v1/users/{user_id}/messages/{message_id}").status_code in (200, 204)
    third = _lexical(client, user_id, "quokka photo")
    assert list(third) == ["The quokka photo is my favourite."]
    assert third["The quokka photo is my favourite."] == first["The quokka photo is my favourite."]

    assert client.delete(f"/v1/users/{user_id}").status_code in (200, 202)
    assert user_id not in search.lexicon  # this process drops the erased user's words at once
    assert _lexical(client, user_id, "quokka photo") == {}
