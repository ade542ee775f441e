"""Lexical documents in PostgreSQL: stored as tsvectors (PostgreSQL's English stemming), read
whole for the in-process BM25 index, stamped so that the index knows when it is stale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import memories, users

__all__ = ["set_context_documents", "Corpus", "corpus", "lexical_documents"]

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


@dataclass(frozen=True, slots=True)
class Corpus:
    """One user's corpus as a search sees it, the query's lexemes and the user's graph revision,
    from one round trip."""

    count: int  # memories (passages aside)
    median_length: float  # median memory length in lexemes
    stamp: tuple[int, int, int, int]  # changes whenever a memory or its lexical documents do
    terms: tuple[str, ...]  # the query's lexemes, stemmed as the documents are
    passages: int = 0  # passage memories of long messages (only the vector channel reads them)
    graph_revision: int = -1  # changes whenever the user's entity graph does (triggers bump it); -1: no user


async def corpus(conn: AsyncConnection, user_id: str, query: str) -> Corpus:
    m = memories.c
    terms = sa.select(sa.func.coalesce(sa.func.array_agg(sa.distinct(sa.column("lexeme"))), sa.text("'{}'")))
    terms = terms.select_from(sa.func.unnest(sa.func.to_tsvector(_ENGLISH, query)).table_valued("lexeme"))
    stmt = sa.select(
        sa.func.count(),
        sa.func.percentile_cont(0.5).within_group(m.tsv_len),
        sa.func.coalesce(sa.func.max(m.id), 0),
        sa.func.coalesce(sa.func.sum(m.ctx_len), 0),
        sa.func.coalesce(sa.func.sum(m.tsv_len), 0),
        terms.scalar_subquery(),
        sa.select(sa.func.count()).where(m.user_id == user_id, m.parent_id.is_not(None)).scalar_subquery(),
        sa.select(users.c.graph_revision).where(users.c.user_id == user_id).scalar_subquery(),
    ).where(m.user_id == user_id, m.parent_id.is_(None))
    count, median, last, ctx, own, lexemes, passages, revision = (await conn.execute(stmt)).one()
    stamp = (int(count), int(last), int(ctx), int(own))
    revision = -1 if revision is None else int(revision)
    return Corpus(int(count), float(median or 0.0), stamp, tuple(lexemes), int(passages), revision)


async def lexical_documents(
    conn: AsyncConnection, user_id: str, document: Literal["turn", "context"]
) -> list[tuple[int, str, int]]:
    """Every memory's lexical document as (id, tsvector text, length), to index in process."""
    m = memories.c
    doc, length = (m.ctx_tsv, m.ctx_len) if document == "context" else (m.tsv, m.tsv_len)
    stmt = sa.select(m.id, sa.cast(doc, sa.Text), length).where(m.user_id == user_id, m.parent_id.is_(None))
    return [(r[0], r[1], r[2] or 0) for r in await conn.execute(stmt)]
