"""The customer context on the wire: what a support agent's tool pastes into its prompt."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct

from graphmem.dto.core import MessageOut, SearchHit
from graphmem.dto.graph import EntityRef, RelationOut

__all__ = ["ProfileFact", "ContextEntity", "TokenCount", "ContextResponse"]


class ProfileFact(Struct):
    relation_id: int
    predicate: str
    value: str  # the object's name, or the literal
    object_id: int | None
    polarity: int
    confidence: float
    valid_from: datetime | None
    valid_to: datetime | None
    current: bool
    source: str


class ContextEntity(Struct):
    entity: EntityRef
    mention_count: int
    facts: list[RelationOut]  # what connects it to the user, current only unless history was asked for
    about: list[RelationOut]  # its own current facts, a few


class TokenCount(Struct):
    method: str  # how tokens are counted; see docs/api.md
    max_tokens: int
    used: int


class ContextResponse(Struct):
    user_id: str
    user: EntityRef | None  # the user's own node in the graph, if they have said anything about themselves
    profile: dict[str, list[ProfileFact]]  # topic -> facts; topics in a fixed order, empty ones left out
    memories: list[SearchHit]
    entities: list[ContextEntity]
    recent: list[MessageOut]
    text: str
    tokens: TokenCount
