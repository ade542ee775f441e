"""The customer context: what a support agent should know about this user right now.

Who "the user" is in their own graph: first-person words in a role=user message resolve to the
speaker's entity, whose alias key is ``speaker_identity("user", speaker)`` ("user" when the
message names no speaker). The user's entity is the PERSON that carries one of those keys as an
alias and that the user's own messages mention most.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graphmem.context.profile import group_profile
from graphmem.context.render import entity_section, fit, memory_section, profile_section, recent_section
from graphmem.context.tokens import TOKEN_METHOD, count_tokens
from graphmem.dto import (
    ChannelWhy,
    ContextEntity,
    ContextResponse,
    EntityRef,
    MessageOut,
    SearchHit,
    SearchRequest,
    TokenCount,
    Why,
)
from graphmem.extract.normalize import entity_key
from graphmem.limits import check_id, check_text
from graphmem.services.graph_stage import speaker_identity
from graphmem.services.search import SearchService, search_hit
from graphmem.store.memories import MemoryHit
from graphmem.services.wire import entity_ref, profile_fact, relation_out
from graphmem.store import context as store
from graphmem.store.entities import get_entities
from graphmem.store.graph import entities_by_alias
from graphmem.store.privacy import scope_to_user
from graphmem.store.relations import RelationFilter, RelationRow, find_relations

__all__ = ["ContextService", "user_entity"]

PROFILE_FACTS = 500
CONTEXT_ENTITIES = 6
FACTS_ABOUT = 3
NOTABLE_CANDIDATES = 50  # without a query, the newest memories considered
SKIPPED_TYPES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"})
_WORD = re.compile(r"[\w'’&.-]+")


async def user_entity(conn: AsyncConnection, user_id: str) -> int | None:
    """The user's own entity, by the rule in this module's docstring."""
    keys = {speaker_identity("user", s)[0] for s in await store.user_speakers(conn, user_id)}
    return await store.most_mentioned_by_user_turns(conn, user_id, keys)


def _query_keys(query: str) -> set[str]:
    """Keys of the query's words and two- and three-word runs, to find entities it names."""
    words = _WORD.findall(query)
    runs = (" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1))
    return {k for k in map(entity_key, runs) if len(k) >= 3}


def _notable_hit(row: MemoryHit, facts: int, rank: int) -> SearchHit:
    """Without a query, a memory ranks by the facts its message stated, then recency; ``why`` says so."""
    return search_hit(row, float(facts), Why(fusion="notable", channels={"facts": ChannelWhy(rank, float(facts))}))


class ContextService:
    def __init__(self, engine: AsyncEngine, search: SearchService) -> None:
        self._engine = engine
        self._search = search

    async def context(
        self,
        user_id: str,
        *,
        query: str | None,
        conversation_id: str | None,
        max_tokens: int,
        history: bool,
        memories: int,
        recent: int,
    ) -> ContextResponse:
        """Profile, memories, related entities and recent turns, plus all of it as text within
        ``max_tokens`` (counted by ``graphmem.context.tokens``). A user never seen gets an empty context."""
        check_id("user_id", user_id)
        if conversation_id is not None:
            check_id("conversation_id", conversation_id)
        if query is not None:
            check_text("query", query)
        hits = (await self._search.search(user_id, SearchRequest(query=query, limit=memories))).hits if query else []
        now = datetime.now(timezone.utc)
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            me = await user_entity(conn, user_id)
            own = RelationFilter(subject_ids=[me], history=history) if me is not None else None
            facts = await find_relations(conn, user_id, own, before_id=None, limit=PROFILE_FACTS) if own else []
            if not query:
                rows = await store.notable_memories(conn, user_id, limit=memories, candidates=NOTABLE_CANDIDATES)
                hits = [_notable_hit(r, facts, i) for i, (r, facts) in enumerate(rows, start=1)]
            related = await self._entities(conn, user_id, me, hits, query, history)
            turns = await store.last_messages(conn, user_id, conversation_id, recent) if conversation_id and recent else []
            me_row = (await get_entities(conn, user_id, [me])).get(me) if me is not None else None
        profile = group_profile(profile_fact(r, now) for r in facts)
        recent_out = [
            MessageOut(t.id, t.conversation_id, t.client_id, t.role, t.speaker, t.text, t.ts, t.metadata, t.created_at)  # type: ignore[arg-type]
            for t in turns
        ]
        in_recent = {t.id for t in turns}  # the text shows each turn once
        sections = [
            profile_section(profile),
            memory_section([h for h in hits if h.message_id not in in_recent]),
            entity_section(related),
            recent_section(recent_out),
        ]
        text = fit(sections, max_tokens)
        return ContextResponse(
            user_id=user_id,
            user=entity_ref(me_row) if me_row else None,
            profile=profile,
            memories=hits,
            entities=related,
            recent=recent_out,
            text=text,
            tokens=TokenCount(TOKEN_METHOD, max_tokens, count_tokens(text)),
        )

    @staticmethod
    async def _entities(
        conn: AsyncConnection, user_id: str, me: int | None, hits: list[SearchHit], query: str | None, history: bool
    ) -> list[ContextEntity]:
        """Entities the top memories mention or the query names, most evidence first, with the
        facts linking each to the user and a few facts about it."""
        score = {i: 2 * n for i, n in (await store.entities_in_memories(conn, user_id, [h.memory_id for h in hits])).items()}
        if query:
            for refs in (await entities_by_alias(conn, user_id, _query_keys(query))).values():
                for ref in refs:
                    score[ref[0]] = score.get(ref[0], 0) + 3
        rows = await get_entities(conn, user_id, score)
        helpers = {"assistant", "someone"}
        ranked = sorted(
            (r for r in rows.values() if r.id != me and r.type not in SKIPPED_TYPES and r.key not in helpers),
            key=lambda r: (-score[r.id], -r.mention_count, r.id),
        )[:CONTEXT_ENTITIES]
        ids = [r.id for r in ranked]
        if not ids:
            return []
        linking: list[RelationRow] = []
        if me is not None:
            between = RelationFilter(between=[me, *ids], history=history)
            linking = [
                r for r in await find_relations(conn, user_id, between, before_id=None, limit=PROFILE_FACTS)
                if me in (r.subject_id, r.object_id)
            ]
        about = await find_relations(conn, user_id, RelationFilter(subject_ids=ids), before_id=None, limit=PROFILE_FACTS)
        out = []
        for r in ranked:
            links = [relation_out(x) for x in linking if r.id in (x.subject_id, x.object_id)]
            own = [relation_out(x) for x in about if x.subject_id == r.id and x.object_id != me][:FACTS_ABOUT]
            out.append(ContextEntity(EntityRef(r.id, r.name, r.type), r.mention_count, links, own))
        return out
