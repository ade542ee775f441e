"""Long-term memories: inserts, and the per-user vector and full-text candidate queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import memories, messages

__all__ = ["MemoryFilter", "MemoryHit", "insert_memories", "vector_search", "lexical_search", "fetch_memories"]

MAX_LEXICAL_TERMS = 32


@dataclass(frozen=True, slots=True)
class MemoryFilter:
    conversation_id: str | None = None
    speaker: str | None = None
    role: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MemoryHit:
    """A memory with the source message fields a search result shows."""

    id: int
    text: str
    kind: str
    ts: datetime
    metadata: dict[str, Any]
    conversation_id: str | None
    message_id: int | None
    client_id: str | None
    speaker: str | None
    role: str | None


async def insert_memories(conn: AsyncConnection, user_id: str, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(sa.insert(memories), [{**row, "user_id": user_id} for row in rows])


def _where(user_id: str, flt: MemoryFilter) -> list[sa.ColumnElement[bool]]:
    m = memories.c
    clauses: list[sa.ColumnElement[bool]] = [m.user_id == user_id]
    if flt.conversation_id is not None:
        clauses.append(m.conversation_id == flt.conversation_id)
    if flt.since is not None:
        clauses.append(m.ts >= flt.since)
    if flt.until is not None:
        clauses.append(m.ts < flt.until)
    if flt.metadata:
        clauses.append(m.metadata.contains(flt.metadata))
    if flt.speaker is not None or flt.role is not None:
        msg = messages.c
        source = sa.select(sa.literal(1)).where(msg.user_id == m.user_id, msg.id == m.message_id)
        if flt.speaker is not None:
            source = source.where(msg.speaker == flt.speaker)
        if flt.role is not None:
            source = source.where(msg.role == flt.role)
        clauses.append(source.exists())
    return clauses


async def vector_search(
    conn: AsyncConnection, user_id: str, embedding: np.ndarray, flt: MemoryFilter, limit: int
) -> list[tuple[int, float]]:
    """Top ``limit`` memories by cosine similarity, as (memory id, similarity)."""
    distance = memories.c.embedding.cosine_distance(embedding)
    query = sa.select(memories.c.id, distance.label("d")).where(*_where(user_id, flt)).order_by(distance).limit(limit)
    return [(row.id, 1.0 - float(row.d)) for row in await conn.execute(query)]


async def lexical_search(
    conn: AsyncConnection, user_id: str, terms: Sequence[str], flt: MemoryFilter, limit: int
) -> list[tuple[int, float]]:
    """Memories matching any term (OR, unlike plainto_tsquery's AND), ranked by ts_rank_cd."""
    terms = list(dict.fromkeys(terms))[:MAX_LEXICAL_TERMS]
    if not terms:
        return []
    english = sa.literal_column("'english'::regconfig")
    tsquery = sa.func.plainto_tsquery(english, terms[0])
    for term in terms[1:]:
        tsquery = tsquery.op("||")(sa.func.plainto_tsquery(english, term))
    q = sa.cte(sa.select(tsquery.label("q")), name="q")
    rank = sa.func.ts_rank_cd(memories.c.tsv, q.c.q)
    query = (
        sa.select(memories.c.id, rank.label("r"))
        .select_from(memories.join(q, sa.true()))
        .where(*_where(user_id, flt), memories.c.tsv.op("@@")(q.c.q))
        .order_by(rank.desc(), memories.c.id)
        .limit(limit)
    )
    return [(row.id, float(row.r)) for row in await conn.execute(query)]


async def fetch_memories(conn: AsyncConnection, user_id: str, ids: Sequence[int]) -> dict[int, MemoryHit]:
    if not ids:
        return {}
    m, msg = memories.c, messages.c
    query = (
        sa.select(
            m.id, m.text, m.kind, m.ts, m.metadata, m.conversation_id, m.message_id,
            msg.client_id, msg.speaker, msg.role,
        )
        .select_from(
            memories.outerjoin(messages, sa.and_(msg.user_id == m.user_id, msg.id == m.message_id))
        )
        .where(m.user_id == user_id, m.id.in_(list(ids)))
    )
    return {row.id: MemoryHit(**row._mapping) for row in await conn.execute(query)}
