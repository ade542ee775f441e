"""Store rows to wire structs, shared by the graph, relation and context services."""

from __future__ import annotations

from datetime import datetime

from graphmem.dto import EntityOut, EntityRef, ProfileFact, RelationOut
from graphmem.store.entities import EntityRow
from graphmem.store.relations import RelationRow

__all__ = ["entity_out", "entity_ref", "relation_out", "profile_fact", "is_current"]


def entity_out(row: EntityRow) -> EntityOut:
    return EntityOut(row.id, row.key, row.name, row.type, row.mention_count, row.first_seen, row.last_seen)


def entity_ref(row: EntityRow) -> EntityRef:
    return EntityRef(row.id, row.name, row.type)


def relation_out(row: RelationRow) -> RelationOut:
    obj = None
    if row.object_id is not None:
        obj = EntityRef(row.object_id, row.object_name or "", row.object_type or "")
    return RelationOut(
        id=row.id,
        subject=EntityRef(row.subject_id, row.subject_name, row.subject_type),
        predicate=row.predicate,
        object=obj,
        object_literal=row.object_literal,
        polarity=row.polarity,
        confidence=row.confidence,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        source=row.source,  # type: ignore[arg-type]
        message_id=row.message_id,
        attributes=row.attributes,
        created_at=row.created_at,
    )


def is_current(row: RelationRow, now: datetime) -> bool:
    return (row.valid_from is None or row.valid_from <= now) and (row.valid_to is None or row.valid_to > now)


def profile_fact(row: RelationRow, now: datetime) -> ProfileFact:
    return ProfileFact(
        relation_id=row.id,
        predicate=row.predicate,
        value=(row.object_name or "") if row.object_id is not None else (row.object_literal or ""),
        object_id=row.object_id,
        polarity=row.polarity,
        confidence=row.confidence,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        current=is_current(row, now),
        source=row.source,
    )
