"""Memory search: embed the query, run the recipe's channels, fuse, explain."""

from __future__ import annotations

from dataclasses import replace

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.dto import ChannelWhy, SearchHit, SearchRequest, SearchResponse, Why
from graphmem.embed.base import Embedder
from graphmem.limits import as_utc, check_id, check_metadata, check_text
from graphmem.retrieve.channels import lexical_channel, vector_channel
from graphmem.retrieve.config import DEFAULT_RECIPE, Channel, recipe
from graphmem.retrieve.fusion import rrf
from graphmem.store.memories import MemoryFilter, fetch_memories

__all__ = ["SearchService"]


class SearchService:
    def __init__(self, engine: AsyncEngine, embedder: Embedder) -> None:
        self._engine = engine
        self._embedder = embedder

    async def search(self, user_id: str, request: SearchRequest) -> SearchResponse:
        check_id("user_id", user_id)
        check_text("query", request.query)
        name = request.recipe or DEFAULT_RECIPE
        config = recipe(name)
        if request.limit > config.candidates:  # never return fewer hits than asked for
            config = replace(config, candidates=request.limit)
        flt = self._filter(request)
        lists: dict[str, list[tuple[int, float]]] = {}

        if Channel.VECTOR in config.channels:
            vector = (await anyio.to_thread.run_sync(self._embedder.embed, [request.query]))[0]
        async with self._engine.connect() as conn:
            if Channel.VECTOR in config.channels:
                lists[Channel.VECTOR.value] = await vector_channel(conn, user_id, vector, flt, config.candidates)
            if Channel.LEXICAL in config.channels:
                lists[Channel.LEXICAL.value] = await lexical_channel(
                    conn, user_id, request.query, flt, config.candidates
                )
            fused = rrf(lists, k=config.rrf_k, limit=request.limit)
            rows = await fetch_memories(conn, user_id, [f.id for f in fused])

        hits = []
        for f in fused:
            row = rows[f.id]
            why = Why(
                fusion=config.fusion.value,
                channels={name: ChannelWhy(c.rank, c.score) for name, c in f.channels.items()},
            )
            hits.append(
                SearchHit(
                    memory_id=row.id,
                    score=f.score,
                    text=row.text,
                    kind=row.kind,
                    timestamp=row.ts,
                    conversation_id=row.conversation_id,
                    message_id=row.message_id,
                    client_id=row.client_id,
                    speaker=row.speaker,
                    role=row.role,  # type: ignore[arg-type]
                    metadata=row.metadata,
                    why=why,
                )
            )
        return SearchResponse(recipe=name, hits=hits)

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
