"""Retrieval channels: each returns one ranked list over one user's memories. The vector query
applies the search's filter itself; BM25 and the graph score in process, and ``passing`` checks
the filter for both lists' hits in one round trip."""

from __future__ import annotations

from typing import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.retrieve.cache import StampedCache, cached
from graphmem.retrieve.config import RetrievalConfig
from graphmem.retrieve.entity_graph import EntityGraph
from graphmem.retrieve.graph import entity_pulls, expand, query_keys
from graphmem.retrieve.lexicon import LexicalIndex
from graphmem.store import lexical, memories, retrieval
from graphmem.store.memories import MemoryFilter

__all__ = ["Ranked", "vector_channel", "lexical_channel", "graph_channel", "passing"]

SEED_FROM_HITS = 0.3  # entities of top hits pull less than entities the query names
UNNAMED_TYPES = ("CONCEPT", "DATE", "TIME")  # noun phrases and dates: not things a query names


Ranked = list[tuple[int, float]]


# Cosine similarity in one statement: the store's query is the channel (``own_words``: against
# the vectors of the memories' own words, see ``retrieve.speakers``).
vector_channel = memories.vector_search


async def lexical_channel(
    conn: AsyncConnection, user_id: str, corpus: lexical.Corpus, config: RetrievalConfig, cache: StampedCache[LexicalIndex]
) -> Ranked:
    """BM25 over all of the user's lexical documents, from the cached index while its stamp holds.
    Document frequencies count every memory; ``passing`` applies the filters to the hits."""
    document = config.lexical_document
    index = await cached(
        cache, user_id, document, corpus.stamp, lambda: lexical.lexical_documents(conn, user_id, document), LexicalIndex.build
    )
    return index.score(corpus.terms, config.bm25_k1, config.bm25_b)


async def graph_channel(
    conn: AsyncConnection,
    user_id: str,
    query: str,
    corpus: lexical.Corpus,
    config: RetrievalConfig,
    cache: StampedCache[EntityGraph],
    *,
    top_hits: Sequence[int] = (),
) -> tuple[list[tuple[int, float, int]], dict[int, tuple[float, tuple[str, ...]]]]:
    """Memories near the entities the query names (and those of ``top_hits``, weaker), from
    the user's graph cached while its revision holds: (memory id, score, strongest entity) best
    first, and each reached entity's (weight, path) to explain them with ``graph_hits``."""
    graph = await cached(
        cache, user_id, "graph", corpus.graph_revision, lambda: retrieval.graph_rows(conn, user_id), EntityGraph.build
    )
    seeds = dict.fromkeys(graph.link(query_keys(query), () if config.link_concepts else UNNAMED_TYPES), 1.0)
    for entity_id in graph.of_memories(top_hits):
        seeds.setdefault(entity_id, SEED_FROM_HITS)
    if not seeds:
        return [], {}
    edges: list[tuple[int, int, str]] = []
    frontier, seen = set(seeds), set(seeds)
    for _ in range(config.graph_hops):
        found = graph.edges(frontier)
        edges += found
        frontier = {n for s, o, _ in found for n in (s, o)} - seen
        seen |= frontier
    reached = expand(seeds, edges, graph.names, config.graph_hops)
    return graph.near(entity_pulls(reached, graph.counts, corpus.count)), reached


async def passing(
    conn: AsyncConnection, user_id: str, ranked: Mapping[str, Sequence[int]], flt: MemoryFilter, limit: int
) -> set[int]:
    """The hits that pass the filter among each list's best ``limit``: the top of every list,
    with room for some to fail, in one round trip; then the rest of any list where too many did."""
    room = flt.room(limit)  # None: every hit
    checked = {i for ids in ranked.values() for i in ids[:room]}
    passed = await retrieval.passing_ids(conn, user_id, checked, flt)
    if room is None:
        return passed
    rest = {i for ids in ranked.values() if sum(i in passed for i in ids[:room]) < limit for i in ids[room:]} - checked
    if rest:
        passed |= await retrieval.passing_ids(conn, user_id, rest, flt)
    return passed
