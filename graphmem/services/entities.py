"""Browsing and correcting a user's entities: search, detail, mentions, edits, merge and split."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from msgspec import UNSET
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graphmem.dto import (
    EntityCreate,
    EntityDeleted,
    EntityDetail,
    EntityPage,
    EntityUpdate,
    MentionOut,
    MentionPage,
    MergeList,
    MergeOut,
    SplitOut,
)
from graphmem.errors import Conflict, InvalidInput, NotFound
from graphmem.explore.fuzzy import rank_names
from graphmem.extract.normalize import entity_key
from graphmem.limits import check_id, check_text
from graphmem.services.cursors import decode_position, encode_position
from graphmem.services.wire import entity_out, relation_out
from graphmem.store import entities as store
from graphmem.store import graph as graph_store
from graphmem.store.merges import merge_entities
from graphmem.store.privacy import scope_to_user
from graphmem.store.relations import strongest_relations
from graphmem.store.users import ensure_user

__all__ = ["EntityService", "FUZZY_CANDIDATES", "FUZZY_CUTOFF"]

FUZZY_CANDIDATES = 5_000  # alias keys of the most mentioned entities that fuzzy search compares
FUZZY_CUTOFF = 0.6
STRONGEST_RELATIONS = 10

Match = Literal["prefix", "fuzzy"]


def _key(field: str, name: str) -> str:
    check_text(field, name)
    key = entity_key(name)
    if not key:
        raise InvalidInput(f"{field} has no letters or digits to match on", details={"field": field})
    return key


async def entity_or_404(conn: AsyncConnection, user_id: str, entity_id: int) -> store.EntityRow:
    row = (await store.get_entities(conn, user_id, [entity_id])).get(entity_id)
    if row is None:
        raise NotFound(f"entity {entity_id} not found")
    return row


class EntityService:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def search(
        self,
        user_id: str,
        *,
        q: str | None,
        match: Match,
        type_: str | None,
        min_mentions: int,
        sort: store.EntitySort,
        cursor: str | None,
        limit: int,
    ) -> EntityPage:
        """Prefix search pages by cursor in ``sort`` order; fuzzy search is one page ranked by similarity."""
        check_id("user_id", user_id)
        key = _key("q", q) if q is not None else None
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            if match == "fuzzy" and key:
                if cursor:
                    raise InvalidInput("fuzzy search returns a single ranked page; it takes no cursor", details={"field": "cursor"})
                pairs = await store.alias_candidates(conn, user_id, type_=type_, min_mentions=min_mentions, limit=FUZZY_CANDIDATES)
                ranked = rank_names(key, pairs, cutoff=FUZZY_CUTOFF, limit=limit)
                rows = await store.get_entities(conn, user_id, [i for i, _ in ranked])
                return EntityPage([entity_out(rows[i]) for i, _ in ranked if i in rows], None)
            kind = f"entities:{sort}"
            after = None
            if cursor:
                after = decode_position(cursor, kind, tuple[int, int] if sort == "mentions" else tuple[datetime, int])  # type: ignore[arg-type]
            rows_ = await store.list_entities(
                conn, user_id, prefix=key, type_=type_, min_mentions=min_mentions, sort=sort, after=after, limit=limit + 1
            )
        page = rows_[:limit]
        more = len(rows_) > limit
        return EntityPage([entity_out(r) for r in page], encode_position(kind, store.sort_position(page[-1], sort)) if more else None)

    async def get(self, user_id: str, entity_id: int) -> EntityDetail:
        check_id("user_id", user_id)
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            return await self._detail(conn, user_id, entity_id)

    @staticmethod
    async def _detail(conn: AsyncConnection, user_id: str, entity_id: int) -> EntityDetail:
        row = await entity_or_404(conn, user_id, entity_id)
        aliases = await store.aliases_of(conn, user_id, entity_id)
        strongest = await strongest_relations(conn, user_id, entity_id, STRONGEST_RELATIONS)
        return EntityDetail(entity_out(row), aliases, row.attributes, [relation_out(r) for r in strongest])

    async def create(self, user_id: str, data: EntityCreate) -> EntityDetail:
        """A manual entity; its name and aliases resolve future mentions to it."""
        check_id("user_id", user_id)
        key = _key("name", data.name)
        aliases = [(entity_key(a), a) for a in data.aliases if _key("aliases", a)]
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            await ensure_user(conn, user_id)
            entity_id = await store.create_entity(
                conn, user_id, key=key, name=data.name, type_=data.type, attributes=data.attributes
            )
            if entity_id is None:
                raise Conflict(f"a {data.type} entity named {data.name!r} already exists", details={"field": "name"})
            await graph_store.add_aliases(conn, user_id, [(entity_id, k, a) for k, a in [(key, data.name), *aliases]])
            return await self._detail(conn, user_id, entity_id)

    async def update(self, user_id: str, entity_id: int, data: EntityUpdate) -> EntityDetail:
        check_id("user_id", user_id)
        values: dict[str, object] = {}
        add = [(_key("add_aliases", a), a) for a in data.add_aliases]
        if data.name is not UNSET:
            values["name"] = data.name
            add.append((_key("name", data.name), data.name))
        if data.type is not UNSET:
            values["type"] = data.type
        if data.attributes is not UNSET:
            values["attributes"] = data.attributes
        remove = [_key("remove_aliases", a) for a in data.remove_aliases]
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            row = await entity_or_404(conn, user_id, entity_id)
            if row.key in remove:
                raise InvalidInput(f"{row.key!r} is the entity's own key; it cannot be removed", details={"field": "remove_aliases"})
            await store.update_entity(conn, user_id, entity_id, values)
            await store.remove_aliases(conn, user_id, entity_id, remove)
            await graph_store.add_aliases(conn, user_id, [(entity_id, k, a) for k, a in add])
            return await self._detail(conn, user_id, entity_id)

    async def delete(self, user_id: str, entity_id: int) -> EntityDeleted:
        """Delete the entity with its aliases, mentions and every relation it is part of."""
        check_id("user_id", user_id)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            counts = await store.delete_entity(conn, user_id, entity_id)
        if counts is None:
            raise NotFound(f"entity {entity_id} not found")
        return EntityDeleted(entity_id, counts)

    async def mentions(self, user_id: str, entity_id: int, cursor: str | None, limit: int) -> MentionPage:
        check_id("user_id", user_id)
        after = decode_position(cursor, "mentions", tuple[datetime, int]) if cursor else None  # type: ignore[arg-type]
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            await entity_or_404(conn, user_id, entity_id)
            rows = await store.mentions_of(conn, user_id, entity_id, after=after, limit=limit + 1)
        page = rows[:limit]
        out = [
            MentionOut(
                mention_id=r.id, memory_id=r.memory_id, message_id=r.message_id, conversation_id=r.conversation_id,
                role=r.role, speaker=r.speaker, timestamp=r.ts, text=r.text,  # type: ignore[arg-type]
                span_start=r.span_start, span_end=r.span_end,
                surface=r.text[r.span_start : r.span_end] if r.span_start is not None and r.span_end is not None else None,
            )
            for r in page
        ]
        more = len(rows) > limit
        return MentionPage(out, encode_position("mentions", [page[-1].ts, page[-1].id]) if more else None)

    async def merge(self, user_id: str, kept_id: int, merged_id: int) -> MergeOut:
        """Fold ``merged_id`` into ``kept_id``, logged with reason "manual" so a split undoes it."""
        check_id("user_id", user_id)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            merge_id = await merge_entities(conn, user_id, kept_id, merged_id, reason="manual")
            (row,) = await store.merges_of(conn, user_id, kept_id, merge_id)
        return _merge_out(row)

    async def merges(self, user_id: str, entity_id: int) -> MergeList:
        check_id("user_id", user_id)
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            await entity_or_404(conn, user_id, entity_id)
            rows = await store.merges_of(conn, user_id, entity_id)
        return MergeList([_merge_out(r) for r in rows])

    async def split(self, user_id: str, entity_id: int, merge_id: int) -> SplitOut:
        """Undo a merge into ``entity_id``: the merged entity comes back with its id, aliases, mentions and facts."""
        check_id("user_id", user_id)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            if not await store.merges_of(conn, user_id, entity_id, merge_id):
                raise NotFound(f"merge {merge_id} of entity {entity_id} not found")
            restored = await store.split(conn, user_id, merge_id)
            row = await entity_or_404(conn, user_id, restored)
        return SplitOut(merge_id, entity_out(row))


def _merge_out(r: store.MergeRow) -> MergeOut:
    return MergeOut(r.id, r.kept_id, r.merged_id, r.merged_name, r.reason, r.created_at, r.undone_at)
