"""Long-term memories: inserts, per-user filters, the vector query and session neighbourhoods."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Hashable, Iterable, Sequence, TypeVar

import numpy as np
import sqlalchemy as sa
from psycopg.errors import ForeignKeyViolation
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.privacy import scope_to_user
from graphmem.store.tables import memories, memory_access, messages

T = TypeVar("T")

__all__ = [
    "MemoryFilter",
    "prebuilt",
    "chosen",
    "MemoryHit",
    "filter_clauses",
    "one_of",
    "insert_memories",
    "vector_ranking",
    "vector_search",
    "session_turns",
    "fetch_memories",
    "fetch_and_count",
    "adjacent_turns",
]


@dataclass(frozen=True, slots=True)
class MemoryFilter:
    conversation_id: str | None = None
    speaker: str | None = None
    role: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    kinds: tuple[str, ...] | None = None  # None: every kind
    include_archived: bool = False
    speakers: tuple[str, ...] = ()  # any of these speakers (the vector channel of a query naming them)

    @property
    def narrow(self) -> bool:
        """Whether it keeps less than every live (unarchived, unexpired) memory."""
        return any(
            (self.conversation_id, self.speaker, self.role, self.since, self.until, self.metadata, self.kinds is not None,
             self.speakers)
        )

    def room(self, limit: int) -> int | None:
        """How many top hits to score before filtering so that ``limit`` pass: only archived or
        expired memories fail the default filter, so a margin of a fifth; every hit (None) for
        a narrower filter."""
        return None if self.narrow else limit + limit // 5


@dataclass(frozen=True, slots=True)
class MemoryHit:
    """A memory with the source message fields a search result shows."""

    id: int
    text: str
    kind: str
    ts: datetime
    metadata: dict[str, Any]
    conversation_id: str | None
    message_id: int | None
    client_id: str | None
    speaker: str | None
    role: str | None
    importance: float = 0.5
    access_count: int = 0


async def insert_memories(conn: AsyncConnection, user_id: str, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(sa.insert(memories), [{**row, "user_id": user_id} for row in rows])


def one_of(column: sa.ColumnElement[int], ids: Iterable[int]) -> sa.ColumnElement[bool]:
    """``column = ANY(array)``: one parameter however many ids, so the statement text stays the
    same (psycopg prepares it) and no per-id placeholder is rendered and bound."""
    return column == sa.any_(sa.bindparam(None, list(ids), type_=ARRAY(sa.BigInteger)))


UserId = str | sa.BindParameter[Any]  # a value, or the parameter of a statement built once (``prebuilt``)


class _FilterKey:
    """A filter as a cache key (its metadata is a dict)."""

    __slots__ = ("flt", "key")

    def __init__(self, flt: MemoryFilter) -> None:
        self.flt = flt
        self.key = (
            flt.conversation_id, flt.speaker, flt.role, flt.since, flt.until, flt.kinds, flt.include_archived,
            flt.speakers, json.dumps(flt.metadata, sort_keys=True, default=str),
        )

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _FilterKey) and self.key == other.key


def prebuilt(build: Callable[..., T], flt: MemoryFilter, *args: Hashable) -> T:
    """``build(flt, *args)``, built once per filter (for statements that take the user and their
    other values as parameters): building a statement took longer than running it."""
    return _prebuilt(build, _FilterKey(flt), *args)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=256)
def _prebuilt(build: Callable[..., Any], key: _FilterKey, *args: Hashable) -> Any:
    return build(key.flt, *args)


def filter_clauses(
    user_id: UserId, flt: MemoryFilter, table: sa.TableClause | sa.Alias = memories
) -> list[sa.ColumnElement[bool]]:
    """The filter on ``memories`` (or an alias of it)."""
    m = table.c
    # An expired memory is hidden at once, before maintenance deletes or archives it; an
    # archived one (expired or not) is governed by ``include_archived`` alone.
    clauses: list[sa.ColumnElement[bool]] = [
        m.user_id == user_id,
        sa.or_(m.expires_at.is_(None), m.expires_at > sa.func.now(), m.archived_at.is_not(None)),
    ]
    if not flt.include_archived:
        clauses.append(m.archived_at.is_(None))
    if flt.kinds is not None:
        clauses.append(m.kind.in_(list(flt.kinds)))
    if flt.conversation_id is not None:
        clauses.append(m.conversation_id == flt.conversation_id)
    if flt.since is not None:
        clauses.append(m.ts >= flt.since)
    if flt.until is not None:
        clauses.append(m.ts < flt.until)
    if flt.metadata:
        clauses.append(m.metadata.contains(flt.metadata))
    if flt.speaker is not None or flt.role is not None or flt.speakers:
        msg = messages.c
        # Correlated to the memory only: a query that also joins messages must not absorb this one.
        source = sa.select(sa.literal(1)).where(msg.user_id == m.user_id, msg.id == m.message_id).correlate_except(messages)
        if flt.speaker is not None:
            source = source.where(msg.speaker == flt.speaker)
        if flt.speakers:
            source = source.where(msg.speaker == sa.any_(sa.bindparam(None, list(flt.speakers), type_=ARRAY(sa.Text))))
        if flt.role is not None:
            source = source.where(msg.role == flt.role)
        clauses.append(source.exists())
    return clauses


def vector_ranking(
    user_id: UserId, embedding: np.ndarray | sa.BindParameter[Any], flt: MemoryFilter, limit: int | sa.BindParameter[Any],
    *, own_words: bool = False,
) -> sa.Select[Any]:
    """The top ``limit`` memories and passages by cosine distance, as (id, d), where a passage's
    id is its whole message's memory. ``own_words``: compare with the vector of each memory's
    own words where it has one (``text_embedding``)."""
    m = memories.c
    vector = sa.func.coalesce(m.text_embedding, m.embedding, type_=m.embedding.type) if own_words else m.embedding
    distance = vector.cosine_distance(embedding)
    return (
        sa.select(sa.func.coalesce(memories.c.parent_id, memories.c.id).label("id"), distance.label("d"))
        .where(*filter_clauses(user_id, flt))
        .order_by(distance)
        .limit(limit)
    )


def _vector_query(flt: MemoryFilter, own_words: bool) -> sa.Select[Any]:
    query = sa.bindparam("q", type_=memories.c.embedding.type)
    return vector_ranking(sa.bindparam("uid"), query, flt, sa.bindparam("k", type_=sa.Integer), own_words=own_words)


async def vector_search(
    conn: AsyncConnection,
    user_id: str,
    embedding: np.ndarray,
    flt: MemoryFilter,
    limit: int,
    *,
    passages: bool = True,
    own_words: bool = False,
) -> list[tuple[int, float]]:
    """Top ``limit`` memories by cosine similarity, as (memory id, similarity). A passage's
    similarity counts for its whole message's memory, which keeps its best passage's; with
    ``passages``, twice ``limit`` rows leave room for several passages of one message.
    ``own_words``: see ``vector_ranking``."""
    best: dict[int, float] = {}
    query = prebuilt(_vector_query, flt, own_words)
    rows = await conn.execute(query, {"uid": user_id, "q": embedding, "k": 2 * limit if passages else limit})
    for row in rows:
        best.setdefault(row.id, 1.0 - float(row.d))  # rows come best first
    return list(best.items())[:limit]


async def session_turns(
    conn: AsyncConnection, user_id: str, conversation_id: str, first: datetime, last: datetime, pad: int
) -> list[tuple[int, datetime, str, str]]:
    """A conversation's memories from ``first`` to ``last`` plus ``pad`` on either side, in time
    order, as (id, ts, speaker or role, text): what context documents are built from."""
    m, msg = memories.c, messages.c
    base = (
        sa.select(m.id, m.ts, sa.func.coalesce(msg.speaker, msg.role, "someone").label("speaker"), m.text)
        .select_from(memories.outerjoin(messages, sa.and_(msg.user_id == m.user_id, msg.id == m.message_id)))
        .where(m.user_id == user_id, m.conversation_id == conversation_id, m.parent_id.is_(None))
    )
    before = base.where(m.ts < first).order_by(m.ts.desc(), m.id.desc()).limit(pad).subquery()
    inside = base.where(m.ts >= first, m.ts <= last).subquery()
    after = base.where(m.ts > last).order_by(m.ts, m.id).limit(pad).subquery()
    parts = [sa.select(*q.c) for q in (before, inside, after)]
    union = sa.union_all(*parts).subquery()
    rows = await conn.execute(sa.select(*union.c).order_by(union.c.ts, union.c.id))
    return [(r.id, r.ts, r.speaker, r.text) for r in rows]


def chosen() -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """The user's memories among some ids, for statements built once: parameters ``uid`` and ``ids``."""
    m = memories.c
    return m.user_id == sa.bindparam("uid"), m.id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.BigInteger)))


def _hits() -> sa.Select[Any]:
    m, msg, a = memories.c, messages.c, memory_access.c
    return (
        sa.select(
            m.id, m.text, m.kind, m.ts, m.metadata, m.conversation_id, m.message_id, msg.client_id, msg.speaker,
            msg.role, m.importance, sa.func.coalesce(a.access_count, 0).label("access_count"),
        )
        .select_from(
            memories.outerjoin(messages, sa.and_(msg.user_id == m.user_id, msg.id == m.message_id))
            .outerjoin(memory_access, sa.and_(a.user_id == m.user_id, a.memory_id == m.id))
        )
        .where(*chosen())
    )


def _counted() -> sa.CTE:
    """Each of the hits counted once more. In id order: concurrent searches counting the same
    memories lock them in one order."""
    m, a = memories.c, memory_access.c
    source = sa.select(m.user_id, m.id, sa.literal(1), sa.func.now()).where(*chosen())
    counted = insert(memory_access).from_select(
        ["user_id", "memory_id", "access_count", "last_accessed_at"], source.order_by(m.id)
    )
    counted = counted.on_conflict_do_update(
        index_elements=[a.user_id, a.memory_id],
        set_={"access_count": a.access_count + 1, "last_accessed_at": counted.excluded.last_accessed_at},
    )
    return counted.returning(a.memory_id).cte("counted")


# Built once, with the user and ids as parameters: building them took more time than running them.
_HITS = _hits()
# A data-modifying WITH runs on the select's snapshot, which it does not change.
_HITS_COUNTED = _hits().add_cte(_counted())


async def fetch_memories(conn: AsyncConnection, user_id: str, ids: Sequence[int]) -> dict[int, MemoryHit]:
    """The memories with their message fields and access counts."""
    if not ids:
        return {}
    rows = await conn.execute(_HITS, {"uid": user_id, "ids": list(ids)})
    return {row.id: MemoryHit(**row._mapping) for row in rows}


async def fetch_and_count(conn: AsyncConnection, user_id: str, ids: Sequence[int]) -> dict[int, MemoryHit]:
    """``fetch_memories``, counting each as returned once more in the same statement (the rows
    show the counts from before), then commit: the transaction must hold nothing else. A memory
    deleted since the caller read it fails the count's key check; then nothing is counted, and
    the others are read again in a new transaction."""
    if not ids:
        return {}
    try:
        rows = await conn.execute(_HITS_COUNTED, {"uid": user_id, "ids": list(ids)})
        hits = {row.id: MemoryHit(**row._mapping) for row in rows}
        await conn.commit()
    except IntegrityError as exc:
        if not isinstance(exc.orig, ForeignKeyViolation):
            raise
        await conn.rollback()
        await scope_to_user(conn, user_id)
        hits = await fetch_memories(conn, user_id, ids)
    return hits


_ADJACENT = sa.text(
    """
    SELECT h.id AS hit, n.id, n.ts, n.text, n.side, coalesce(msg.speaker, msg.role) AS speaker
    FROM memories h
    CROSS JOIN LATERAL (
        (SELECT p.id, p.ts, p.text, p.message_id, -1 AS side FROM memories p
         WHERE p.user_id = h.user_id AND p.conversation_id = h.conversation_id AND (p.ts, p.id) < (h.ts, h.id)
           AND p.parent_id IS NULL
         ORDER BY p.ts DESC, p.id DESC LIMIT :k)
        UNION ALL
        (SELECT q.id, q.ts, q.text, q.message_id, 1 AS side FROM memories q
         WHERE q.user_id = h.user_id AND q.conversation_id = h.conversation_id AND (q.ts, q.id) > (h.ts, h.id)
           AND q.parent_id IS NULL
         ORDER BY q.ts, q.id LIMIT :k)
    ) n
    LEFT JOIN messages msg ON msg.user_id = h.user_id AND msg.id = n.message_id
    WHERE h.user_id = :uid AND h.id = ANY(:ids)
    ORDER BY h.id, n.ts, n.id
    """
)


async def adjacent_turns(
    conn: AsyncConnection, user_id: str, ids: Sequence[int], k: int
) -> dict[int, list[tuple[int, datetime, str | None, str, int]]]:
    """Up to ``k`` turns before and after each memory in its conversation, as
    (id, ts, speaker, text, side) with side -1 before and +1 after."""
    if not ids or k <= 0:
        return {}
    out: dict[int, list[tuple[int, datetime, str | None, str, int]]] = {i: [] for i in ids}
    for row in await conn.execute(_ADJACENT, {"uid": user_id, "ids": list(ids), "k": k}):
        out[row.hit].append((row.id, row.ts, row.speaker, row.text, row.side))
    return out
