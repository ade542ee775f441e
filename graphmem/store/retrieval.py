"""The retriever's reads: the user's entity graph, each memory's facts for fusion (session,
time, length, speaker), and which candidates pass a search's filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.extract.normalize import entity_key
from graphmem.store.memories import MemoryFilter, chosen, filter_clauses, one_of, prebuilt
from graphmem.store.tables import entities, entity_aliases, memories, mentions, messages, relations

__all__ = ["Candidate", "speakers", "graph_rows", "fact_rows", "facts_by_id", "passing_ids"]


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


async def speakers(conn: AsyncConnection, user_id: str) -> list[str]:
    """The names the user's messages were said by (roles aside)."""
    msg = messages.c
    query = sa.select(msg.speaker).distinct().where(msg.user_id == user_id, msg.speaker.is_not(None))
    return [row[0] for row in await conn.execute(query)]


async def graph_rows(conn: AsyncConnection, user_id: str) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """The user's whole entity graph, for ``EntityGraph.build``: entities (id, name, type,
    mention_count), aliases (key, entity id), relations between entities (subject, object,
    predicate) in id order, and distinct mentions (entity id, memory id)."""
    e, a, r, mn = entities.c, entity_aliases.c, relations.c, mentions.c
    statements = (
        sa.select(e.id, e.name, e.type, e.mention_count).where(e.user_id == user_id),
        sa.select(a.key, a.entity_id).where(a.user_id == user_id),
        sa.select(r.subject_id, r.object_id, r.predicate)
        .where(r.user_id == user_id, r.object_id.is_not(None))
        .order_by(r.id),
        sa.select(mn.entity_id, mn.memory_id).distinct().where(mn.user_id == user_id),
    )
    out = [[tuple(row) for row in await conn.execute(stmt)] for stmt in statements]
    return out[0], out[1], out[2], out[3]


def facts_by_id(rows: Iterable[Any]) -> dict[int, Candidate]:
    """``fact_rows`` as candidates by memory id."""
    keys: dict[str, str] = {}  # a few speakers say hundreds of candidates
    out: dict[int, Candidate] = {}
    for memory_id, conversation_id, ts, length, speaker, role, importance in rows:
        key = (keys.get(speaker) or keys.setdefault(speaker, entity_key(speaker))) if speaker else None
        out[memory_id] = Candidate(memory_id, conversation_id, ts, length, speaker, key, role, importance)
    return out


async def fact_rows(conn: AsyncConnection, user_id: str, ids: Iterable[int] | None = None) -> list[Any]:
    """The facts fusion needs about each of ``ids``, or, without ``ids``, about every memory
    (passages aside): all change only with their memory, since messages are never updated, so
    the search caches them under the memory revision."""
    m, msg = memories.c, messages.c
    chosen = m.parent_id.is_(None) if ids is None else one_of(m.id, sorted(set(ids)))
    query = (
        sa.select(m.id, m.conversation_id, m.ts, m.tsv_len, msg.speaker, msg.role, m.importance)
        .select_from(memories.outerjoin(messages, sa.and_(msg.user_id == m.user_id, msg.id == m.message_id)))
        .where(m.user_id == user_id, chosen)
    )
    return [tuple(row) for row in await conn.execute(query)]


def _passing_query(flt: MemoryFilter) -> sa.Select[Any]:
    return sa.select(memories.c.id).where(*chosen(), *filter_clauses(sa.bindparam("uid"), flt))


async def passing_ids(conn: AsyncConnection, user_id: str, ids: Iterable[int], flt: MemoryFilter) -> set[int]:
    """Those of ``ids`` that pass ``flt``."""
    ids = sorted(set(ids))
    if not ids:
        return set()
    rows = await conn.execute(prebuilt(_passing_query, flt), {"uid": user_id, "ids": ids})
    return {row[0] for row in rows}
