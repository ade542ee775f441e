"""Retrieval channels: each returns one ranked list over one user's memories."""

from __future__ import annotations

import re

import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store import memories as store

__all__ = ["vector_channel", "lexical_channel", "query_terms"]

_TERM = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """Words of the query; PostgreSQL's english config drops stop words and stems the rest."""
    return [t for t in _TERM.findall(query.lower()) if len(t) > 1 or t.isdigit()]


async def vector_channel(
    conn: AsyncConnection, user_id: str, embedding: np.ndarray, flt: store.MemoryFilter, limit: int
) -> list[tuple[int, float]]:
    return await store.vector_search(conn, user_id, embedding, flt, limit)


async def lexical_channel(
    conn: AsyncConnection, user_id: str, query: str, flt: store.MemoryFilter, limit: int
) -> list[tuple[int, float]]:
    return await store.lexical_search(conn, user_id, query_terms(query), flt, limit)
