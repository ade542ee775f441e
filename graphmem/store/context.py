"""The reads behind the customer context: who the user is in their graph, which memories
matter without a query, which entities those memories mention, and a conversation's tail."""

from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.memories import MemoryHit
from graphmem.store.messages import MessageRow
from graphmem.store.tables import entities, entity_aliases, memories, mentions, messages, relations, users

__all__ = [
    "user_exists",
    "user_speakers",
    "most_mentioned_by_user_turns",
    "notable_memories",
    "entities_in_memories",
    "last_messages",
]


async def user_exists(conn: AsyncConnection, user_id: str) -> bool:
    return (await conn.scalar(sa.select(sa.literal(1)).where(users.c.user_id == user_id))) is not None


async def user_speakers(conn: AsyncConnection, user_id: str) -> list[str | None]:
    """The distinct speaker names on the user's own (role=user) messages; None for unnamed."""
    m = messages.c
    query = sa.select(m.speaker).where(m.user_id == user_id, m.role == "user").distinct()
    return list((await conn.scalars(query)).all())


async def most_mentioned_by_user_turns(conn: AsyncConnection, user_id: str, alias_keys: Iterable[str]) -> int | None:
    """The PERSON entity with one of ``alias_keys`` that role=user messages mention most."""
    keys = sorted(set(alias_keys))
    if not keys:
        return None
    e, a, mn, msg = entities.c, entity_aliases.c, mentions.c, messages.c
    with_alias = sa.select(a.entity_id).where(a.user_id == user_id, a.key.in_(keys))
    n = sa.func.count(mn.id)
    query = (
        sa.select(e.id)
        .select_from(
            entities.join(mentions, sa.and_(mn.user_id == e.user_id, mn.entity_id == e.id)).join(
                messages, sa.and_(msg.user_id == mn.user_id, msg.id == mn.message_id)
            )
        )
        .where(e.user_id == user_id, e.type == "PERSON", e.id.in_(with_alias), msg.role == "user")
        .group_by(e.id)
        .order_by(n.desc(), e.id)
        .limit(1)
    )
    return await conn.scalar(query)


async def notable_memories(
    conn: AsyncConnection, user_id: str, *, limit: int, candidates: int
) -> list[tuple[MemoryHit, int]]:
    """Of the ``candidates`` newest memories, those whose message stated the most facts, newest first on
    ties, each with that count."""
    m, msg, r = memories.c, messages.c, relations.c
    facts = (
        sa.select(sa.func.count())
        .where(r.user_id == m.user_id, r.message_id == m.message_id)
        .scalar_subquery()
    )
    newest = (
        sa.select(
            m.id, m.text, m.kind, m.ts, m.metadata, m.conversation_id, m.message_id,
            msg.client_id, msg.speaker, msg.role, facts.label("facts"),
        )
        .select_from(memories.outerjoin(messages, sa.and_(msg.user_id == m.user_id, msg.id == m.message_id)))
        .where(m.user_id == user_id)
        .order_by(m.ts.desc(), m.id.desc())
        .limit(candidates)
        .subquery()
    )
    query = sa.select(newest).order_by(newest.c.facts.desc(), newest.c.ts.desc(), newest.c.id.desc()).limit(limit)
    rows = [dict(row._mapping) for row in await conn.execute(query)]
    return [(MemoryHit(**{k: v for k, v in row.items() if k != "facts"}), row["facts"]) for row in rows]


async def entities_in_memories(conn: AsyncConnection, user_id: str, memory_ids: Iterable[int]) -> dict[int, int]:
    """Entity id -> how many of the given memories mention it."""
    ids = sorted(set(memory_ids))
    if not ids:
        return {}
    mn = mentions.c
    query = (
        sa.select(mn.entity_id, sa.func.count(sa.distinct(mn.memory_id)).label("n"))
        .where(mn.user_id == user_id, mn.memory_id.in_(ids))
        .group_by(mn.entity_id)
    )
    return {row.entity_id: int(row.n) for row in await conn.execute(query)}


async def last_messages(conn: AsyncConnection, user_id: str, conversation_id: str, n: int) -> list[MessageRow]:
    """The conversation's last ``n`` messages, oldest first."""
    c = messages.c
    query = (
        sa.select(c.id, c.conversation_id, c.client_id, c.role, c.speaker, c.text, c.ts, c.metadata, c.created_at)
        .where(c.user_id == user_id, c.conversation_id == conversation_id)
        .order_by(c.ts.desc(), c.id.desc())
        .limit(n)
    )
    rows = [MessageRow(**row._mapping) for row in await conn.execute(query)]
    return rows[::-1]
