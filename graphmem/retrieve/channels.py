"""Retrieval channels: each returns one ranked list over one user's memories."""

from __future__ import annotations

from typing import Sequence

import anyio.to_thread
import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.retrieve.config import RetrievalConfig
from graphmem.retrieve.graph import GraphHit, entity_pulls, expand, graph_hits, query_keys
from graphmem.retrieve.lexicon import LexicalIndex, LexiconCache
from graphmem.store import lexical, retrieval
from graphmem.store.memories import MemoryFilter
from graphmem.store.retrieval import Candidate

__all__ = ["Ranked", "vector_channel", "lexical_channel", "graph_channel"]

SEED_FROM_HITS = 0.3  # entities of top hits pull less than entities the query names
UNNAMED_TYPES = ("CONCEPT", "DATE", "TIME")  # noun phrases and dates: not things a query names


Ranked = list[tuple[int, float]]


async def vector_channel(
    conn: AsyncConnection, user_id: str, embedding: np.ndarray, flt: MemoryFilter, limit: int, *, passages: bool = True
) -> tuple[Ranked, dict[int, Candidate]]:
    """Cosine similarity, with each hit's facts for fusion (``passages``: the user has some)."""
    return await retrieval.vector_candidates(conn, user_id, embedding, flt, limit, passages=passages)


async def lexical_channel(
    conn: AsyncConnection,
    user_id: str,
    corpus: lexical.Corpus,
    flt: MemoryFilter,
    config: RetrievalConfig,
    cache: LexiconCache,
) -> tuple[Ranked, dict[int, Candidate]]:
    """BM25 over the user's lexical documents, from the cached index while its stamp holds, with
    each hit's facts. Document frequencies count every memory; the filters only restrict hits."""
    document = config.lexical_document
    index = cache.get(user_id, document, corpus.stamp)
    if index is None:  # after a write: read the documents again, parse them off the event loop
        generation = cache.generation(user_id)
        rows = await lexical.lexical_documents(conn, user_id, document)
        index = await anyio.to_thread.run_sync(LexicalIndex.build, rows)
        cache.put(user_id, document, corpus.stamp, index, generation=generation)
    scored = index.score(corpus.terms, config.bm25_k1, config.bm25_b)
    # First the top hits with room for some to fail the filter, then the rest if too many did.
    considered = scored[: flt.room(config.candidates)]
    facts = await retrieval.candidates(conn, user_id, [i for i, _ in considered], flt)
    if len(facts) < config.candidates and len(considered) < len(scored):
        facts |= await retrieval.candidates(conn, user_id, [i for i, _ in scored[len(considered):]], flt)
    return [(i, s) for i, s in scored if i in facts][: config.candidates], facts


async def graph_channel(
    conn: AsyncConnection,
    user_id: str,
    query: str,
    flt: MemoryFilter,
    config: RetrievalConfig,
    *,
    total_memories: int,
    top_hits: Sequence[int] = (),
) -> tuple[list[GraphHit], dict[int, Candidate]]:
    """The top memories near the entities the query names (and, optionally, those of the top
    hits), with each one's facts."""
    unnamed = () if config.link_concepts else UNNAMED_TYPES
    linked = await retrieval.linked_entities(conn, user_id, query_keys(query), unnamed)
    known = {entity_id: (name, count) for entity_id, name, count in linked}  # id -> (name, mentions)
    seeds = {entity_id: 1.0 for entity_id in known}
    if config.seed_hits and top_hits:
        for entity_id, name, count in await retrieval.entities_in_memories(conn, user_id, top_hits[: config.seed_hits]):
            seeds.setdefault(entity_id, SEED_FROM_HITS)
            known.setdefault(entity_id, (name, count))
    if not seeds:
        return [], {}
    edges: list[tuple[int, int, str]] = []
    frontier = set(seeds)
    for _ in range(config.graph_hops):
        found, ends = await retrieval.relation_edges(conn, user_id, frontier)
        edges += found
        known |= ends
        frontier = {n for s, o, _ in found for n in (s, o)} - frontier
    reached = expand(seeds, edges, {i: name for i, (name, _) in known.items()}, config.graph_hops)
    pulls = entity_pulls(reached, {i: count for i, (_, count) in known.items()}, total_memories)
    near, facts = await retrieval.memories_near(conn, user_id, pulls, flt, config.candidates)
    return graph_hits(near, reached), facts
