"""Memory search: embed the query, run the recipe's channels, fuse, explain."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Sequence

import anyio
import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graphmem.dto import ChannelWhy, ContextTurn, SearchFilters, SearchHit, SearchRequest, SearchResponse, Why
from graphmem.embed.base import Embedder
from graphmem.limits import as_utc, check_id, check_metadata, check_text
from graphmem.retrieve.cache import StampedCache
from graphmem.retrieve.channels import graph_channel, lexical_channel, passing, vector_channel
from graphmem.retrieve.config import DEFAULT_RECIPE, Channel, RetrievalConfig, recipe
from graphmem.retrieve.corpus import SPEAKERS, read_corpus, read_facts, read_speakers
from graphmem.retrieve.entity_graph import EntityGraph
from graphmem.retrieve.graph import GraphHit, graph_hits, participants, query_keys
from graphmem.retrieve.rank import Hit, lexical_document, rank
from graphmem.retrieve.speakers import named_speakers, without_names
from graphmem.retrieve.when import query_period
from graphmem.store import lexical as lexical_store
from graphmem.store.memories import MemoryFilter, MemoryHit, adjacent_turns, fetch_and_count, fetch_memories
from graphmem.store.privacy import scope_to_user

__all__ = ["SearchService", "search_hit"]


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
    def __init__(
        self,
        engine: AsyncEngine,
        embedder: Embedder,
        clock: Callable[[], datetime] = _utcnow,
        lexicon: StampedCache[Any] | None = None,
        graphs: StampedCache[EntityGraph] | None = None,
        facts: StampedCache[Any] | None = None,
    ) -> None:
        self._engine = engine
        self._embedder = embedder
        self._clock = clock
        self._lexicon = lexicon if lexicon is not None else StampedCache()
        self._graphs = graphs if graphs is not None else StampedCache()
        # Apart from the BM25 indexes, so that a user's facts never push out their own index.
        self._facts = facts if facts is not None else StampedCache()

    @property
    def lexicon(self) -> StampedCache[Any]:
        return self._lexicon

    @property
    def graphs(self) -> StampedCache[EntityGraph]:
        return self._graphs

    @property
    def facts(self) -> StampedCache[Any]:
        return self._facts

    def forget(self, user_id: str) -> None:
        """Drop what this process holds of an erased user's words, facts and graph."""
        for cache in (self._lexicon, self._graphs, self._facts):
            cache.forget(user_id)

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
        lists: dict[str, list[tuple[int, float]]] = {}
        box: list[Any] = []
        # The participants the query names are known for sure only once the memory revision is read;
        # the embedding starts before, on the names of the last corpus seen (re-done if they differ).
        # Not when the request itself picks a speaker or role: the two would intersect to nothing.
        focus = config.speaker_focus and Channel.VECTOR in config.channels and flt.speaker is None and flt.role is None
        guess = named_speakers(request.query, self._lexicon.latest(user_id, SPEAKERS) or ()) if focus else ()

        async def embed(names: tuple[str, ...]) -> Any:
            return await anyio.to_thread.run_sync(self._embedder.embed_query, without_names(request.query, names))

        async def start_embedding() -> None:
            box.append(await embed(guess))

        # One connection, one scoping round trip: on two cores the database work gains nothing
        # from running on several connections at once, but it does overlap the query embedding,
        # which runs on a worker thread meanwhile (started first, as it is the longest stage).
        async with AsyncExitStack() as stack:
            async with anyio.create_task_group() as tasks:
                if Channel.VECTOR in config.channels:
                    tasks.start_soon(start_embedding)
                conn = await stack.enter_async_context(self._engine.connect())
                await scope_to_user(conn, user_id, lazy_commit=config.track_access)
                corpus = await read_corpus(conn, user_id, request.query, self._lexicon)
                names: tuple[str, ...] = ()
                if focus:
                    names = named_speakers(request.query, await read_speakers(conn, user_id, corpus, self._lexicon))
                near = await self._text_and_graph(conn, user_id, request.query, flt, config, corpus, lists)
                await read_facts(conn, user_id, corpus, self._facts)  # a rebuild, if any, while the query embeds
            if box:
                vector = box[0] if names == guess else await embed(names)
                lists[Channel.VECTOR.value] = await vector_channel(
                    conn, user_id, vector, replace(flt, speakers=names) if names else flt, config.candidates,
                    passages=corpus.passages > 0, own_words=bool(names),
                )
            listed = {i for hits in lists.values() for i, _ in hits} | {h.memory_id for h in near}
            facts = await read_facts(conn, user_id, corpus, self._facts, listed)
            ranked = rank(
                lists,
                config,
                graph_hits=near,
                candidates=facts,
                median_length=corpus.median_length,
                named=frozenset(query_keys(request.query)),
                pronouns=participants(request.query),
                period=query_period(request.query, self._clock()),
                limit=request.limit,
            )
            top = [h.id for h in ranked]
            around = await adjacent_turns(conn, user_id, top, request.context_turns)
            fetch = fetch_and_count if config.track_access else fetch_memories
            rows = await fetch(conn, user_id, top)
        hits = [  # a memory deleted since the channels read it is left out
            search_hit(rows[h.id], h.score, _why(h, config), around.get(h.id, [])) for h in ranked if h.id in rows
        ]
        return SearchResponse(recipe=name, hits=hits)

    async def _text_and_graph(
        self,
        conn: AsyncConnection,
        user_id: str,
        query: str,
        flt: MemoryFilter,
        config: RetrievalConfig,
        corpus: lexical_store.Corpus,
        lists: dict[str, list[tuple[int, float]]],
    ) -> list[GraphHit]:
        """BM25 into ``lists`` and the graph channel's hits (seeded from the top BM25 hits too when
        the recipe says so), both scored in process, then filtered together."""
        scored: list[tuple[int, float]] = []
        ranked: dict[str, list[int]] = {}
        if Channel.LEXICAL in config.channels:
            lexical = replace(config, lexical_document=lexical_document(config, corpus.median_length))
            scored = await lexical_channel(conn, user_id, corpus, lexical, self._lexicon)
            ranked[Channel.LEXICAL.value] = [i for i, _ in scored]
        near: list[tuple[int, float, int]] = []
        reached: dict[int, tuple[float, tuple[str, ...]]] = {}
        if Channel.GRAPH in config.channels or config.entity_boost:
            top = [i for i, _ in scored[: config.seed_hits]]
            near, reached = await graph_channel(conn, user_id, query, corpus, config, self._graphs, top_hits=top)
            ranked[Channel.GRAPH.value] = [m for m, _, _ in near]
        passed = await passing(conn, user_id, ranked, flt, config.candidates)
        if Channel.LEXICAL in config.channels:
            lists[Channel.LEXICAL.value] = [(i, s) for i, s in scored if i in passed][: config.candidates]
        return graph_hits([n for n in near if n[0] in passed][: config.candidates], reached)

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
