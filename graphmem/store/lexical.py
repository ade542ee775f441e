"""BM25 over one user's memories, computed in PostgreSQL from the stored tsvectors.

Document frequencies and lengths come from the user's own rows at query time, so there is
no cache to invalidate: deletes, erasure and restarts are reflected at once.
"""

from __future__ import annotations

from typing import Literal, Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.memories import MemoryFilter, filter_clauses
from graphmem.store.tables import memories

__all__ = ["set_context_documents", "bm25_search"]

_ENGLISH = sa.literal_column("'english'::regconfig")
_TOKENS = "(SELECT coalesce(sum(array_length(t.positions, 1)), 0) FROM unnest({col}) t)"


async def set_context_documents(conn: AsyncConnection, user_id: str, docs: Mapping[int, str]) -> None:
    """Store each memory's contextual lexical document, and both token lengths."""
    if not docs:
        return
    m = memories.c
    stmt = (
        sa.update(memories)
        .where(m.user_id == sa.bindparam("uid"), m.id == sa.bindparam("mid"))
        .values(ctx_tsv=sa.func.to_tsvector(_ENGLISH, sa.bindparam("doc")))
    )
    await conn.execute(stmt, [{"uid": user_id, "mid": i, "doc": d} for i, d in docs.items()])
    await conn.execute(
        sa.update(memories)
        .where(m.user_id == user_id, m.id.in_(list(docs)))
        .values(
            ctx_len=sa.literal_column(_TOKENS.format(col="memories.ctx_tsv")),
            tsv_len=sa.literal_column(_TOKENS.format(col="memories.tsv")),
        )
    )


# Candidates are the documents holding at least one of the query's rarer terms (a document
# frequency up to ``common`` x N); terms in most documents add little to a score but would make
# every document a candidate. Of those, the ``pool`` best by ts_rank (cheap, in C) are scored
# exactly; reading term frequencies out of every matching document is what costs time.
# All terms still count in the score.
_BM25 = """
WITH q AS MATERIALIZED (
    SELECT DISTINCT lexeme AS term FROM unnest(to_tsvector('english', :query))
),
corpus AS MATERIALIZED (
    SELECT count(*) AS n, greatest(avg({len}), 1) AS avgdl FROM memories WHERE user_id = :uid AND parent_id IS NULL
),
df AS MATERIALIZED (
    SELECT q.term, (
        SELECT count(*) FROM memories m
        WHERE m.user_id = :uid AND m.parent_id IS NULL AND m.{doc} @@ to_tsquery('simple', quote_literal(q.term))
    ) AS df
    FROM q
),
rare AS MATERIALIZED (
    SELECT df.term FROM df, corpus c WHERE df.df > 0 AND df.df <= :common * c.n
),
pick AS MATERIALIZED (
    SELECT to_tsquery('simple', string_agg(quote_literal(term), ' | ')) AS tsq,
           ARRAY(SELECT term FROM df WHERE df > 0) AS terms
    FROM (SELECT term FROM rare UNION ALL SELECT term FROM df WHERE df > 0 AND NOT EXISTS (SELECT 1 FROM rare)) t
),
pool AS MATERIALIZED (
    SELECT m.id FROM memories m, pick p
    WHERE m.user_id = :uid AND m.parent_id IS NULL AND m.{doc} @@ p.tsq
    ORDER BY ts_rank(m.{doc}, p.tsq) DESC, m.id
    LIMIT :pool
),
hits AS MATERIALIZED (
    SELECT m.id, m.{len} AS len, t.lexeme, array_length(t.positions, 1) AS tf
    FROM memories m JOIN pool USING (id) CROSS JOIN pick p, LATERAL unnest(m.{doc}) t
    WHERE m.user_id = :uid AND t.lexeme = ANY (p.terms)
)
SELECT h.id,
       sum(ln(1 + (c.n - df.df + 0.5) / (df.df + 0.5))
           * h.tf * (:k1 + 1) / (h.tf + :k1 * (1 - :b + :b * h.len / c.avgdl))) AS score
FROM hits h JOIN df ON df.term = h.lexeme CROSS JOIN corpus c
GROUP BY h.id
"""


async def bm25_search(
    conn: AsyncConnection,
    user_id: str,
    query: str,
    flt: MemoryFilter,
    limit: int,
    *,
    document: Literal["turn", "context"] = "context",
    k1: float = 1.2,
    b: float = 0.75,
    common: float = 0.3,
) -> list[tuple[int, float]]:
    """Top memories by Okapi BM25 (any query term may match). Document frequencies and the
    average length are over all of the user's memories; filters only restrict the results."""
    doc, length = ("ctx_tsv", "ctx_len") if document == "context" else ("tsv", "tsv_len")
    scores = (
        sa.text(_BM25.format(doc=doc, len=length))
        .bindparams(query=query, uid=user_id, k1=k1, b=b, common=common, pool=max(300, 3 * limit))
        .columns(id=sa.BigInteger, score=sa.Float)
        .subquery("bm25")
    )
    m = memories.c
    query_ = (
        sa.select(scores.c.id, scores.c.score)
        .join(memories, sa.and_(m.user_id == user_id, m.id == scores.c.id))
        .where(*filter_clauses(user_id, flt))
        .order_by(scores.c.score.desc(), scores.c.id)
        .limit(limit)
    )
    return [(row.id, float(row.score)) for row in await conn.execute(query_)]
