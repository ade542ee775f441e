"""Every statement the request path sends to a per-user table names one user by ``user_id = …``,
so that Citus, with every such table distributed by ``user_id``, can route it to one shard.

A representative workload (ingest, listing, search with filters, context, entities, relations,
export, import, message deletion, erasure, the admin reads) runs through the shared app while a
SQLAlchemy ``before_cursor_execute`` listener records what is sent (observation, not patching).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy import event

Sql = Callable[..., list[Any]]

# A literal or a bound parameter (psycopg's %(name)s), never another column.
_EQUALITY = re.compile(r"\buser_id\s*=\s*(%\(\w+\)s|'[^']*'|\$\d+)", re.IGNORECASE)
# INSERT INTO t (cols) VALUES (…) or SELECT %(param)s, … FROM <no table of ours>: the value decides the shard.
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+\"?(\w+)\"?\s*\(([^)]*)\)\s*(VALUES|SELECT\s+(%\(\w+\)s))", re.IGNORECASE)
_TABLE_REF = r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\"?{name}\"?(?:\s|$|,|\))"

# Statements on the request engine that legitimately span users, by their start, with the reason.
ALLOWED: dict[str, str] = {}


def user_table_names(sql: Sql) -> set[str]:
    rows = sql(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
        "USING (table_schema, table_name) WHERE c.table_schema = current_schema() AND c.column_name = 'user_id' "
        "AND t.table_type = 'BASE TABLE'"
    )
    return {r[0] for r in rows}


def touched(statement: str, tables: set[str]) -> set[str]:
    return {t for t in tables if re.search(_TABLE_REF.format(name=re.escape(t)), statement, re.IGNORECASE)}


def _reads_table(statement: str) -> bool:
    """Whether the SELECT part of an INSERT reads a table (rather than a parameter or function)."""
    source = re.search(r"\bFROM\s+(\"?\w+\"?)\s*(\(|\w|$)", statement, re.IGNORECASE)
    return bool(source) and source.group(2) != "("


def single_user(statement: str) -> bool:
    """True when the statement is routable to one shard: an INSERT that writes ``user_id`` from
    a value, or any statement with a ``user_id = <value>`` predicate."""
    insert = _INSERT.match(statement)
    if insert:
        columns = [c.strip().strip('"') for c in insert.group(2).split(",")]
        if insert.group(3).upper() == "VALUES" and "user_id" in columns:
            return True
        if insert.group(4) and columns[0] == "user_id" and not _reads_table(statement):
            return True  # every row gets the one user id bound to the first column
    return bool(_EQUALITY.search(statement))


@pytest.mark.parametrize(
    ("statement", "ok"),
    [
        ("SELECT memories.id FROM memories WHERE memories.user_id = %(user_id_1)s AND memories.id = %(id_1)s", True),
        ("INSERT INTO messages (user_id, id, text) VALUES (%(user_id)s, %(id)s, %(text)s)", True),
        ("UPDATE entities SET name=%(name)s WHERE entities.id = %(id_1)s", False),
        ("SELECT m.id FROM memories m JOIN messages g ON g.user_id = m.user_id", False),
        ("DELETE FROM relations WHERE relations.user_id = ANY(%(ids)s)", False),
        (('INSERT INTO "users" ("user_id", "created_at") SELECT %(uid)s, r."created_at" '
          'FROM jsonb_populate_recordset(NULL::"users", CAST(%(rows)s AS jsonb)) r'), True),
        ("INSERT INTO memories (user_id, id, text) SELECT %(uid)s, m.id, m.text FROM messages m", False),
    ],
)
def test_the_checker_tells_routable_from_cross_shard(statement: str, ok: bool) -> None:
    assert single_user(statement) is ok
    assert touched(statement, {"memories", "messages", "entities", "relations", "users"})


@pytest.fixture
def recorded(client: TestClient) -> Iterator[list[tuple[str, str]]]:
    """(engine, statement) for every statement any engine sends while the test runs; the engine
    is "app" for the request engine (graphmem_app) and "owner" for the others."""
    request_engine = client.app.state.request_engine.sync_engine
    seen: list[tuple[str, str]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append(("app" if conn.engine is request_engine else "owner", statement))

    event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sa.engine.Engine, "before_cursor_execute", record)


def _workload(client: TestClient, user: str) -> None:
    def ok(response: Any) -> Any:
        assert response.status_code < 300, (response.request.url, response.text)
        return response.json() if response.content else None

    base = f"/v1/users/{user}"
    turns = [
        {"role": "user", "text": "I'm Nadia Okafor and I moved to Porto in May.", "speaker": "Nadia", "client_id": "s1",
         "metadata": {"tag": "move"}},
        {"role": "assistant", "text": "Welcome to Porto! Did the sofa from Ikea arrive?", "client_id": "s2"},
        {"role": "user", "text": "Yes, but my brother Tomas still has my bike in Lisbon.", "speaker": "Nadia",
         "client_id": "s3"},
    ]  # fmt: skip
    ok(client.post(f"{base}/conversations/c1/messages?wait=true", json={"messages": turns}))
    ok(client.post(f"{base}/conversations/c1/messages?wait=true", json={"messages": turns[:1]}))  # a duplicate
    messages = ok(client.get(f"{base}/conversations/c1/messages"))
    ok(client.post(f"{base}/memories/search", json={"query": "where does Nadia live?", "limit": 5}))
    ok(client.post(f"{base}/memories/search", json={
        "query": "bike", "limit": 3, "filters": {"speaker": "Nadia", "role": "user", "conversation_id": "c1",
                                                 "metadata": {"tag": "move"}}}))  # fmt: skip
    ok(client.get(f"{base}/context", params={"query": "sofa", "conversation_id": "c1", "max_tokens": 300}))
    entities = ok(client.get(f"{base}/entities"))["entities"]
    ok(client.get(f"{base}/entities", params={"q": "porto"}))
    first, second = entities[0]["id"], entities[1]["id"]
    ok(client.get(f"{base}/entities/{first}"))
    ok(client.get(f"{base}/entities/{first}/neighbours"))
    ok(client.get(f"{base}/entities/{first}/mentions"))
    client.get(f"{base}/entities/{first}/path", params={"to": second})  # may be 404: no path
    ok(client.patch(f"{base}/entities/{first}", json={"name": entities[0]["name"]}))
    made = ok(client.post(f"{base}/relations", json={"subject_id": first, "predicate": "likes", "object_id": second}))
    ok(client.get(f"{base}/relations"))
    ok(client.get(f"{base}/relations/{made['id']}"))
    ok(client.post(f"{base}/relations/{made['id']}/invalidate", json={}))
    ok(client.delete(f"{base}/relations/{made['id']}"))
    merge = ok(client.post(f"{base}/entities/{first}/merges", json={"merged_id": second}))
    ok(client.get(f"{base}/entities/{first}/merges"))
    ok(client.post(f"{base}/entities/{first}/merges/{merge['merge_id']}/split"))
    ok(client.get(base))
    doc = ok(client.get(f"{base}/export"))
    message_id = messages["messages"][-1]["message_id"]
    ok(client.delete(f"{base}/messages/{message_id}"))
    ok(client.delete(base))
    ok(client.post(f"{base}/import", json=doc))
    ok(client.delete(base))


def test_every_user_table_statement_names_one_user(
    client: TestClient, sql: Sql, user_id: str, recorded: list[tuple[str, str]]
) -> None:
    tables = user_table_names(sql)
    _workload(client, user_id)
    client.get("/v1/users")  # admin reads on the owner engine: listed, not checked
    client.get("/v1/status")

    on_user_tables = [(engine, s) for engine, s in recorded if touched(s, tables)]
    app = [s for engine, s in on_user_tables if engine == "app"]
    assert len(app) >= 50, "the workload did not reach the database"
    assert {t for s in app for t in touched(s, tables)} >= {"messages", "memories", "entities", "relations",
                                                            "mentions", "entity_aliases", "entity_merges"}
    violations = sorted({" ".join(s.split())[:400] for s in app
                         if not single_user(s) and not any(" ".join(s.split()).startswith(a) for a in ALLOWED)})  # fmt: skip
    assert violations == [], "\n".join(violations)
