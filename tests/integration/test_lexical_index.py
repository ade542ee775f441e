"""The in-process BM25 index and corpus profile follow PostgreSQL: triggers bump the user's memory
revision on every change to its memories, and writes, deletes and erasure are seen at once."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from litestar.testing import TestClient

from graphmem.retrieve.corpus import read_facts
from graphmem.store import lexical
from graphmem.store.engine import create_engine
from graphmem.store.privacy import scope_to_user

Ingest = Callable[..., dict[str, Any]]
Sql = Callable[..., list[Any]]


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


def _revision(sql: Sql, user: str) -> int:
    return int(sql("SELECT memory_revision FROM users WHERE user_id = :u", u=user)[0][0])


def test_memory_revision_moves_with_memories_not_with_searches(client: TestClient, ingest: Ingest, sql: Sql,
                                                               user_id: str) -> None:
    other = f"{user_id}-b"
    ingest(user_id, "c", _turn("The otter swam past the pier.", 0))
    ingest(other, "c", _turn("The otter swam past the pier.", 0))
    mine, theirs = _revision(sql, user_id), _revision(sql, other)
    assert mine > 0 and theirs > mine  # one sequence for everyone: a re-created user starts fresh
    assert _lexical(client, user_id, "otter pier")
    assert _lexical(client, user_id, "otter pier")  # the second search counted the first's hit
    assert _revision(sql, user_id) == mine  # counting accesses is no change to the memories
    sql("UPDATE memories SET importance = importance WHERE user_id = :u", u=other)
    assert _revision(sql, other) > theirs and _revision(sql, user_id) == mine  # only that user's
    search = client.app.state.services.search
    assert search.lexicon.get(user_id, "profile", mine) == (1, 4.0, 0)  # one memory of four lexemes, no passages


def test_facts_of_a_memory_newer_than_the_cache_are_read_on_their_own(client: TestClient, ingest: Ingest, sql: Sql,
                                                                     user_id: str, database_url: str) -> None:
    search = client.app.state.services.search
    ingest(user_id, "c", _turn("The heron stood still.", 0))
    assert _lexical(client, user_id, "heron")  # caches every memory's facts under this revision
    stale = lexical.Corpus(1, 4.0, _revision(sql, user_id), ())
    ingest(user_id, "c", _turn("The heron flew off.", 1))
    first, second = [r[0] for r in sql("SELECT id FROM memories WHERE user_id = :u ORDER BY id", u=user_id)]

    async def read() -> dict[int, Any]:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                await scope_to_user(conn, user_id)
                return await read_facts(conn, user_id, stale, search.facts, [first, second])
        finally:
            await engine.dispose()

    found = asyncio.run(read())
    assert set(found) == {first, second} and found[second].ts > found[first].ts
    assert second not in search.facts.get(user_id, "facts", stale.stamp)  # the cache itself is not touched
