"""Relation routes: queries by subject, predicate, object and time; provenance; manual facts."""

from __future__ import annotations

from typing import Any, Callable

from graph_helpers import entity_id, error_code
from litestar.testing import TestClient

Ingest = Callable[..., dict[str, Any]]


def _mover(ingest: Ingest, user: str) -> dict[str, Any]:
    return ingest(
        user,
        "s1",
        {"role": "user", "text": "Hi, my name is Sarah Connor.", "timestamp": "2024-01-10T10:00:00Z"},
        {"role": "user", "text": "I live in Boston and I work at Acme.", "timestamp": "2024-01-10T10:01:00Z"},
        {"role": "user", "text": "I don't like spicy food.", "timestamp": "2024-01-10T10:02:00Z"},
        {"role": "user", "text": "I moved from Boston to Austin.", "timestamp": "2024-06-01T09:00:00Z"},
    )


def _where(rows: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(r["predicate"], r["object"]["name"] if r["object"] else r["object_literal"]) for r in rows]


def test_query_by_subject_predicate_object_and_polarity(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _mover(ingest, user_id)
    url = f"/v1/users/{user_id}/relations"
    mine = client.get(url, params={"subject": "Sarah Connor"}).json()["relations"]
    assert {("lives_in", "Austin"), ("works_at", "Acme"), ("name", "Sarah Connor")} <= set(_where(mine))
    sarah = mine[0]["subject"]["id"]
    assert all(r["subject"]["id"] == sarah for r in mine)
    by_id = client.get(url, params={"subject_id": sarah, "predicate": "works_at"}).json()["relations"]
    assert _where(by_id) == [("works_at", "Acme")]
    assert _where(client.get(url, params={"object": "austin"}).json()["relations"]) == [("lives_in", "Austin")]
    assert _where(client.get(url, params={"object": "sarah connor", "predicate": "name"}).json()["relations"]) == [("name", "Sarah Connor")]
    negative = client.get(url, params={"polarity": -1}).json()["relations"]
    assert negative and all(r["polarity"] == -1 for r in negative) and negative[0]["predicate"] == "likes"
    assert client.get(url, params={"subject": "Nobody Atall"}).json()["relations"] == []
    assert client.get(url, params={"subject_id": sarah, "subject": "Austin"}).json()["relations"] == []
    assert client.get(url, params={"polarity": 0}).status_code == 400


def test_time_queries(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _mover(ingest, user_id)
    url = f"/v1/users/{user_id}/relations"
    current = client.get(url, params={"predicate": "lives_in"}).json()["relations"]
    assert _where(current) == [("lives_in", "Austin")]
    history = client.get(url, params={"predicate": "lives_in", "include_history": "true"}).json()["relations"]
    assert sorted(_where(history)) == [("lives_in", "Austin"), ("lives_in", "Boston")]
    boston = next(r for r in history if r["object"]["name"] == "Boston")
    assert boston["valid_to"].startswith("2024-06-01T09:00")
    for moment, city in (("2024-03-01T00:00:00Z", "Boston"), ("2024-06-01T09:00:00Z", "Austin"), ("2025-01-01T00:00:00Z", "Austin")):
        at = client.get(url, params={"predicate": "lives_in", "as_of": moment}).json()["relations"]
        assert _where(at) == [("lives_in", city)], moment
    before = client.get(url, params={"predicate": "lives_in", "as_of": "2023-01-01T00:00:00Z"}).json()["relations"]
    assert before == []
    assert client.get(url, params={"as_of": "yesterday"}).status_code == 400


def test_relation_pages_end_exactly(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _mover(ingest, user_id)
    url = f"/v1/users/{user_id}/relations"
    everything = client.get(url, params={"include_history": "true", "limit": 500}).json()
    total = len(everything["relations"])
    assert total >= 4 and everything["next_cursor"] is None
    ids, cursor = [], None
    while True:
        params: dict[str, Any] = {"include_history": "true", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get(url, params=params).json()
        ids += [r["id"] for r in page["relations"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert ids == [r["id"] for r in everything["relations"]] and ids == sorted(ids, reverse=True)
    exact = client.get(url, params={"include_history": "true", "limit": total}).json()
    assert exact["next_cursor"] is None
    users_cursor = client.get("/v1/users", params={"limit": 1}).json()["next_cursor"]
    assert client.get(url, params={"cursor": users_cursor}).status_code == 422


def test_provenance_points_at_the_message(client: TestClient, ingest: Ingest, user_id: str) -> None:
    body = _mover(ingest, user_id)
    url = f"/v1/users/{user_id}/relations"
    works = client.get(url, params={"predicate": "works_at"}).json()["relations"][0]
    detail = client.get(f"{url}/{works['id']}").json()
    source = detail["provenance"]
    assert source["message_id"] == body["messages"][1]["message_id"] == works["message_id"]
    assert source["conversation_id"] == "s1" and source["role"] == "user"
    assert source["evidence"] == "I work at Acme"
    assert "I work at Acme" in source["snippet"] and source["snippet"].startswith("I live in Boston")
    assert client.get(f"{url}/999999999").status_code == 404


def test_manual_facts_create_update_invalidate_delete(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _mover(ingest, user_id)
    url = f"/v1/users/{user_id}/relations"
    me = entity_id(client, user_id, "user")
    denver = client.post(f"/v1/users/{user_id}/entities", json={"name": "Denver", "type": "GPE"}).json()["entity"]["id"]

    made = client.post(url, json={"subject_id": me, "predicate": "lives_in", "object_id": denver})
    assert made.status_code == 201, made.text
    fact = made.json()
    assert fact["source"] == "manual" and fact["object"]["name"] == "Denver" and fact["valid_to"] is None
    assert _where(client.get(url, params={"predicate": "lives_in"}).json()["relations"]) == [("lives_in", "Denver")]
    assert client.get(f"{url}/{fact['id']}").json()["provenance"] is None
    again = client.post(url, json={"subject_id": me, "predicate": "lives_in", "object_id": denver})
    assert again.status_code == 409 and error_code(again) == "conflict"

    note = client.post(url, json={"subject_id": me, "predicate": "prefers", "object_literal": "phone calls", "confidence": 0.7})
    assert note.status_code == 201 and note.json()["object_literal"] == "phone calls"
    for bad in (
        {"subject_id": me, "predicate": "likes"},
        {"subject_id": me, "predicate": "likes", "object_id": denver, "object_literal": "x"},
        {"subject_id": me, "predicate": "likes", "object_literal": "x", "valid_from": "2024-02-01T00:00:00Z", "valid_to": "2024-01-01T00:00:00Z"},
    ):
        assert client.post(url, json=bad).status_code == 422, bad
    assert client.post(url, json={"subject_id": me, "predicate": "Lives In", "object_literal": "x"}).status_code == 400
    assert client.post(url, json={"subject_id": me, "predicate": "likes", "object_literal": "x", "confidence": 2}).status_code == 422
    assert client.post(url, json={"subject_id": 999999999, "predicate": "likes", "object_literal": "x"}).status_code == 404

    updated = client.patch(f"{url}/{note.json()['id']}", json={"object_literal": "email", "confidence": 0.9, "polarity": -1}).json()
    assert (updated["object_literal"], updated["confidence"], updated["polarity"]) == ("email", 0.9, -1)
    moved = client.patch(f"{url}/{note.json()['id']}", json={"object_id": denver}).json()
    assert moved["object"]["id"] == denver and moved["object_literal"] is None
    assert client.patch(f"{url}/{note.json()['id']}", json={"object_id": None}).status_code == 422
    assert client.patch(f"{url}/{note.json()['id']}", json={"valid_to": "1990-01-01T00:00:00Z"}).status_code == 422
    assert client.patch(f"{url}/999999999", json={"confidence": 0.1}).status_code == 404

    ended = client.post(f"{url}/{fact['id']}/invalidate")
    assert ended.status_code == 200 and ended.json()["valid_to"] is not None
    assert client.get(url, params={"predicate": "lives_in"}).json()["relations"] == []
    assert client.post(f"{url}/{fact['id']}/invalidate").status_code == 409
    assert client.post(f"{url}/{note.json()['id']}/invalidate", json={"at": "2030-01-01T00:00:00Z"}).json()["valid_to"].startswith("2030")

    assert client.delete(f"{url}/{fact['id']}").status_code == 204
    assert client.get(f"{url}/{fact['id']}").status_code == 404
    assert client.delete(f"{url}/{fact['id']}").status_code == 404


def test_another_users_relation_ids_are_not_found(client: TestClient, ingest: Ingest, user_id: str) -> None:
    other = f"{user_id}-b"
    _mover(ingest, other)
    _mover(ingest, user_id)
    theirs = client.get(f"/v1/users/{other}/relations", params={"predicate": "works_at"}).json()["relations"][0]
    their_city = entity_id(client, other, "Austin")
    me = entity_id(client, user_id, "user")
    url = f"/v1/users/{user_id}/relations"
    attempts = [
        client.get(f"{url}/{theirs['id']}"),
        client.patch(f"{url}/{theirs['id']}", json={"confidence": 0.1}),
        client.post(f"{url}/{theirs['id']}/invalidate"),
        client.delete(f"{url}/{theirs['id']}"),
        client.post(url, json={"subject_id": theirs["subject"]["id"], "predicate": "likes", "object_literal": "x"}),
        client.post(url, json={"subject_id": me, "predicate": "lives_in", "object_id": their_city}),
    ]
    for response in attempts:
        assert response.status_code == 404 and error_code(response) == "not_found", response.text
    listed = client.get(url, params={"subject_id": theirs["subject"]["id"], "include_history": "true"}).json()
    assert listed["relations"] == []
    mine = client.get(url, params={"include_history": "true", "limit": 500}).json()["relations"]
    assert theirs["id"] not in {r["id"] for r in mine}
    after = client.get(f"/v1/users/{other}/relations/{theirs['id']}").json()["relation"]
    assert after["confidence"] == theirs["confidence"] and after["valid_to"] is None
