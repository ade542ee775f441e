"""Ingest builds the user's knowledge graph: one node per person, temporal facts, provenance."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from litestar.testing import TestClient

from graphmem.store.engine import create_engine
from graphmem.store.merges import split_merge

Ingest = Callable[..., dict[str, Any]]
Sql = Callable[..., list[Any]]


def _facts(sql: Sql, user: str, predicate: str) -> list[tuple[str, str | None, bool]]:
    rows = sql(
        """
        SELECT s.name, coalesce(o.name, r.object_literal), r.valid_to IS NULL
        FROM relations r JOIN entities s ON s.user_id = r.user_id AND s.id = r.subject_id
        LEFT JOIN entities o ON o.user_id = r.user_id AND o.id = r.object_id
        WHERE r.user_id = :u AND r.predicate = :p ORDER BY r.valid_from, r.id
        """,
        u=user,
        p=predicate,
    )
    return [tuple(r) for r in rows]


def test_a_customer_becomes_one_node_with_temporal_facts(ingest: Ingest, sql: Sql, user_id: str) -> None:
    ingest(
        user_id,
        "s1",
        {"role": "user", "text": "Hi, my name is Sarah Connor.", "timestamp": "2024-01-10T10:00:00Z", "client_id": "1"},
        {"role": "assistant", "text": "Welcome Sarah! How can I help?", "timestamp": "2024-01-10T10:00:05Z"},
        {"role": "user", "text": "I live in Boston and I work at Acme.", "timestamp": "2024-01-10T10:01:00Z", "client_id": "2"},
    )
    ingest(
        user_id,
        "s2",
        {"role": "user", "text": "I moved from Boston to Austin.", "timestamp": "2024-06-01T09:00:00Z", "client_id": "3"},
        {"role": "user", "text": "I love hiking and I'm allergic to peanuts.", "timestamp": "2024-06-01T09:01:00Z"},
    )
    people = sql("SELECT name FROM entities WHERE user_id = :u AND type = 'PERSON' ORDER BY id", u=user_id)
    assert [p.name for p in people].count("Sarah Connor") == 1
    assert _facts(sql, user_id, "lives_in") == [("Sarah Connor", "Boston", False), ("Sarah Connor", "Austin", True)]
    assert _facts(sql, user_id, "works_at") == [("Sarah Connor", "Acme", True)]
    assert ("Sarah Connor", "peanuts", True) in [(s, o.lower() if o else o, c) for s, o, c in _facts(sql, user_id, "allergic_to")]
    closed = sql(
        "SELECT valid_to FROM relations r JOIN entities o ON o.user_id = r.user_id AND o.id = r.object_id "
        "WHERE r.user_id = :u AND o.key = 'boston'",
        u=user_id,
    )
    assert str(closed[0].valid_to).startswith("2024-06-01")


def test_every_relation_and_mention_points_at_its_message_span(ingest: Ingest, sql: Sql, user_id: str) -> None:
    text = "My sister Anna loves horses."
    body = ingest(user_id, "c", {"role": "user", "text": text})
    message_id = body["messages"][0]["message_id"]
    rels = sql("SELECT message_id, span_start, span_end FROM relations WHERE user_id = :u", u=user_id)
    assert rels and all(r.message_id == message_id for r in rels)
    assert {text[r.span_start : r.span_end] for r in rels} >= {"Anna loves horses", "My sister Anna"}
    mentions = sql(
        "SELECT e.key, m.span_start, m.span_end, m.message_id FROM mentions m "
        "JOIN entities e ON e.user_id = m.user_id AND e.id = m.entity_id WHERE m.user_id = :u",
        u=user_id,
    )
    assert {(r.key, text[r.span_start : r.span_end]) for r in mentions} >= {("anna", "Anna"), ("horse", "horses")}
    assert all(r.message_id == message_id for r in mentions)


def test_same_thing_twice_is_one_entity(ingest: Ingest, sql: Sql, user_id: str) -> None:
    ingest(
        user_id,
        "c",
        {"role": "user", "text": "I bought a sectional sofa last week."},
        {"role": "user", "text": "I really like the sectional sofas you sell."},
    )
    rows = sql("SELECT key, mention_count FROM entities WHERE user_id = :u AND key LIKE '%sofa%'", u=user_id)
    assert [(r.key, r.mention_count) for r in rows] == [("sectional sofa", 2)]


def test_graphs_are_per_user(ingest: Ingest, sql: Sql) -> None:
    for user in ("graph-a", "graph-b"):
        ingest(user, "c", {"role": "user", "text": "I live in Denver."})
    rows = sql("SELECT user_id, count(*) AS n FROM entities WHERE key = 'denver' AND user_id LIKE 'graph-%' GROUP BY user_id")
    assert sorted((r.user_id, r.n) for r in rows) == [("graph-a", 1), ("graph-b", 1)]


def test_replayed_messages_add_no_facts(ingest: Ingest, sql: Sql, user_id: str) -> None:
    message = {"role": "user", "text": "I work at Initech as an engineer.", "client_id": "w"}
    ingest(user_id, "c", message)
    before = sql("SELECT count(*) AS n FROM relations WHERE user_id = :u", u=user_id)[0].n
    ingest(user_id, "c", message)
    ingest(user_id, "c2", {**message, "client_id": "other"})  # the same statement again: known fact
    after = sql("SELECT count(*) AS n FROM relations WHERE user_id = :u", u=user_id)[0].n
    assert before == after > 0


def test_deleting_a_message_removes_what_derives_only_from_it(
    client: TestClient, ingest: Ingest, sql: Sql, user_id: str
) -> None:
    body = ingest(
        user_id,
        "c",
        {"role": "user", "text": "I own a red kayak."},
        {"role": "user", "text": "I live in Oslo."},
        {"role": "user", "text": "Oslo is cold in winter."},
    )
    kayak, oslo, _ = (m["message_id"] for m in body["messages"])
    response = client.delete(f"/v1/users/{user_id}/messages/{kayak}")
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["message_id"] == kayak
    assert receipt["deleted"]["memories"] == 1 and receipt["deleted"]["relations"] >= 1
    assert receipt["deleted"]["entities"] >= 1  # the kayak had no other evidence
    for table in ("memories", "relations", "mentions"):
        left = sql(f"SELECT count(*) AS n FROM {table} WHERE user_id = :u AND message_id = :m", u=user_id, m=kayak)
        assert left[0].n == 0, table
    keys = {r.key for r in sql("SELECT key FROM entities WHERE user_id = :u", u=user_id)}
    assert not any("kayak" in k for k in keys) and "oslo" in keys and "user" in keys
    oslo_count = sql("SELECT mention_count FROM entities WHERE user_id = :u AND key = 'oslo'", u=user_id)[0]
    assert oslo_count.mention_count == 2
    assert _facts(sql, user_id, "lives_in")[0][1] == "Oslo"
    assert client.delete(f"/v1/users/{user_id}/messages/{kayak}").status_code == 404
    assert client.delete(f"/v1/users/someone-else/messages/{oslo}").status_code == 404
    assert sql("SELECT count(*) AS n FROM messages WHERE user_id = :u AND id = :m", u=user_id, m=oslo)[0].n == 1


def test_name_variants_merge_and_split_undoes_it(ingest: Ingest, sql: Sql, database_url: str, user_id: str) -> None:
    ingest(user_id, "c", {"role": "user", "text": "I met Priya at the gym yesterday."})
    ingest(user_id, "c", {"role": "user", "text": "Priya Raman is moving to Berlin."})
    people = sql("SELECT id, name FROM entities WHERE user_id = :u AND key LIKE 'priya%'", u=user_id)
    assert len(people) == 1
    merge = sql("SELECT id, kept_id, merged_id FROM entity_merges WHERE user_id = :u", u=user_id)
    assert len(merge) == 1 and merge[0].kept_id == people[0].id
    mentions_before = sql("SELECT count(*) AS n FROM mentions WHERE user_id = :u AND entity_id = :e", u=user_id, e=people[0].id)[0].n

    async def split() -> int:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                return await split_merge(conn, user_id, merge[0].id)
        finally:
            await engine.dispose()

    restored = asyncio.run(split())
    assert restored == merge[0].merged_id
    keys = sql("SELECT key FROM entities WHERE user_id = :u AND key LIKE 'priya%' ORDER BY key", u=user_id)
    assert [k.key for k in keys] == ["priya", "priya raman"]
    counts = sql(
        "SELECT e.key, count(m.id) AS n FROM entities e LEFT JOIN mentions m ON m.user_id = e.user_id AND m.entity_id = e.id "
        "WHERE e.user_id = :u AND e.key LIKE 'priya%' GROUP BY e.key ORDER BY e.key",
        u=user_id,
    )
    assert [r.n for r in counts] == [1, 1] and mentions_before == 2
    aliases = sql("SELECT e.key AS owner, a.key FROM entity_aliases a JOIN entities e ON e.user_id = a.user_id AND e.id = a.entity_id WHERE a.user_id = :u AND a.key LIKE 'priya%' ORDER BY a.key", u=user_id)
    assert [(a.owner, a.key) for a in aliases] == [("priya", "priya"), ("priya raman", "priya raman")]
