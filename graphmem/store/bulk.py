"""Bulk loading and inspection for ``graphmem bench scale``: never on a request path.

Rows go in by binary ``COPY`` into an unlogged staging table (user, id, text-pool index,
embedding, time), then one ``INSERT … SELECT`` each into ``users``, ``conversations``,
``messages`` and ``memories``, with the texts, tsvectors and token counts taken from a small
pool table: PostgreSQL computes each distinct text's tsvector once. Secondary indexes are
dropped before the load and rebuilt after it (timed), as any bulk load would do. The
owner must be a superuser (the embedded server's ``postgres``): foreign-key triggers are
skipped during the insert, since the rows are consistent by construction.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.memories import MemoryFilter, vector_ranking
from graphmem.store.tables import memories

__all__ = [
    "secondary_indexes",
    "drop_indexes",
    "create_index",
    "create_stage",
    "copy_stage",
    "publish_stage",
    "vacuum_analyze",
    "storage",
    "user_vectors",
    "vector_query",
    "prefer_vector_index",
    "explain",
]

_STAGE = """
DROP TABLE IF EXISTS bench_stage, bench_pool;
CREATE UNLOGGED TABLE bench_stage (user_id text, id bigint, pid int, embedding vector(384), ts timestamptz);
CREATE UNLOGGED TABLE bench_pool (pid int PRIMARY KEY, text text, tsv tsvector, len int);
"""

_POOL = """
INSERT INTO bench_pool (pid, text, tsv, len)
SELECT p.n - 1, p.t, to_tsvector('english', p.t),
       (SELECT coalesce(sum(array_length(x.positions, 1)), 0) FROM unnest(to_tsvector('english', p.t)) x)
FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS p(t, n)
"""

_PUBLISH = [
    # No FK or revision triggers: the rows are consistent, and new users start at fresh revisions.
    "SET LOCAL session_replication_role = replica",
    "INSERT INTO users (user_id) SELECT DISTINCT user_id FROM bench_stage",
    "INSERT INTO conversations (user_id, conversation_id) SELECT DISTINCT user_id, 'bench' FROM bench_stage",
    """INSERT INTO messages (user_id, id, conversation_id, role, text, ts)
       SELECT s.user_id, s.id, 'bench', CASE WHEN s.id % 2 = 0 THEN 'user' ELSE 'assistant' END, p.text, s.ts
       FROM bench_stage s JOIN bench_pool p USING (pid) ORDER BY s.user_id, s.id""",
    """INSERT INTO memories (user_id, id, message_id, conversation_id, text, embedding, embedding_model, ts,
                             ctx_tsv, tsv_len, ctx_len)
       SELECT s.user_id, s.id, s.id, 'bench', p.text, s.embedding, :model, s.ts, p.tsv, p.len, p.len
       FROM bench_stage s JOIN bench_pool p USING (pid) ORDER BY s.user_id, s.id""",
    "SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT max(id) FROM messages))",
    "SELECT setval(pg_get_serial_sequence('memories', 'id'), (SELECT max(id) FROM memories))",
    "DROP TABLE bench_stage, bench_pool",
]


async def secondary_indexes(conn: AsyncConnection, tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index on ``tables`` that backs no constraint."""
    query = sa.text(
        """
        SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(:tables) AND t.relnamespace = current_schema()::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY t.relname, i.relname
        """
    )
    return [(r.name, r.definition) for r in await conn.execute(query, {"tables": list(tables)})]


async def drop_indexes(conn: AsyncConnection, names: Sequence[str]) -> None:
    for name in names:  # names from the catalog
        await conn.execute(sa.text(f'DROP INDEX IF EXISTS "{name}"'))


async def create_index(conn: AsyncConnection, definition: str, maintenance_work_mem: str = "1GB") -> None:
    """Run one CREATE INDEX from ``secondary_indexes``, with memory enough to build HNSW in RAM."""
    await conn.execute(sa.text(f"SET LOCAL maintenance_work_mem = '{maintenance_work_mem}'"))
    await conn.execute(sa.text(definition))


async def create_stage(conn: AsyncConnection, texts: Sequence[str]) -> None:
    for statement in _STAGE.strip().split(";\n"):
        await conn.execute(sa.text(statement))
    await conn.execute(sa.text(_POOL), {"texts": list(texts)})


async def copy_stage(conn: AsyncConnection, payload: bytes) -> None:
    """One binary COPY (header, records, trailer) into the staging table."""
    raw = await conn.get_raw_connection()
    cursor = raw.driver_connection.cursor()  # psycopg's AsyncConnection: COPY needs the driver
    async with cursor.copy("COPY bench_stage (user_id, id, pid, embedding, ts) FROM STDIN (FORMAT BINARY)") as copy:
        await copy.write(payload)


async def publish_stage(conn: AsyncConnection, embedding_model: str) -> None:
    for statement in _PUBLISH:
        await conn.execute(sa.text(statement), {"model": embedding_model} if ":model" in statement else {})


async def vacuum_analyze(conn: AsyncConnection, tables: Sequence[str]) -> None:
    """Needs an autocommit connection (VACUUM cannot run in a transaction)."""
    for table in tables:
        await conn.execute(sa.text(f'VACUUM (ANALYZE) "{table}"'))


async def storage(conn: AsyncConnection) -> dict[str, Any]:
    """Database size, and the size of each of ``memories``' indexes, in bytes."""
    database = await conn.scalar(sa.text("SELECT pg_database_size(current_database())"))
    heap = await conn.scalar(sa.text("SELECT pg_total_relation_size('memories') - pg_indexes_size('memories')"))
    rows = await conn.execute(sa.text(
        "SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid) AS bytes "
        "FROM pg_index WHERE indrelid = 'memories'::regclass ORDER BY 2 DESC"
    ))  # fmt: skip
    return {"database_bytes": int(database), "memories_table_bytes": int(heap),
            "memories_index_bytes": {r.name: int(r.bytes) for r in rows}}  # fmt: skip


async def user_vectors(conn: AsyncConnection, user_id: str) -> tuple[list[int], np.ndarray]:
    """Every memory id and embedding of one user: the ground truth for exact top-k."""
    rows = (await conn.execute(
        sa.select(memories.c.id, memories.c.embedding).where(memories.c.user_id == user_id).order_by(memories.c.id)
    )).all()  # fmt: skip
    ids = [r.id for r in rows]
    vectors = np.array([np.asarray(r.embedding, dtype=np.float32) for r in rows]) if rows else np.zeros((0, 384))
    return ids, vectors


def vector_query(user_id: str, embedding: np.ndarray, limit: int) -> sa.Select[Any]:
    """The statement the vector channel runs when the search has no filters."""
    return vector_ranking(user_id, embedding, MemoryFilter(), limit)


async def prefer_vector_index(conn: AsyncConnection) -> None:
    """For this transaction, make the planner take the HNSW index over the B-tree plus sort
    (only to measure what the index would return; the server never does this)."""
    await conn.execute(sa.text("SET LOCAL enable_sort = off"))


async def explain(conn: AsyncConnection, query: sa.Select[Any]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of ``query`` with its values inlined, line by line."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    return [r[0] for r in await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql)]
