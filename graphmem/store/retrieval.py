"""The retriever's reads: the vector and graph channel statements, entity links and edges, and
each candidate's facts for fusion (session, time, length, speaker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.extract.normalize import entity_key
from graphmem.store.memories import MemoryFilter, filter_clauses, one_of, vector_ranking
from graphmem.store.tables import entities, entity_aliases, memories, mentions, messages, relations

__all__ = [
    "Candidate",
    "linked_entities",
    "relation_edges",
    "memories_near",
    "entities_in_memories",
    "candidates",
    "vector_candidates",
]


# Aliases built once: aliasing a table copies every column, which is not free per query.
_SUBJECT, _OBJECT, _WHOLE = entities.alias("subject"), entities.alias("object"), memories.alias("whole")


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


async def relation_edges(
    conn: AsyncConnection, user_id: str, entity_ids: Iterable[int], limit: int = 2000
) -> tuple[list[tuple[int, int, str]], dict[int, tuple[str, int]]]:
    """Entity-to-entity relations touching ``entity_ids`` (bounded) as (subject, object,
    predicate), and each endpoint's (name, mention_count)."""
    ids = sorted(set(entity_ids))
    if not ids:
        return [], {}
    r = relations.c
    subject, obj = _SUBJECT, _OBJECT
    query = (
        sa.select(
            r.subject_id, r.object_id, r.predicate,
            subject.c.name.label("s_name"), subject.c.mention_count.label("s_count"),
            obj.c.name.label("o_name"), obj.c.mention_count.label("o_count"),
        )
        .select_from(
            relations.join(subject, sa.and_(subject.c.user_id == r.user_id, subject.c.id == r.subject_id))
            .join(obj, sa.and_(obj.c.user_id == r.user_id, obj.c.id == r.object_id))
        )
        .where(r.user_id == user_id, sa.or_(one_of(r.subject_id, ids), one_of(r.object_id, ids)))
        .limit(limit)
    )
    edges: list[tuple[int, int, str]] = []
    ends: dict[int, tuple[str, int]] = {}
    for row in await conn.execute(query):
        edges.append((row.subject_id, row.object_id, row.predicate))
        ends[row.subject_id], ends[row.object_id] = (row.s_name, row.s_count), (row.o_name, row.o_count)
    return edges, ends


async def memories_near(
    conn: AsyncConnection, user_id: str, pulls: Mapping[int, float], flt: MemoryFilter, limit: int
) -> tuple[list[tuple[int, float, int]], dict[int, Candidate]]:
    """Memories passing ``flt`` that mention the entities, scored by the sum of the pulls of the
    entities each mentions: (memory id, score, strongest entity), best first, with each one's
    facts. Summing here keeps the hundreds of mentions of a hub (a speaker) out of the round trip."""
    if not pulls:
        return [], {}
    mn, m = mentions.c, memories.c
    ids, weights = list(pulls), [float(pulls[i]) for i in pulls]
    pull = (
        sa.func.unnest(sa.bindparam(None, ids, type_=ARRAY(sa.BigInteger)), sa.bindparam(None, weights, type_=ARRAY(sa.Float)))
        .table_valued("entity_id", "pull")
        .render_derived(name="pull")
    )
    pairs = (
        sa.select(mn.memory_id, mn.entity_id)
        .distinct()
        .where(mn.user_id == user_id, one_of(mn.entity_id, ids))
        .subquery("pairs")
    )
    score = sa.func.sum(pull.c.pull)
    near = (
        sa.select(pairs.c.memory_id, score.label("score"), sa.func.array_agg(pairs.c.entity_id).label("entities"))
        .select_from(pairs.join(pull, pull.c.entity_id == pairs.c.entity_id))
        .group_by(pairs.c.memory_id)
        .order_by(score.desc(), pairs.c.memory_id)
        .limit(flt.room(limit))  # filtered after scoring
        .subquery("near")
    )
    whole = _WHOLE
    query = (
        sa.select(near.c.memory_id, near.c.score, near.c.entities, *_facts(whole))
        .select_from(
            near.join(whole, sa.and_(whole.c.user_id == user_id, whole.c.id == near.c.memory_id))
            .outerjoin(messages, _messages_of(whole))
        )
        .where(*filter_clauses(user_id, flt, whole))
        .order_by(near.c.score.desc(), near.c.memory_id)
        .limit(limit)
    )
    rows = (await conn.execute(query)).all()
    strongest = [max(row[2], key=lambda e: (pulls[e], -e)) for row in rows]
    return [(row[0], float(row[1]), e) for row, e in zip(rows, strongest)], _candidates(rows, {})


async def entities_in_memories(conn: AsyncConnection, user_id: str, memory_ids: Iterable[int]) -> list[tuple[int, str, int]]:
    """Entities the memories mention, as (id, name, mention_count)."""
    ids = sorted(set(memory_ids))
    if not ids:
        return []
    mn, e = mentions.c, entities.c
    query = (
        sa.select(e.id, e.name, e.mention_count)
        .distinct()
        .select_from(mentions.join(entities, sa.and_(e.user_id == mn.user_id, e.id == mn.entity_id)))
        .where(mn.user_id == user_id, one_of(mn.memory_id, ids))
    )
    return [(r.id, r.name, r.mention_count) for r in await conn.execute(query)]


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
    conn: AsyncConnection, user_id: str, embedding: np.ndarray, flt: MemoryFilter, limit: int, *, passages: bool = True
) -> tuple[list[tuple[int, float]], dict[int, Candidate]]:
    """The vector channel's ranking (``memories.vector_ranking``) with each hit's facts, in one
    round trip: (memory id, similarity) best first, a passage crediting its message. With
    ``passages``, twice ``limit`` rows leave room for several passages of one message."""
    ranked = vector_ranking(user_id, embedding, flt, 2 * limit if passages else limit).subquery("ranked")
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
