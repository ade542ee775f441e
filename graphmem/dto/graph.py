"""Entities, relations, mentions and merges on the wire: what back-office tools read and correct."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from graphmem.dto.core import Role
from graphmem.limits import MAX_NAME_CHARS

__all__ = [
    "EntityType",
    "Predicate",
    "EntityRef",
    "EntityOut",
    "EntityPage",
    "RelationOut",
    "EntityDetail",
    "EntityCreate",
    "EntityUpdate",
    "EntityDeleted",
    "Neighbour",
    "Neighbourhood",
    "EntityPath",
    "MentionOut",
    "MentionPage",
    "MergeRequest",
    "MergeOut",
    "MergeList",
    "SplitOut",
    "RelationPage",
    "Provenance",
    "RelationDetail",
    "RelationCreate",
    "RelationUpdate",
    "InvalidateRequest",
]

EntityType = Annotated[str, Meta(pattern=r"^[A-Z][A-Z_]{0,31}$", description="e.g. PERSON, GPE, ORG, PRODUCT, CONCEPT")]
Predicate = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="e.g. lives_in, works_at, likes")]
Name = Annotated[str, Meta(min_length=1, max_length=MAX_NAME_CHARS)]
Confidence = Annotated[float, Meta(ge=0.0, le=1.0)]
Polarity = Literal[1, -1]
Attributes = dict[str, Any]


class EntityRef(Struct):
    """Enough of an entity to show it next to a fact."""

    id: int
    name: str
    type: str


class EntityOut(Struct):
    id: int
    key: str
    name: str
    type: str
    mention_count: int
    first_seen: datetime | None
    last_seen: datetime | None


class EntityPage(Struct):
    entities: list[EntityOut]
    next_cursor: str | None  # always None for fuzzy search, which returns one ranked page


class RelationOut(Struct):
    id: int
    subject: EntityRef
    predicate: str
    object: EntityRef | None
    object_literal: str | None
    polarity: int
    confidence: float
    valid_from: datetime | None
    valid_to: datetime | None
    source: Literal["extracted", "manual"]
    message_id: int | None
    attributes: Attributes
    created_at: datetime


class EntityDetail(Struct):
    entity: EntityOut
    aliases: list[str]
    attributes: Attributes
    relations: list[RelationOut]  # the strongest: current first, then by confidence and recency


class EntityCreate(Struct, forbid_unknown_fields=True):
    name: Name
    type: EntityType = "CONCEPT"
    aliases: list[Name] = msgspec.field(default_factory=list)
    attributes: Attributes = msgspec.field(default_factory=dict)


class EntityUpdate(Struct, forbid_unknown_fields=True):
    """Only the fields present change. A new name also becomes an alias, so mentions of it resolve here."""

    name: Name | UnsetType = UNSET
    type: EntityType | UnsetType = UNSET
    add_aliases: list[Name] = msgspec.field(default_factory=list)
    remove_aliases: list[Name] = msgspec.field(default_factory=list)
    attributes: Attributes | UnsetType = UNSET


class EntityDeleted(Struct):
    entity_id: int
    deleted: dict[str, int]


class Neighbour(Struct):
    entity: EntityOut
    distance: int


class Neighbourhood(Struct):
    root: EntityOut
    neighbours: list[Neighbour]
    relations: list[RelationOut]
    truncated: bool  # a bound (limit or edges read) cut the result short


class EntityPath(Struct):
    found: bool
    entities: list[EntityRef]  # from source to target
    relations: list[RelationOut]  # the edge between each consecutive pair


class MentionOut(Struct):
    mention_id: int
    memory_id: int
    message_id: int | None
    conversation_id: str | None
    role: Role | None
    speaker: str | None
    timestamp: datetime
    text: str
    span_start: int | None
    span_end: int | None
    surface: str | None  # the words of the text that mention the entity


class MentionPage(Struct):
    mentions: list[MentionOut]
    next_cursor: str | None


class MergeRequest(Struct, forbid_unknown_fields=True):
    merged_id: int  # folded into the entity in the path, which keeps its id


class MergeOut(Struct):
    merge_id: int
    kept_id: int
    merged_id: int
    merged_name: str
    reason: str
    created_at: datetime
    undone_at: datetime | None


class MergeList(Struct):
    merges: list[MergeOut]


class SplitOut(Struct):
    merge_id: int
    restored: EntityOut


class RelationPage(Struct):
    relations: list[RelationOut]
    next_cursor: str | None


class Provenance(Struct):
    message_id: int
    conversation_id: str
    role: Role
    speaker: str | None
    timestamp: datetime
    span_start: int | None
    span_end: int | None
    evidence: str | None  # exactly the span
    snippet: str  # the span with some text around it


class RelationDetail(Struct):
    relation: RelationOut
    provenance: Provenance | None  # None for manual facts and evidence that was deleted


class RelationCreate(Struct, forbid_unknown_fields=True):
    """A manual fact. Give exactly one of ``object_id`` and ``object_literal``."""

    subject_id: int
    predicate: Predicate
    object_id: int | None = None
    object_literal: Name | None = None
    polarity: Polarity = 1
    confidence: Confidence = 1.0
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    attributes: Attributes = msgspec.field(default_factory=dict)


class RelationUpdate(Struct, forbid_unknown_fields=True):
    """Only the fields present change; ``null`` clears a nullable one."""

    predicate: Predicate | UnsetType = UNSET
    object_id: int | None | UnsetType = UNSET
    object_literal: Name | None | UnsetType = UNSET
    polarity: Polarity | UnsetType = UNSET
    confidence: Confidence | UnsetType = UNSET
    valid_from: datetime | None | UnsetType = UNSET
    valid_to: datetime | None | UnsetType = UNSET
    attributes: Attributes | UnsetType = UNSET


class InvalidateRequest(Struct, forbid_unknown_fields=True):
    at: datetime | None = None  # default: now
