"""The retriever's reads: the vector channel's statement, the user's entity graph, and each
candidate's facts for fusion (session, time, length, speaker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.extract.normalize import entity_key
from graphmem.store.memories import MemoryFilter, filter_clauses, one_of, vector_ranking
from graphmem.store.tables import entities, entity_aliases, memories, mentions, messages, relations

__all__ = ["Candidate", "speakers", "graph_rows", "candidates", "vector_candidates"]


# Built once: aliasing a table copies every column, which is not free per query.
_WHOLE = memories.alias("whole")


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


def _facts(memory: sa.TableClause | sa.Alias) -> tuple[Any, ...]:
    m, msg = memory.c, messages.c
    return (m.conversation_id, m.ts, m.tsv_len, msg.speaker, msg.role, m.importance)


def _messages_of(memory: sa.TableClause | sa.Alias) -> sa.ColumnElement[bool]:
    return sa.and_(messages.c.user_id == memory.c.user_id, messages.c.id == memory.c.message_id)


def _candidates(rows: Iterable[Any], into: dict[int, Candidate]) -> dict[int, Candidate]:
    """Rows of (id, [similarity,] *_facts) as candidates; the first row of an id wins."""
    keys: dict[str, str] = {}  # a few speakers say hundreds of candidates
    for row in rows:
        memory_id, (conversation_id, ts, length, speaker, role, importance) = row[0], row[-6:]
        if memory_id in into:
            continue
        key = (keys.get(speaker) or keys.setdefault(speaker, entity_key(speaker))) if speaker else None
        into[memory_id] = Candidate(memory_id, conversation_id, ts, length, speaker, key, role, importance)
    return into


async def candidates(
    conn: AsyncConnection, user_id: str, ids: Iterable[int], flt: MemoryFilter | None = None
) -> dict[int, Candidate]:
    """The facts fusion needs about each memory, for those of ``ids`` that pass ``flt`` if given."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    m = memories.c
    query = (
        sa.select(m.id, *_facts(memories))
        .select_from(memories.outerjoin(messages, _messages_of(memories)))
        .where(m.user_id == user_id, one_of(m.id, ids), *(filter_clauses(user_id, flt) if flt else ()))
    )
    return _candidates(await conn.execute(query), {})


async def vector_candidates(
    conn: AsyncConnection,
    user_id: str,
    embedding: np.ndarray,
    flt: MemoryFilter,
    limit: int,
    *,
    passages: bool = True,
    own_words: bool = False,
) -> tuple[list[tuple[int, float]], dict[int, Candidate]]:
    """The vector channel's ranking (``memories.vector_ranking``) with each hit's facts, in one
    round trip: (memory id, similarity) best first, a passage crediting its message. With
    ``passages``, twice ``limit`` rows leave room for several passages of one message."""
    ranked = vector_ranking(user_id, embedding, flt, 2 * limit if passages else limit, own_words=own_words).subquery("ranked")
    whole = _WHOLE
    query = (
        sa.select(ranked.c.id, ranked.c.d, *_facts(whole))
        .select_from(
            ranked.join(whole, sa.and_(whole.c.user_id == user_id, whole.c.id == ranked.c.id))
            .outerjoin(messages, _messages_of(whole))
        )
        .order_by(ranked.c.d, ranked.c.id)
    )
    rows = (await conn.execute(query)).all()
    best: dict[int, float] = {}
    for row in rows:
        best.setdefault(row.id, 1.0 - float(row.d))
    return list(best.items())[:limit], _candidates(rows, {})
