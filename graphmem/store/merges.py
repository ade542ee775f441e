"""Entity merges, logged with enough of a snapshot that a split restores the merged entity exactly."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.errors import Conflict, NotFound
from graphmem.store.tables import entities, entity_aliases, entity_merges, mentions, relations

__all__ = ["merge_entities", "split_merge"]

_TIME_FIELDS = frozenset({"first_seen", "last_seen", "created_at"})
_ENTITY_FIELDS = ("id", "key", "name", "type", "attributes", "mention_count", "first_seen", "last_seen", "created_at")


async def _moved(conn: AsyncConnection, table: sa.Table, column: str, user_id: str, src: int, dst: int) -> list[int]:
    col = table.c[column]
    stmt = (
        sa.update(table)
        .where(table.c.user_id == user_id, col == src)
        .values({column: dst})
        .returning(table.c.id)
    )
    return list((await conn.scalars(stmt)).all())


async def merge_entities(conn: AsyncConnection, user_id: str, kept_id: int, merged_id: int, reason: str) -> int:
    """Fold ``merged_id`` into ``kept_id``; return the merge log id."""
    if kept_id == merged_id:
        raise Conflict("an entity cannot be merged into itself")
    e = entities.c
    rows = {
        r.id: r
        for r in await conn.execute(
            sa.select(*(e[f] for f in _ENTITY_FIELDS)).where(e.user_id == user_id, e.id.in_([kept_id, merged_id]))
        )
    }
    if kept_id not in rows or merged_id not in rows:
        raise NotFound("entity not found")
    merged = rows[merged_id]
    a = entity_aliases.c
    aliases = [(r.key, r.alias) for r in await conn.execute(
        sa.select(a.key, a.alias).where(a.user_id == user_id, a.entity_id == merged_id)
    )]
    added = list((await conn.scalars(
        insert(entity_aliases)
        .values([{"user_id": user_id, "entity_id": kept_id, "key": k, "alias": al} for k, al in aliases])
        .on_conflict_do_nothing()
        .returning(entity_aliases.c.key)
    )).all()) if aliases else []
    kept = rows[kept_id]
    snapshot: dict[str, Any] = {
        "entity": {f: _jsonable(getattr(merged, f)) for f in _ENTITY_FIELDS},
        "kept": {f: _jsonable(getattr(kept, f)) for f in ("name", "first_seen", "last_seen")},
        "aliases": aliases,
        "aliases_added_to_kept": added,
        "mentions": await _moved(conn, mentions, "entity_id", user_id, merged_id, kept_id),
        "subject_of": await _moved(conn, relations, "subject_id", user_id, merged_id, kept_id),
        "object_of": await _moved(conn, relations, "object_id", user_id, merged_id, kept_id),
    }
    await conn.execute(
        sa.update(entities)
        .where(e.user_id == user_id, e.id == kept_id)
        .values(
            mention_count=e.mention_count + merged.mention_count,
            first_seen=sa.func.least(e.first_seen, merged.first_seen),
            last_seen=sa.func.greatest(e.last_seen, merged.last_seen),
        )
    )
    # Earlier merges into the entity that goes now move to the one that stays, so their log
    # (and the split it allows) is not lost to the cascade.
    m = entity_merges.c
    await conn.execute(
        sa.update(entity_merges).where(m.user_id == user_id, m.kept_id == merged_id).values(kept_id=kept_id)
    )
    await conn.execute(sa.delete(entities).where(e.user_id == user_id, e.id == merged_id))
    stmt = (
        sa.insert(entity_merges)
        .values(user_id=user_id, kept_id=kept_id, merged_id=merged_id, snapshot=snapshot, reason=reason)
        .returning(entity_merges.c.id)
    )
    return int((await conn.scalar(stmt)) or 0)


async def split_merge(conn: AsyncConnection, user_id: str, merge_id: int) -> int:
    """Undo merge ``merge_id``: recreate the merged entity with its id and move its rows back."""
    m = entity_merges.c
    log = (await conn.execute(
        sa.select(m.kept_id, m.snapshot, m.undone_at).where(m.user_id == user_id, m.id == merge_id).with_for_update()
    )).first()
    if log is None:
        raise NotFound(f"merge {merge_id} not found")
    if log.undone_at is not None:
        raise Conflict(f"merge {merge_id} was already split")
    snap, kept_id = log.snapshot, log.kept_id
    entity = {k: _from_json(k, v) for k, v in snap["entity"].items()}
    e = entities.c
    taken = await conn.scalar(
        sa.select(e.id).where(e.user_id == user_id, sa.or_(e.id == entity["id"], sa.and_(e.type == entity["type"], e.key == entity["key"])))
    )
    if taken is not None:
        raise Conflict(f"cannot split merge {merge_id}: entity {entity['key']!r} exists again; merge or rename it first")
    await conn.execute(sa.insert(entities).values(user_id=user_id, **entity))
    merged_id = entity["id"]
    a = entity_aliases.c
    if snap["aliases_added_to_kept"]:
        await conn.execute(sa.delete(entity_aliases).where(
            a.user_id == user_id, a.entity_id == kept_id, a.key.in_(snap["aliases_added_to_kept"])
        ))
    if snap["aliases"]:
        await conn.execute(sa.insert(entity_aliases), [
            {"user_id": user_id, "entity_id": merged_id, "key": k, "alias": al} for k, al in snap["aliases"]
        ])
    for table, column, ids in (
        (mentions, "entity_id", snap["mentions"]),
        (relations, "subject_id", snap["subject_of"]),
        (relations, "object_id", snap["object_of"]),
    ):
        if ids:
            await conn.execute(
                sa.update(table)
                .where(table.c.user_id == user_id, table.c.id.in_(ids), table.c[column] == kept_id)
                .values({column: merged_id})
            )
    kept = {k: _from_json(k, v) for k, v in snap.get("kept", {}).items()}
    await conn.execute(
        sa.update(entities)
        .where(e.user_id == user_id, e.id == kept_id)
        .values(mention_count=sa.func.greatest(e.mention_count - entity["mention_count"], 0), **kept)
    )
    await conn.execute(sa.update(entity_merges).where(m.user_id == user_id, m.id == merge_id).values(undone_at=sa.func.now()))
    return int(merged_id)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _from_json(field: str, value: Any) -> Any:
    return datetime.fromisoformat(value) if field in _TIME_FIELDS and value is not None else value
