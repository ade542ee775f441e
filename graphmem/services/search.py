"""Memory search: embed the query, run the recipe's channels, fuse, explain."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Sequence, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graphmem.dto import ChannelWhy, ContextTurn, SearchFilters, SearchHit, SearchRequest, SearchResponse, Why
from graphmem.embed.base import Embedder
from graphmem.limits import as_utc, check_id, check_metadata, check_text
from graphmem.retrieve.channels import graph_channel, lexical_channel, vector_channel
from graphmem.retrieve.config import DEFAULT_RECIPE, Channel, RetrievalConfig, recipe
from graphmem.retrieve.graph import GraphHit, participants, query_keys
from graphmem.retrieve.rank import Hit, lexical_document, rank
from graphmem.retrieve.when import query_period
from graphmem.store import retrieval
from graphmem.store.lifecycle import record_access
from graphmem.store.memories import MemoryFilter, MemoryHit, adjacent_turns, fetch_memories
from graphmem.store.privacy import scope_to_user

__all__ = ["SearchService", "search_hit"]

T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _why(hit: Hit, config: RetrievalConfig) -> Why:
    return Why(
        fusion=config.fusion.value,
        channels={name: ChannelWhy(c.rank, c.score) for name, c in hit.channels.items()},
        boosts=dict(hit.boosts),
        path=list(hit.path),
    )


def search_hit(row: MemoryHit, score: float, why: Why, around: Sequence[tuple[Any, ...]] = ()) -> SearchHit:
    """A memory as a search result, with its adjacent turns as (id, ts, speaker, text, side)."""
    return SearchHit(
        memory_id=row.id,
        score=score,
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
        context=[ContextTurn(i, side, speaker, text, ts) for i, ts, speaker, text, side in around],
        importance=row.importance,
        access_count=row.access_count,
    )


class SearchService:
    def __init__(self, engine: AsyncEngine, embedder: Embedder, clock: Callable[[], datetime] = _utcnow) -> None:
        self._engine = engine
        self._embedder = embedder
        self._clock = clock

    async def search(
        self, user_id: str, request: SearchRequest, config: RetrievalConfig | None = None
    ) -> SearchResponse:
        """Search with the request's recipe, or with ``config`` (benchmarks and ablations)."""
        check_id("user_id", user_id)
        check_text("query", request.query)
        name = (request.recipe or DEFAULT_RECIPE) if config is None else "custom"
        config = config or recipe(name)
        if request.limit > config.candidates:  # never return fewer hits than asked for
            config = replace(config, candidates=request.limit)
        flt = self._filter(request, config)
        found: dict[str, list[tuple[int, float]]] = {}
        graph_hits: list[GraphHit] = []
        wants_graph = Channel.GRAPH in config.channels or bool(config.entity_boost)

        async def on_conn(work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
            # Each channel reads on its own pooled connection, so the channels overlap in time.
            async with self._engine.connect() as conn:
                await scope_to_user(conn, user_id)
                return await work(conn)

        async def dense() -> None:
            vector = (await anyio.to_thread.run_sync(self._embedder.embed, [request.query]))[0]
            found[Channel.VECTOR.value] = await on_conn(
                lambda c: vector_channel(c, user_id, vector, flt, config.candidates))

        async def graph(top: Sequence[int] = ()) -> None:
            graph_hits.extend(await on_conn(lambda c: graph_channel(
                c, user_id, request.query, flt, config, total_memories=total, top_hits=top)))

        async def lexical_then(seeded_graph: bool) -> None:
            lexical = replace(config, lexical_document=lexical_document(config, median))
            hits = await on_conn(lambda c: lexical_channel(c, user_id, request.query, flt, lexical))
            found[Channel.LEXICAL.value] = hits
            if seeded_graph:  # the graph starts from the top lexical hits' entities too
                await graph([i for i, _ in hits[:3]])

        async with anyio.create_task_group() as tasks:
            if Channel.VECTOR in config.channels:
                tasks.start_soon(dense)  # the query embeds on a worker thread meanwhile
            total, median = await on_conn(lambda c: retrieval.corpus_profile(c, user_id))
            seeded = wants_graph and bool(config.seed_hits) and Channel.LEXICAL in config.channels
            if Channel.LEXICAL in config.channels:
                tasks.start_soon(lexical_then, seeded)
            if wants_graph and not seeded:
                tasks.start_soon(graph)
        lists = {c.value: found[c.value] for c in (Channel.VECTOR, Channel.LEXICAL) if c.value in found}
        ids = {i for ranked in lists.values() for i, _ in ranked} | {h.memory_id for h in graph_hits}

        async def rank_and_show(conn: AsyncConnection) -> tuple[list[Hit], dict[int, MemoryHit], dict[int, Any]]:
            # One connection from the candidates' facts to the access counts: each extra checkout
            # costs a ping and a scoping round trip on the hot path.
            ranked = rank(
                lists,
                config,
                graph_hits=graph_hits,
                candidates=await retrieval.candidates(conn, user_id, ids),
                median_length=median,
                named=frozenset(query_keys(request.query)),
                pronouns=participants(request.query),
                period=query_period(request.query, self._clock()),
                limit=request.limit,
            )
            top = [h.id for h in ranked]
            rows = await fetch_memories(conn, user_id, top)
            around = await adjacent_turns(conn, user_id, top, request.context_turns)
            if config.track_access and top:
                await record_access(conn, user_id, top)
                await conn.commit()
            return ranked, rows, around

        ranked, rows, around = await on_conn(rank_and_show)
        hits = [
            search_hit(rows[h.id], h.score, _why(h, config), around.get(h.id, [])) for h in ranked
        ]
        return SearchResponse(recipe=name, hits=hits)

    @staticmethod
    def _filter(request: SearchRequest, config: RetrievalConfig) -> MemoryFilter:
        f = request.filters or SearchFilters()
        if f.conversation_id is not None:
            check_id("filters.conversation_id", f.conversation_id)
        if f.speaker is not None:
            check_text("filters.speaker", f.speaker)
        check_metadata("filters.metadata", f.metadata)
        until = as_utc(f.until)
        as_of = as_utc(request.as_of)
        if as_of is not None:  # what had been said by then, that instant included
            as_of += timedelta(microseconds=1)
            until = as_of if until is None else min(until, as_of)
        return MemoryFilter(
            conversation_id=f.conversation_id,
            speaker=f.speaker,
            role=f.role,
            since=as_utc(f.since),
            until=until,
            metadata=f.metadata,
            kinds=tuple(f.kinds) if f.kinds is not None else config.kinds,
            include_archived=f.include_archived or config.include_archived,
        )
