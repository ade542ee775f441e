"""Memory search: embed the query, run the recipe's channels, fuse, explain."""

from __future__ import annotations

from dataclasses import replace

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.dto import ChannelWhy, SearchHit, SearchRequest, SearchResponse, Why
from graphmem.embed.base import Embedder
from graphmem.limits import as_utc, check_id, check_metadata, check_text
from graphmem.retrieve.channels import graph_channel, lexical_channel, vector_channel
from graphmem.retrieve.config import DEFAULT_RECIPE, Channel, RetrievalConfig, recipe
from graphmem.retrieve.rank import Hit, rank
from graphmem.store import retrieval
from graphmem.store.memories import MemoryFilter, fetch_memories

__all__ = ["SearchService"]


class SearchService:
    def __init__(self, engine: AsyncEngine, embedder: Embedder) -> None:
        self._engine = engine
        self._embedder = embedder

    async def search(
        self, user_id: str, request: SearchRequest, config: RetrievalConfig | None = None
    ) -> SearchResponse:
        """Search with the request's recipe, or with ``config`` (benchmarks and ablations)."""
        check_id("user_id", user_id)
        check_text("query", request.query)
        name = request.recipe or DEFAULT_RECIPE if config is None else "custom"
        config = config or recipe(name)
        if request.limit > config.candidates:  # never return fewer hits than asked for
            config = replace(config, candidates=request.limit)
        flt = self._filter(request)
        embedding = None
        if Channel.VECTOR in config.channels:
            embedding = (await anyio.to_thread.run_sync(self._embedder.embed, [request.query]))[0]

        async with self._engine.connect() as conn:
            total, median = await retrieval.corpus_profile(conn, user_id)
            lists: dict[str, list[tuple[int, float]]] = {}
            if embedding is not None:
                lists[Channel.VECTOR.value] = await vector_channel(conn, user_id, embedding, flt, config.candidates)
            if Channel.LEXICAL in config.channels:
                lists[Channel.LEXICAL.value] = await lexical_channel(conn, user_id, request.query, flt, config)
            graph_hits = []
            if Channel.GRAPH in config.channels or config.entity_boost:
                top = [i for ranked in lists.values() for i, _ in ranked[:3]]
                graph_hits = await graph_channel(
                    conn, user_id, request.query, flt, config, total_memories=total, top_hits=top
                )
            ids = {i for ranked in lists.values() for i, _ in ranked} | {h.memory_id for h in graph_hits}
            info = await retrieval.candidates(conn, user_id, ids)
            ranked = rank(
                lists,
                config,
                graph_hits=graph_hits,
                sessions={i: c.conversation_id or "" for i, c in info.items()},
                lengths={i: c.length for i, c in info.items()},
                median_length=median,
                limit=request.limit,
            )
            rows = await fetch_memories(conn, user_id, [h.id for h in ranked])
        return SearchResponse(recipe=name, hits=[self._hit(h, rows[h.id], config) for h in ranked])

    @staticmethod
    def _hit(hit: Hit, row: object, config: RetrievalConfig) -> SearchHit:
        why = Why(
            fusion=config.fusion.value,
            channels={name: ChannelWhy(c.rank, c.score) for name, c in hit.channels.items()},
            boosts=dict(hit.boosts),
            path=list(hit.path),
        )
        return SearchHit(
            memory_id=row.id,  # type: ignore[attr-defined]
            score=hit.score,
            text=row.text,  # type: ignore[attr-defined]
            kind=row.kind,  # type: ignore[attr-defined]
            timestamp=row.ts,  # type: ignore[attr-defined]
            conversation_id=row.conversation_id,  # type: ignore[attr-defined]
            message_id=row.message_id,  # type: ignore[attr-defined]
            client_id=row.client_id,  # type: ignore[attr-defined]
            speaker=row.speaker,  # type: ignore[attr-defined]
            role=row.role,  # type: ignore[attr-defined]
            metadata=row.metadata,  # type: ignore[attr-defined]
            why=why,
        )

    @staticmethod
    def _filter(request: SearchRequest) -> MemoryFilter:
        f = request.filters
        if f is None:
            return MemoryFilter()
        if f.conversation_id is not None:
            check_id("filters.conversation_id", f.conversation_id)
        if f.speaker is not None:
            check_text("filters.speaker", f.speaker)
        check_metadata("filters.metadata", f.metadata)
        return MemoryFilter(
            conversation_id=f.conversation_id,
            speaker=f.speaker,
            role=f.role,
            since=as_utc(f.since),
            until=as_utc(f.until),
            metadata=f.metadata,
        )
