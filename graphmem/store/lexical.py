"""Lexical documents in PostgreSQL: stored as tsvectors (PostgreSQL's English stemming), read
whole for the in-process BM25 index, stamped with the user's memory revision so that the index
knows when it is stale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import memories, users

__all__ = ["set_context_documents", "Corpus", "revisions", "profile", "lexical_documents"]

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
    """One user's corpus as a search sees it, the query's lexemes and the user's revisions."""

    count: int  # memories (passages aside)
    median_length: float  # median memory length in lexemes
    stamp: int  # the memory revision: changes whenever any of the user's memories does; -1: no user
    terms: tuple[str, ...]  # the query's lexemes, stemmed as the documents are
    passages: int = 0  # passage memories of long messages (only the vector channel reads them)
    graph_revision: int = -1  # changes whenever the user's entity graph does; -1: no user


def _revisions() -> sa.Select[Any]:
    u = users.c
    query = sa.bindparam("query", type_=sa.Text)
    terms = sa.select(sa.func.coalesce(sa.func.array_agg(sa.distinct(sa.column("lexeme"))), sa.text("'{}'")))
    terms = terms.select_from(sa.func.unnest(sa.func.to_tsvector(_ENGLISH, query)).table_valued("lexeme"))
    return sa.select(  # scalar subqueries: one row even when the user does not exist
        sa.select(u.memory_revision).where(u.user_id == sa.bindparam("uid")).scalar_subquery(),
        sa.select(u.graph_revision).where(u.user_id == sa.bindparam("uid")).scalar_subquery(),
        terms.scalar_subquery(),
    )


_REVISIONS = _revisions()  # built once: every search runs it


async def revisions(conn: AsyncConnection, user_id: str, query: str) -> tuple[int, int, tuple[str, ...]]:
    """The user's memory and graph revisions (-1 for no such user; triggers bump both) and the
    query's lexemes, in one round trip."""
    memory_revision, graph_revision, lexemes = (await conn.execute(_REVISIONS, {"uid": user_id, "query": query})).one()
    return (
        -1 if memory_revision is None else int(memory_revision),
        -1 if graph_revision is None else int(graph_revision),
        tuple(lexemes),
    )


async def profile(conn: AsyncConnection, user_id: str) -> tuple[int, float, int]:
    """(memories, their median length in lexemes, passages): what the memory revision guards."""
    m = memories.c
    stmt = sa.select(
        sa.func.count().filter(m.parent_id.is_(None)),
        sa.func.percentile_cont(0.5).within_group(m.tsv_len).filter(m.parent_id.is_(None)),
        sa.func.count().filter(m.parent_id.is_not(None)),
    ).where(m.user_id == user_id)
    count, median, passages = (await conn.execute(stmt)).one()
    return int(count), float(median or 0.0), int(passages)


async def lexical_documents(
    conn: AsyncConnection, user_id: str, document: Literal["turn", "context"]
) -> list[tuple[int, str, int]]:
    """Every memory's lexical document as (id, tsvector text, length), to index in process."""
    m = memories.c
    doc, length = (m.ctx_tsv, m.ctx_len) if document == "context" else (m.tsv, m.tsv_len)
    stmt = sa.select(m.id, sa.cast(doc, sa.Text), length).where(m.user_id == user_id, m.parent_id.is_(None))
    return [(r[0], r[1], r[2] or 0) for r in await conn.execute(stmt)]
