"""Entity reads and manual corrections: listing, lookup, mentions, edits, deletes, the merge log.

Every query filters on ``user_id``; an id of another user's entity simply finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Literal, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.errors import Conflict
from graphmem.store.merges import split_merge
from graphmem.store.tables import entities, entity_aliases, entity_merges, memories, mentions, messages, relations

__all__ = [
    "EntityRow",
    "MentionRow",
    "MergeRow",
    "EntitySort",
    "list_entities",
    "sort_position",
    "alias_candidates",
    "get_entities",
    "aliases_of",
    "create_entity",
    "update_entity",
    "remove_aliases",
    "delete_entity",
    "mentions_of",
    "merges_of",
    "split",
]

EntitySort = Literal["mentions", "recent"]


@dataclass(frozen=True, slots=True)
class EntityRow:
    id: int
    key: str
    name: str
    type: str
    attributes: dict[str, Any]
    mention_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MentionRow:
    id: int
    memory_id: int
    message_id: int | None
    conversation_id: str | None
    role: str | None
    speaker: str | None
    ts: datetime
    text: str
    span_start: int | None
    span_end: int | None


@dataclass(frozen=True, slots=True)
class MergeRow:
    id: int
    kept_id: int
    merged_id: int
    merged_name: str
    reason: str
    created_at: datetime
    undone_at: datetime | None


_e = entities.c
_ENTITY_COLUMNS = (
    _e.id, _e.key, _e.name, _e.type, _e.attributes, _e.mention_count, _e.first_seen, _e.last_seen, _e.created_at
)


def _seen() -> sa.ColumnElement[datetime]:
    """Recency: when the entity was last mentioned, or created if it never was."""
    return sa.func.coalesce(_e.last_seen, _e.created_at)


async def list_entities(
    conn: AsyncConnection,
    user_id: str,
    *,
    prefix: str | None,
    type_: str | None,
    min_mentions: int,
    sort: EntitySort,
    after: tuple[Any, int] | None,
    limit: int,
) -> list[EntityRow]:
    """One page in ``sort`` order (descending, ties by id), strictly after the ``after`` position.
    ``prefix`` matches the start of the entity's key or of any of its alias keys."""
    order = _e.mention_count if sort == "mentions" else _seen()
    query = sa.select(*_ENTITY_COLUMNS).where(_e.user_id == user_id, _e.mention_count >= min_mentions)
    if type_ is not None:
        query = query.where(_e.type == type_)
    if prefix:
        a = entity_aliases.c
        alias = sa.exists().where(a.user_id == _e.user_id, a.entity_id == _e.id, a.key.startswith(prefix, autoescape=True))
        query = query.where(sa.or_(_e.key.startswith(prefix, autoescape=True), alias))
    if after is not None:
        query = query.where(sa.tuple_(order, _e.id) < sa.tuple_(sa.literal(after[0]), sa.literal(after[1])))
    query = query.order_by(order.desc(), _e.id.desc()).limit(limit)
    return [EntityRow(**row._mapping) for row in await conn.execute(query)]


def sort_position(row: EntityRow, sort: EntitySort) -> tuple[Any, int]:
    return (row.mention_count if sort == "mentions" else (row.last_seen or row.created_at), row.id)


async def alias_candidates(
    conn: AsyncConnection, user_id: str, *, type_: str | None, min_mentions: int, limit: int
) -> list[tuple[int, str]]:
    """(entity id, alias key) pairs of the most mentioned entities, for fuzzy matching in Python."""
    a = entity_aliases.c
    query = (
        sa.select(a.entity_id, a.key)
        .select_from(entity_aliases.join(entities, sa.and_(_e.user_id == a.user_id, _e.id == a.entity_id)))
        .where(a.user_id == user_id, _e.mention_count >= min_mentions)
        .order_by(_e.mention_count.desc(), _e.id)
        .limit(limit)
    )
    if type_ is not None:
        query = query.where(_e.type == type_)
    return [(row.entity_id, row.key) for row in await conn.execute(query)]


async def get_entities(conn: AsyncConnection, user_id: str, ids: Iterable[int]) -> dict[int, EntityRow]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    query = sa.select(*_ENTITY_COLUMNS).where(_e.user_id == user_id, _e.id.in_(ids))
    return {row.id: EntityRow(**row._mapping) for row in await conn.execute(query)}


async def aliases_of(conn: AsyncConnection, user_id: str, entity_id: int) -> list[str]:
    a = entity_aliases.c
    query = sa.select(a.alias).where(a.user_id == user_id, a.entity_id == entity_id).order_by(a.key)
    return list((await conn.scalars(query)).all())


async def create_entity(
    conn: AsyncConnection, user_id: str, *, key: str, name: str, type_: str, attributes: dict[str, Any]
) -> int | None:
    """The new entity's id, or None when the user already has one of that type and key."""
    stmt = (
        insert(entities)
        .values(user_id=user_id, key=key, name=name, type=type_, attributes=attributes)
        .on_conflict_do_nothing(constraint="entities_type_key_key")
        .returning(_e.id)
    )
    return await conn.scalar(stmt)


async def update_entity(conn: AsyncConnection, user_id: str, entity_id: int, values: dict[str, Any]) -> None:
    """Change columns; a type that would clash with another entity's (type, key) is a Conflict."""
    if not values:
        return
    stmt = sa.update(entities).where(_e.user_id == user_id, _e.id == entity_id).values(values)
    try:
        async with conn.begin_nested():
            await conn.execute(stmt)
    except IntegrityError as exc:
        raise Conflict("another entity already has that type and name") from exc


async def remove_aliases(conn: AsyncConnection, user_id: str, entity_id: int, keys: Sequence[str]) -> None:
    if keys:
        a = entity_aliases.c
        await conn.execute(
            sa.delete(entity_aliases).where(a.user_id == user_id, a.entity_id == entity_id, a.key.in_(list(keys)))
        )


async def delete_entity(conn: AsyncConnection, user_id: str, entity_id: int) -> dict[str, int] | None:
    """Delete an entity; its aliases, mentions and relations go by cascade. Returns counts of
    what went, or None when the user has no such entity."""
    r, m, a = relations.c, mentions.c, entity_aliases.c
    counts = {
        "relations": sa.select(sa.func.count()).where(
            r.user_id == user_id, sa.or_(r.subject_id == entity_id, r.object_id == entity_id)
        ),
        "mentions": sa.select(sa.func.count()).where(m.user_id == user_id, m.entity_id == entity_id),
        "aliases": sa.select(sa.func.count()).where(a.user_id == user_id, a.entity_id == entity_id),
    }
    out = {name: int(await conn.scalar(q) or 0) for name, q in counts.items()}
    gone = await conn.scalar(sa.delete(entities).where(_e.user_id == user_id, _e.id == entity_id).returning(_e.id))
    return None if gone is None else {"entities": 1, **out}


async def mentions_of(
    conn: AsyncConnection, user_id: str, entity_id: int, *, after: tuple[datetime, int] | None, limit: int
) -> list[MentionRow]:
    """Newest first by the memory's time, ties by mention id, strictly after ``after``."""
    m, mem, msg = mentions.c, memories.c, messages.c
    query = (
        sa.select(
            m.id, m.memory_id, m.message_id, mem.conversation_id, msg.role, msg.speaker, mem.ts, mem.text,
            m.span_start, m.span_end,
        )
        .select_from(
            mentions.join(memories, sa.and_(mem.user_id == m.user_id, mem.id == m.memory_id)).outerjoin(
                messages, sa.and_(msg.user_id == m.user_id, msg.id == m.message_id)
            )
        )
        .where(m.user_id == user_id, m.entity_id == entity_id)
        .order_by(mem.ts.desc(), m.id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(sa.tuple_(mem.ts, m.id) < sa.tuple_(sa.literal(after[0]), sa.literal(after[1])))
    return [MentionRow(**row._mapping) for row in await conn.execute(query)]


async def merges_of(conn: AsyncConnection, user_id: str, kept_id: int, merge_id: int | None = None) -> list[MergeRow]:
    """The merge log of the entity that was kept, newest first (split ones included)."""
    g = entity_merges.c
    query = sa.select(
        g.id, g.kept_id, g.merged_id, g.snapshot["entity"]["name"].astext.label("merged_name"), g.reason,
        g.created_at, g.undone_at,
    ).where(g.user_id == user_id, g.kept_id == kept_id).order_by(g.id.desc())
    if merge_id is not None:
        query = query.where(g.id == merge_id)
    return [MergeRow(**row._mapping) for row in await conn.execute(query)]


async def split(conn: AsyncConnection, user_id: str, merge_id: int) -> int:
    """Undo a merge; a Conflict when the restored entity's name is now taken by another entity."""
    try:
        async with conn.begin_nested():
            return await split_merge(conn, user_id, merge_id)
    except IntegrityError as exc:
        raise Conflict("the merged entity cannot be restored: its type and name are taken by another entity") from exc
