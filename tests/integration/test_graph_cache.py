"""The in-process entity graph follows PostgreSQL: triggers bump the user's graph revision on
every change to entities, aliases, relations and mentions, and search sees each change at once."""

from __future__ import annotations

from typing import Any, Callable

from litestar.testing import TestClient

Ingest = Callable[..., dict[str, Any]]
Sql = Callable[..., list[Any]]
QUERY = "Where does Beatrice live now?"


def _graph_paths(client: TestClient, user: str) -> list[list[str]]:
    response = client.post(f"/v1/users/{user}/memories/search", json={"query": QUERY, "limit": 10})
    assert response.status_code == 200, response.text
    return [h["why"]["path"] for h in response.json()["hits"] if "graph" in h["why"]["channels"]]


def _revision(sql: Sql, user: str) -> int:
    return int(sql("SELECT graph_revision FROM users WHERE user_id = :u", u=user)[0][0])


def test_graph_follows_alias_edits_deletes_and_erasure(client: TestClient, ingest: Ingest, sql: Sql, user_id: str) -> None:
    search = client.app.state.services.search
    ingest(
        user_id, "c",
        {"role": "user", "speaker": "Ana", "text": "My sister Bea moved to Lisbon in April.", "timestamp": "2024-05-01T10:00:00Z"},
        *({"role": "user", "speaker": "Ana", "text": f"Groceries list number {i}.", "timestamp": f"2024-05-01T10:0{i + 1}:00Z"} for i in range(4)),
    )
    assert _graph_paths(client, user_id) == []  # nobody is called Beatrice yet
    assert user_id in search.graphs
    bea = client.get(f"/v1/users/{user_id}/entities", params={"q": "Bea", "type": "PERSON"}).json()["entities"][0]
    before = _revision(sql, user_id)

    assert client.patch(f"/v1/users/{user_id}/entities/{bea['id']}", json={"add_aliases": ["Beatrice"]}).status_code == 200
    assert _revision(sql, user_id) > before  # an alias insert bumped it
    paths = _graph_paths(client, user_id)
    assert paths and paths[0][0] == "Bea" and paths[0][-1].startswith("mentioned in memory")

    assert client.delete(f"/v1/users/{user_id}/entities/{bea['id']}").status_code == 200
    assert _graph_paths(client, user_id) == []  # the cached graph did not outlive the delete

    assert client.delete(f"/v1/users/{user_id}").status_code in (200, 202)
    assert user_id not in search.graphs  # this process drops the erased user's graph at once


def test_revisions_never_repeat_across_users_or_statements(ingest: Ingest, sql: Sql, user_id: str) -> None:
    other = f"{user_id}-b"
    ingest(user_id, "c", {"role": "user", "speaker": "Ana", "text": "Tom visited Paris.", "timestamp": "2024-05-01T10:00:00Z"})
    ingest(other, "c", {"role": "user", "speaker": "Ana", "text": "Tom visited Paris.", "timestamp": "2024-05-01T10:00:00Z"})
    mine, theirs = _revision(sql, user_id), _revision(sql, other)
    assert mine > 0 and theirs > mine  # one sequence for everyone: a re-created user starts fresh
    sql("UPDATE mentions SET span_start = span_start WHERE user_id = :u", u=other)
    assert _revision(sql, other) > theirs and _revision(sql, user_id) == mine  # only that user's
