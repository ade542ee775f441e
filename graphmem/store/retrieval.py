"""Reads the retriever needs beyond the channel queries: entity links, edges, mentions, and
per-candidate facts for fusion (session, length) and per-user corpus statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.extract.normalize import entity_key
from graphmem.store.memories import MemoryFilter, filter_clauses
from graphmem.store.tables import entities, entity_aliases, memories, mentions, messages, relations

__all__ = [
    "Candidate",
    "linked_entities",
    "relation_edges",
    "entity_mentions",
    "entity_names",
    "entities_in_memories",
    "candidates",
    "corpus_profile",
]


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    conversation_id: str | None
    ts: datetime
    length: int  # lexemes in the memory's own text
    speaker: str | None  # who said the source message
    speaker_key: str | None = None  # the speaker's entity key
    role: str | None = None  # user, assistant or other
    importance: float = 0.5

    def said_by(self, named: frozenset[str]) -> bool:
        """Whether a participant the query refers to said this: by name, or by role ("role:user")."""
        return self.speaker_key in named or f"role:{self.role}" in named


async def linked_entities(
    conn: AsyncConnection, user_id: str, keys: Iterable[str], exclude_types: Iterable[str] = ()
) -> list[tuple[int, str, int]]:
    """Entities whose alias keys appear among ``keys``, as (id, name, mention_count)."""
    keys = sorted(set(keys))
    if not keys:
        return []
    e, a = entities.c, entity_aliases.c
    query = (
        sa.select(e.id, e.name, e.mention_count)
        .distinct()
        .select_from(entity_aliases.join(entities, sa.and_(e.user_id == a.user_id, e.id == a.entity_id)))
        .where(a.user_id == user_id, a.key.in_(keys), e.type.not_in(list(exclude_types)))
    )
    return [(r.id, r.name, r.mention_count) for r in await conn.execute(query)]


async def relation_edges(conn: AsyncConnection, user_id: str, entity_ids: Iterable[int], limit: int = 2000) -> list[tuple[int, int, str]]:
    """Entity-to-entity relations touching ``entity_ids``, bounded."""
    ids = sorted(set(entity_ids))
    if not ids:
        return []
    r = relations.c
    query = (
        sa.select(r.subject_id, r.object_id, r.predicate)
        .where(r.user_id == user_id, r.object_id.is_not(None), sa.or_(r.subject_id.in_(ids), r.object_id.in_(ids)))
        .limit(limit)
    )
    return [(row.subject_id, row.object_id, row.predicate) for row in await conn.execute(query)]


async def entity_mentions(
    conn: AsyncConnection, user_id: str, entity_ids: Iterable[int], flt: MemoryFilter, limit: int = 5000
) -> list[tuple[int, int]]:
    """(memory id, entity id) for memories passing ``flt`` that mention the entities."""
    ids = sorted(set(entity_ids))
    if not ids:
        return []
    mn, m = mentions.c, memories.c
    query = (
        sa.select(mn.memory_id, mn.entity_id)
        .distinct()
        .select_from(mentions.join(memories, sa.and_(m.user_id == mn.user_id, m.id == mn.memory_id)))
        .where(mn.user_id == user_id, mn.entity_id.in_(ids), *filter_clauses(user_id, flt))
        .limit(limit)
    )
    return [(row.memory_id, row.entity_id) for row in await conn.execute(query)]


async def entity_names(conn: AsyncConnection, user_id: str, entity_ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    ids = sorted(set(entity_ids))
    if not ids:
        return {}
    e = entities.c
    query = sa.select(e.id, e.name, e.mention_count).where(e.user_id == user_id, e.id.in_(ids))
    return {r.id: (r.name, r.mention_count) for r in await conn.execute(query)}


async def entities_in_memories(conn: AsyncConnection, user_id: str, memory_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(memory_ids))
    if not ids:
        return []
    mn = mentions.c
    query = sa.select(mn.entity_id).distinct().where(mn.user_id == user_id, mn.memory_id.in_(ids))
    return list((await conn.scalars(query)).all())


async def candidates(conn: AsyncConnection, user_id: str, ids: Iterable[int]) -> dict[int, Candidate]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    m, msg = memories.c, messages.c
    query = (
        sa.select(m.id, m.conversation_id, m.ts, m.tsv_len, msg.speaker, msg.role, m.importance)
        .select_from(memories.outerjoin(messages, sa.and_(msg.user_id == m.user_id, msg.id == m.message_id)))
        .where(m.user_id == user_id, m.id.in_(ids))
    )
    return {
        r.id: Candidate(
            r.id, r.conversation_id, r.ts, r.tsv_len, r.speaker, entity_key(r.speaker) if r.speaker else None, r.role,
            r.importance,
        )
        for r in await conn.execute(query)
    }


async def corpus_profile(conn: AsyncConnection, user_id: str) -> tuple[int, float]:
    """(memory count, median memory length in lexemes) of one user."""
    m = memories.c
    query = sa.select(
        sa.func.count(), sa.func.percentile_cont(0.5).within_group(m.tsv_len)
    ).where(m.user_id == user_id, m.parent_id.is_(None))
    count, median = (await conn.execute(query)).one()
    return int(count), float(median or 0.0)
