"""Retrieval channels: each returns one ranked list over one user's memories."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.retrieve.config import RetrievalConfig
from graphmem.retrieve.graph import GraphHit, expand, query_keys, score_memories
from graphmem.store import lexical, retrieval
from graphmem.store import memories as store
from graphmem.store.memories import MemoryFilter

__all__ = ["vector_channel", "lexical_channel", "graph_channel"]

SEED_FROM_HITS = 0.3  # entities of top hits pull less than entities the query names
UNNAMED_TYPES = ("CONCEPT", "DATE", "TIME")  # noun phrases and dates: not things a query names


async def vector_channel(
    conn: AsyncConnection, user_id: str, embedding: np.ndarray, flt: MemoryFilter, limit: int
) -> list[tuple[int, float]]:
    return await store.vector_search(conn, user_id, embedding, flt, limit)


async def lexical_channel(
    conn: AsyncConnection, user_id: str, query: str, flt: MemoryFilter, config: RetrievalConfig
) -> list[tuple[int, float]]:
    return await lexical.bm25_search(
        conn, user_id, query, flt, config.candidates, document=config.lexical_document, k1=config.bm25_k1, b=config.bm25_b
    )


async def graph_channel(
    conn: AsyncConnection,
    user_id: str,
    query: str,
    flt: MemoryFilter,
    config: RetrievalConfig,
    *,
    total_memories: int,
    top_hits: Sequence[int] = (),
) -> list[GraphHit]:
    """Memories near the entities the query names (and, optionally, those of the top hits)."""
    unnamed = () if config.link_concepts else UNNAMED_TYPES
    linked = await retrieval.linked_entities(conn, user_id, query_keys(query), unnamed)
    seeds = {entity_id: 1.0 for entity_id, _, _ in linked}
    if config.seed_hits and top_hits:
        for entity_id in await retrieval.entities_in_memories(conn, user_id, top_hits[: config.seed_hits]):
            seeds.setdefault(entity_id, SEED_FROM_HITS)
    if not seeds:
        return []
    edges: list[tuple[int, int, str]] = []
    frontier = set(seeds)
    for _ in range(config.graph_hops):
        found = await retrieval.relation_edges(conn, user_id, frontier)
        edges += found
        frontier = {n for s, o, _ in found for n in (s, o)} - frontier
    known = await retrieval.entity_names(conn, user_id, set(seeds) | {n for s, o, _ in edges for n in (s, o)})
    reached = expand(seeds, edges, {i: name for i, (name, _) in known.items()}, config.graph_hops)
    mentions = await retrieval.entity_mentions(conn, user_id, reached, flt)
    counts = {i: count for i, (_, count) in known.items()}
    return score_memories(reached, mentions, counts, total_memories)
