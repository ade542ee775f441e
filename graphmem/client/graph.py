"""Operations on a user's knowledge graph: entities, their neighbourhood and merges, and relations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from graphmem.client.core import Call, decoder, encode, no_content, path, query_params
from graphmem.dto import (
    EntityCreate,
    EntityDeleted,
    EntityDetail,
    EntityPage,
    EntityPath,
    EntityUpdate,
    InvalidateRequest,
    MentionPage,
    MergeList,
    MergeOut,
    MergeRequest,
    Neighbourhood,
    RelationCreate,
    RelationDetail,
    RelationOut,
    RelationPage,
    RelationUpdate,
    SplitOut,
)

__all__ = [
    "find_entities",
    "get_entity",
    "create_entity",
    "update_entity",
    "delete_entity",
    "neighbours",
    "entity_path",
    "mentions",
    "merges",
    "merge_entities",
    "split_merge",
    "find_relations",
    "get_relation",
    "create_relation",
    "update_relation",
    "delete_relation",
    "invalidate_relation",
]


def _entities(user_id: str, *rest: str | int) -> str:
    return path("v1", "users", user_id, "entities", *rest)


def _relations(user_id: str, *rest: str | int) -> str:
    return path("v1", "users", user_id, "relations", *rest)


def find_entities(user_id: str, q: str | None = None, *, match: Literal["prefix", "fuzzy"] | None = None,
                  type_: str | None = None, min_mentions: int | None = None,
                  sort: Literal["mentions", "recent"] | None = None, cursor: str | None = None,
                  limit: int | None = None) -> Call[EntityPage]:
    """List or search entities by name or alias (``match="fuzzy"`` tolerates typos), most mentioned first."""
    params = query_params(q=q, match=match, type_=type_, min_mentions=min_mentions, sort=sort, cursor=cursor, limit=limit)
    return Call("GET", _entities(user_id), decoder(EntityPage), params)


def get_entity(user_id: str, entity_id: int) -> Call[EntityDetail]:
    """One entity with its aliases, attributes and strongest relations."""
    return Call("GET", _entities(user_id, entity_id), decoder(EntityDetail))


def create_entity(user_id: str, entity: EntityCreate) -> Call[EntityDetail]:
    """Create an entity by hand; its name and aliases resolve later mentions to it."""
    return Call("POST", _entities(user_id), decoder(EntityDetail), body=encode(entity))


def update_entity(user_id: str, entity_id: int, update: EntityUpdate) -> Call[EntityDetail]:
    """Rename or change an entity; only the fields set in ``update`` change."""
    return Call("PATCH", _entities(user_id, entity_id), decoder(EntityDetail), body=encode(update))


def delete_entity(user_id: str, entity_id: int) -> Call[EntityDeleted]:
    """Delete an entity with its aliases, mentions and relations (memories stay)."""
    return Call("DELETE", _entities(user_id, entity_id), decoder(EntityDeleted))


def neighbours(user_id: str, entity_id: int, *, depth: int | None = None, predicates: Sequence[str] | None = None,
               limit: int | None = None, include_history: bool | None = None) -> Call[Neighbourhood]:
    """Entities within ``depth`` (1-3) hops, nearest first."""
    params = query_params(depth=depth, predicate=predicates, limit=limit, include_history=include_history)
    return Call("GET", _entities(user_id, entity_id, "neighbours"), decoder(Neighbourhood), params)


def entity_path(user_id: str, entity_id: int, to: int, *, max_hops: int | None = None,
                predicates: Sequence[str] | None = None, include_history: bool | None = None) -> Call[EntityPath]:
    """The shortest path between two entities; ``found`` is false when none is within ``max_hops``."""
    params = query_params(to=to, max_hops=max_hops, predicate=predicates, include_history=include_history)
    return Call("GET", _entities(user_id, entity_id, "path"), decoder(EntityPath), params)


def mentions(user_id: str, entity_id: int, *, cursor: str | None = None, limit: int | None = None) -> Call[MentionPage]:
    """The memories and messages that mention an entity, newest first."""
    return Call("GET", _entities(user_id, entity_id, "mentions"), decoder(MentionPage),
                query_params(cursor=cursor, limit=limit))


def merges(user_id: str, entity_id: int) -> Call[MergeList]:
    """The merge log of entities folded into this one, newest first."""
    return Call("GET", _entities(user_id, entity_id, "merges"), decoder(MergeList))


def merge_entities(user_id: str, kept_id: int, merged_id: int) -> Call[MergeOut]:
    """Fold entity ``merged_id`` into ``kept_id`` (logged; ``split_merge`` undoes it)."""
    return Call("POST", _entities(user_id, kept_id, "merges"), decoder(MergeOut),
                body=encode(MergeRequest(merged_id=merged_id)))


def split_merge(user_id: str, kept_id: int, merge_id: int) -> Call[SplitOut]:
    """Undo a merge: the merged entity comes back with its id, aliases and relations."""
    return Call("POST", _entities(user_id, kept_id, "merges", merge_id, "split"), decoder(SplitOut))


def find_relations(user_id: str, *, subject_id: int | None = None, subject: str | None = None,
                   predicates: Sequence[str] | None = None, object_id: int | None = None,
                   object_: str | None = None, polarity: Literal[1, -1] | None = None,
                   source: Literal["extracted", "manual"] | None = None, as_of: datetime | None = None,
                   include_history: bool | None = None, cursor: str | None = None,
                   limit: int | None = None) -> Call[RelationPage]:
    """Query facts by subject, predicate, object and time; current facts only unless ``as_of`` or
    ``include_history`` says otherwise. ``subject``/``object_`` are names resolved through aliases."""
    params = query_params(subject_id=subject_id, subject=subject, predicate=predicates, object_id=object_id,
                   object_=object_, polarity=polarity, source=source, as_of=as_of,
                   include_history=include_history, cursor=cursor, limit=limit)
    return Call("GET", _relations(user_id), decoder(RelationPage), params)


def get_relation(user_id: str, relation_id: int) -> Call[RelationDetail]:
    """One fact with its provenance (the message and the words it was read from)."""
    return Call("GET", _relations(user_id, relation_id), decoder(RelationDetail))


def create_relation(user_id: str, relation: RelationCreate) -> Call[RelationOut]:
    """Add a fact by hand (``source: manual``)."""
    return Call("POST", _relations(user_id), decoder(RelationOut), body=encode(relation))


def update_relation(user_id: str, relation_id: int, update: RelationUpdate) -> Call[RelationOut]:
    """Correct a fact; only the fields set in ``update`` change."""
    return Call("PATCH", _relations(user_id, relation_id), decoder(RelationOut), body=encode(update))


def delete_relation(user_id: str, relation_id: int) -> Call[None]:
    """Delete a fact."""
    return Call("DELETE", _relations(user_id, relation_id), no_content)


def invalidate_relation(user_id: str, relation_id: int, at: datetime | None = None) -> Call[RelationOut]:
    """End a fact now (or at ``at``); it stays in the history."""
    return Call("POST", _relations(user_id, relation_id, "invalidate"), decoder(RelationOut),
                body=encode(InvalidateRequest(at=at)))
