"""Memory lifecycle: kinds, importance, access counts, expiry, archiving and maintenance."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.settings import Settings
from graphmem.store.engine import create_engine
from graphmem.store.memories import fetch_and_count
from graphmem.store.privacy import scope_to_user

Sql = Callable[..., list[Any]]


def _search(client: TestClient, user: str, query: str, **body: Any) -> list[dict[str, Any]]:
    response = client.post(f"/v1/users/{user}/memories/search", json={"query": query, **body})
    assert response.status_code == 200, response.text
    return response.json()["hits"]  # type: ignore[no-any-return]


def test_kinds_importance_and_access_counts(client: TestClient, ingest: Callable[..., dict[str, Any]],
                                            user_id: str, sql: Sql) -> None:
    ingest(user_id, "c",
           {"role": "user", "text": "I prefer to be contacted by email, never by phone.", "kind": "fact"},
           {"role": "user", "text": "Right now I am looking at the blue kettle page.", "kind": "short_term"},
           {"role": "user", "text": "My kettle arrived with a cracked lid."})
    hits = {h["text"][:10]: h for h in _search(client, user_id, "kettle contact email phone lid")}
    assert {k: (h["kind"], h["importance"]) for k, h in hits.items()} == {
        "I prefer t": ("fact", pytest.approx(0.8)),
        "Right now ": ("short_term", pytest.approx(0.3)),
        "My kettle ": ("long_term", pytest.approx(0.5)),
    }
    assert {h["access_count"] for h in hits.values()} == {0}
    versions = sql("SELECT id, xmin::text FROM memories WHERE user_id = :u ORDER BY id", u=user_id)
    again = _search(client, user_id, "kettle contact email phone lid")
    assert {h["access_count"] for h in again} == {1}  # the first search counted
    # ... in memory_access: search never writes a new version of the wide memory row
    assert sql("SELECT id, xmin::text FROM memories WHERE user_id = :u ORDER BY id", u=user_id) == versions
    state = client.patch(f"/v1/users/{user_id}/memories/{again[0]['memory_id']}", json={}).json()
    assert state["access_count"] == 2 and state["last_accessed_at"] is not None

    facts = _search(client, user_id, "kettle", filters={"kinds": ["fact"]})
    assert [h["kind"] for h in facts] == ["fact"]


def test_a_memory_deleted_while_counted_costs_the_counts_not_the_search(
        client: TestClient, ingest: Callable[..., dict[str, Any]], user_id: str, sql: Sql, database_url: str) -> None:
    ingest(user_id, "c", {"role": "user", "text": "The lighthouse keeper waved."},
           {"role": "user", "text": "The lighthouse lamp is new."})
    gone, kept = [r[0] for r in sql("SELECT id FROM memories WHERE user_id = :u ORDER BY id", u=user_id)]

    async def race() -> dict[int, Any]:
        engine = create_engine(database_url, pool_size=2)
        try:
            async with engine.connect() as deleter, engine.connect() as searcher:
                # Uncommitted, the delete holds the row: the search still reads it, and the count's key
                # check waits, then fails once the delete commits.
                await deleter.execute(sa.text("DELETE FROM memories WHERE user_id = :u AND id = :i"), {"u": user_id, "i": gone})
                await scope_to_user(searcher, user_id)
                fetch = asyncio.ensure_future(fetch_and_count(searcher, user_id, [gone, kept]))
                await asyncio.sleep(0.5)
                assert not fetch.done()
                await deleter.commit()
                return await fetch
        finally:
            await engine.dispose()

    assert list(asyncio.run(race())) == [kept]
    assert sql("SELECT count(*) FROM memory_access WHERE user_id = :u", u=user_id)[0][0] == 0


def test_importance_lifts_an_otherwise_equal_memory(client: TestClient, ingest: Callable[..., dict[str, Any]],
                                                    user_id: str) -> None:
    ingest(user_id, "c",
           {"role": "user", "text": "My router model is the AX3000.", "importance": 0.1},
           {"role": "user", "text": "My router model is the AX3000.", "importance": 1.0})
    hits = _search(client, user_id, "router model")
    assert [h["importance"] for h in hits] == [pytest.approx(1.0), pytest.approx(0.1)]
    assert hits[0]["why"]["boosts"]["importance"] == pytest.approx(1.1)
    low, high = hits[1]["memory_id"], hits[0]["memory_id"]
    for memory_id, importance in ((low, 0.9), (high, 0.2)):  # search caches importance until a memory changes
        assert client.patch(f"/v1/users/{user_id}/memories/{memory_id}", json={"importance": importance}).status_code == 200
    assert [h["memory_id"] for h in _search(client, user_id, "router model")] == [low, high]


def test_archive_restore_and_delete_one_memory(client: TestClient, ingest: Callable[..., dict[str, Any]],
                                               user_id: str) -> None:
    ingest(user_id, "c", {"role": "user", "text": "I returned the espresso machine."},
           {"role": "user", "text": "I kept the espresso grinder."})
    hits = _search(client, user_id, "espresso")
    machine = next(h["memory_id"] for h in hits if "machine" in h["text"])
    grinder = next(h["memory_id"] for h in hits if "grinder" in h["text"])
    base = f"/v1/users/{user_id}/memories"

    archived = client.delete(f"{base}/{machine}", params={"archive": "true"})
    assert archived.status_code == 200 and archived.json()["archived_at"] is not None
    assert [h["memory_id"] for h in _search(client, user_id, "espresso")] == [grinder]
    assert {h["memory_id"] for h in _search(client, user_id, "espresso", filters={"include_archived": True})} == {
        machine, grinder}
    restored = client.patch(f"{base}/{machine}", json={"archived": False, "kind": "fact"})
    assert restored.status_code == 200 and restored.json()["kind"] == "fact"
    assert len(_search(client, user_id, "espresso")) == 2

    assert client.delete(f"{base}/{grinder}").status_code == 204
    assert [h["memory_id"] for h in _search(client, user_id, "espresso")] == [machine]
    assert client.delete(f"{base}/{grinder}").status_code == 404
    assert client.patch(f"{base}/{machine}", json={"importance": 2}).status_code == 422
    assert client.patch(f"/v1/users/other-{user_id}/memories/{machine}", json={"kind": "fact"}).status_code == 404


@pytest.fixture(scope="module")
def maintained(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[TestClient]:
    fast = replace(settings, maintenance_interval_s=0.3, workers=1, job_poll_s=0.05)
    with TestClient(create_app(fast, embedder=embedder)) as test_client:
        yield test_client


def test_expired_memories_are_hidden_then_deleted_or_archived(maintained: TestClient, user_id: str,
                                                              sql: Sql) -> None:
    url = f"/v1/users/{user_id}/conversations/c/messages?wait=true"
    accepted = time.monotonic()
    response = maintained.post(url, json={"messages": [
        {"role": "user", "text": "Temporary note: my cart holds a green scarf.", "kind": "short_term", "ttl_s": 5},
        {"role": "user", "text": "Temporary note: my cart holds a red hat.", "kind": "short_term", "ttl_s": 5,
         "archive_on_expiry": True},
        {"role": "user", "text": "Lasting note: my cart history matters."},
    ]})
    assert response.status_code == 201
    visible = len(_search(maintained, user_id, "cart note"))
    assert visible == 3 or time.monotonic() - accepted > 4  # (a very slow machine may be past the TTL)
    time.sleep(max(0.0, accepted + 5.2 - time.monotonic()))
    assert [h["text"] for h in _search(maintained, user_id, "cart note")] == ["Lasting note: my cart history matters."]

    deadline = time.monotonic() + 30
    rows: list[Any] = []
    while time.monotonic() < deadline:
        rows = sql("SELECT text, archived_at IS NOT NULL FROM memories WHERE user_id = :u ORDER BY id", u=user_id)
        if len(rows) == 2 and rows[0][1]:
            break
        time.sleep(0.1)
    assert [tuple(r) for r in rows] == [("Temporary note: my cart holds a red hat.", True),
                                        ("Lasting note: my cart history matters.", False)]
    archived = _search(maintained, user_id, "cart note", filters={"include_archived": True})
    assert len(archived) == 2
    jobs = maintained.get("/v1/admin/jobs", params={"state": "done"}).json()["jobs"]
    assert any(j["kind"] == "maintenance" for j in jobs)
