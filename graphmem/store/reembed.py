"""Memories whose vector another model made, or that lack the text vector of a named speaker's
message (``speaker_vectors``): found in key order, rewritten a batch at a time.

These queries span users, so they run on the owner engine (``graphmem reembed`` is an operator's
command, like ``graphmem migrate``), not on the request role that row-level security confines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

import numpy as np
import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import EMBEDDING_DIM, memories, messages

__all__ = ["StaleMemory", "count_stale", "stale_memories", "set_embeddings"]


@dataclass(frozen=True, slots=True)
class StaleMemory:
    user_id: str
    id: int
    speaker: str  # the message's speaker, else its role: what the memory's vector was made from
    ts: datetime
    text: str
    named: bool = False  # the message has a named speaker: the memory also has a text vector


def _stale(model: str, user_ids: Sequence[str] | None, speaker_vectors: bool) -> list[sa.ColumnElement[bool]]:
    m, msg = memories.c, messages.c
    # NULL is a vector of unknown origin: stale too.
    stale = m.embedding_model.is_distinct_from(model)
    if speaker_vectors:  # e.g. memories from before migration 0011
        named = (
            sa.select(msg.id)
            .where(msg.user_id == m.user_id, msg.id == m.message_id, msg.speaker.is_not(None))
            .correlate_except(messages)  # stale_memories joins messages itself
        )
        stale = sa.or_(stale, sa.and_(m.text_embedding.is_(None), m.parent_id.is_(None), named.exists()))
    clauses = [stale]
    if user_ids is not None:
        clauses.append(memories.c.user_id.in_(list(user_ids)))
    return clauses


async def count_stale(
    conn: AsyncConnection, model: str, user_ids: Sequence[str] | None = None, *, speaker_vectors: bool = True
) -> int:
    query = sa.select(sa.func.count()).select_from(memories).where(*_stale(model, user_ids, speaker_vectors))
    return int(await conn.scalar(query) or 0)


async def stale_memories(
    conn: AsyncConnection,
    model: str,
    *,
    after: tuple[str, int] | None,
    limit: int,
    user_ids: Sequence[str] | None = None,
    speaker_vectors: bool = True,
) -> list[StaleMemory]:
    """The next ``limit`` stale memories after the key ``after`` (user_id, id), in key order."""
    m, msg = memories.c, messages.c
    query = (
        sa.select(
            m.user_id, m.id, sa.func.coalesce(msg.speaker, msg.role, "someone"), m.ts, m.text,
            sa.and_(msg.speaker.is_not(None), m.parent_id.is_(None)),
        )
        .select_from(memories.outerjoin(messages, sa.and_(msg.user_id == m.user_id, msg.id == m.message_id)))
        .where(*_stale(model, user_ids, speaker_vectors))
        .order_by(m.user_id, m.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(sa.tuple_(m.user_id, m.id) > sa.tuple_(sa.literal(after[0]), sa.literal(after[1])))
    return [StaleMemory(*row) for row in await conn.execute(query)]


async def set_embeddings(
    conn: AsyncConnection, model: str, rows: Sequence[tuple[str, int, np.ndarray, np.ndarray | None]]
) -> int:
    """Store new vectors (main, text or None) and the model that made them; returns how many
    memories changed."""
    if not rows:
        return 0
    query = (
        sa.update(memories)
        .where(memories.c.user_id == sa.bindparam("b_user"), memories.c.id == sa.bindparam("b_id"))
        .values(
            embedding=sa.bindparam("b_vector", type_=Vector(EMBEDDING_DIM)),
            text_embedding=sa.bindparam("b_text", type_=Vector(EMBEDDING_DIM)),
            embedding_model=model,
        )
    )
    result = await conn.execute(query, [{"b_user": u, "b_id": i, "b_vector": v, "b_text": t} for u, i, v, t in rows])
    return int(result.rowcount)
