"""Entity-graph rows: entities and aliases, mentions, and relations with their time span."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import entities, entity_aliases, mentions, relations

__all__ = [
    "EntityRef",
    "entities_by_alias",
    "persons_by_first_name",
    "create_entities",
    "add_aliases",
    "rename_entity",
    "insert_mentions",
    "count_mentions",
    "open_facts",
    "close_facts",
    "insert_relations",
    "lock_user_graph",
    "entities_of_message",
    "prune_entities",
]

EntityRef = tuple[int, str, str, int]  # (id, key, type, mention_count)


async def entities_by_alias(conn: AsyncConnection, user_id: str, keys: Iterable[str]) -> dict[str, list[EntityRef]]:
    keys = sorted(set(keys))
    if not keys:
        return {}
    e, a = entities.c, entity_aliases.c
    query = (
        sa.select(a.key.label("alias_key"), e.id, e.key, e.type, e.mention_count)
        .select_from(entity_aliases.join(entities, sa.and_(e.user_id == a.user_id, e.id == a.entity_id)))
        .where(a.user_id == user_id, a.key.in_(keys))
    )
    found: dict[str, list[EntityRef]] = {}
    for row in await conn.execute(query):
        found.setdefault(row.alias_key, []).append((row.id, row.key, row.type, row.mention_count))
    return found


async def persons_by_first_name(conn: AsyncConnection, user_id: str, first: Iterable[str]) -> list[EntityRef]:
    """PERSON entities whose key starts with one of the given first names."""
    first = sorted(set(first))
    if not first:
        return []
    e = entities.c
    query = sa.select(e.id, e.key, e.type, e.mention_count).where(
        e.user_id == user_id, e.type == "PERSON", sa.func.split_part(e.key, " ", 1).in_(first)
    )
    return [(r.id, r.key, r.type, r.mention_count) for r in await conn.execute(query)]


async def create_entities(conn: AsyncConnection, user_id: str, rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Create entities (key, name, type) with their key as first alias; return (type, key) -> id."""
    if not rows:
        return {}
    await conn.execute(
        insert(entities).values([{**r, "user_id": user_id} for r in rows]).on_conflict_do_nothing(
            constraint="entities_type_key_key"
        )
    )
    e = entities.c
    wanted = [(r["type"], r["key"]) for r in rows]
    query = sa.select(e.id, e.type, e.key).where(e.user_id == user_id, sa.tuple_(e.type, e.key).in_(wanted))
    ids = {(r.type, r.key): r.id for r in await conn.execute(query)}
    await add_aliases(conn, user_id, [(ids[(r["type"], r["key"])], r["key"], r["name"]) for r in rows])
    return ids


async def add_aliases(conn: AsyncConnection, user_id: str, rows: Iterable[tuple[int, str, str]]) -> None:
    values = [{"user_id": user_id, "entity_id": i, "key": k, "alias": a} for i, k, a in rows if k]
    if values:
        await conn.execute(insert(entity_aliases).values(values).on_conflict_do_nothing())


async def rename_entity(conn: AsyncConnection, user_id: str, entity_id: int, name: str) -> None:
    await conn.execute(
        sa.update(entities).where(entities.c.user_id == user_id, entities.c.id == entity_id).values(name=name)
    )


async def insert_mentions(conn: AsyncConnection, user_id: str, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(sa.insert(mentions), [{**r, "user_id": user_id} for r in rows])


async def count_mentions(
    conn: AsyncConnection, user_id: str, seen: dict[int, tuple[int, datetime, datetime]]
) -> None:
    """Add mention counts and widen first/last seen, per entity id -> (count, first, last)."""
    e = entities.c
    stmt = (
        sa.update(entities)
        .where(e.user_id == sa.bindparam("uid"), e.id == sa.bindparam("eid"))
        .values(
            mention_count=e.mention_count + sa.bindparam("n"),
            first_seen=sa.func.least(sa.func.coalesce(e.first_seen, sa.bindparam("first")), sa.bindparam("first")),
            last_seen=sa.func.greatest(sa.func.coalesce(e.last_seen, sa.bindparam("last")), sa.bindparam("last")),
        )
    )
    params = [{"uid": user_id, "eid": i, "n": n, "first": f, "last": last} for i, (n, f, last) in seen.items()]
    if params:
        await conn.execute(stmt, params)


async def open_facts(
    conn: AsyncConnection, user_id: str, subject_ids: Iterable[int], predicates: Iterable[str]
) -> list[tuple[Any, ...]]:
    """Open facts as (id, subject_id, predicate, object_id, literal, polarity, valid_from)."""
    subject_ids, predicates = sorted(set(subject_ids)), sorted(set(predicates))
    if not subject_ids:
        return []
    r = relations.c
    query = sa.select(r.id, r.subject_id, r.predicate, r.object_id, r.object_literal, r.polarity, r.valid_from).where(
        r.user_id == user_id, r.subject_id.in_(subject_ids), r.predicate.in_(predicates), r.valid_to.is_(None)
    )
    return [tuple(row) for row in await conn.execute(query)]


async def close_facts(conn: AsyncConnection, user_id: str, closes: dict[int, datetime]) -> None:
    if closes:
        r = relations.c
        stmt = (
            sa.update(relations)
            .where(r.user_id == sa.bindparam("uid"), r.id == sa.bindparam("rid"))
            .values(valid_to=sa.bindparam("until"))
        )
        await conn.execute(stmt, [{"uid": user_id, "rid": i, "until": at} for i, at in closes.items()])


async def insert_relations(conn: AsyncConnection, user_id: str, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(sa.insert(relations), [{**r, "user_id": user_id} for r in rows])


async def lock_user_graph(conn: AsyncConnection, user_id: str) -> None:
    """Serialize graph writes of one user until the transaction ends: resolution, counts,
    fact closing and merges read-then-write, and two of them at once would corrupt each other."""
    await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(user_id, 0))))


async def entities_of_message(conn: AsyncConnection, user_id: str, message_id: int) -> set[int]:
    """Entities a message mentions or states facts about."""
    m, r = mentions.c, relations.c
    rows = await conn.execute(
        sa.union(
            sa.select(m.entity_id).where(m.user_id == user_id, m.message_id == message_id),
            sa.select(r.subject_id).where(r.user_id == user_id, r.message_id == message_id),
            sa.select(r.object_id).where(r.user_id == user_id, r.message_id == message_id, r.object_id.is_not(None)),
        )
    )
    return {row[0] for row in rows}


async def prune_entities(conn: AsyncConnection, user_id: str, entity_ids: Iterable[int]) -> int:
    """Recount the given entities' mentions; delete those no mention or relation refers to any more."""
    ids = sorted(set(entity_ids))
    if not ids:
        return 0
    e, m, r = entities.c, mentions.c, relations.c
    live = (
        sa.select(m.entity_id.label("id"), sa.func.count().label("n"))
        .where(m.user_id == user_id, m.entity_id.in_(ids))
        .group_by(m.entity_id)
    )
    counts = {row.id: row.n for row in await conn.execute(live)}
    await conn.execute(
        sa.update(entities)
        .where(e.user_id == sa.bindparam("uid"), e.id == sa.bindparam("eid"))
        .values(mention_count=sa.bindparam("n")),
        [{"uid": user_id, "eid": i, "n": counts.get(i, 0)} for i in ids],
    )
    referenced = sa.exists().where(
        r.user_id == e.user_id, sa.or_(r.subject_id == e.id, r.object_id == e.id)
    )
    mentioned = sa.exists().where(m.user_id == e.user_id, m.entity_id == e.id)
    gone = await conn.scalars(
        sa.delete(entities).where(e.user_id == user_id, e.id.in_(ids), ~referenced, ~mentioned).returning(e.id)
    )
    return len(gone.all())
