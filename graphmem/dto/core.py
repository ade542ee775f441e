"""Messages, search and errors on the wire.

Shared by the API, the services and clients; it imports nothing but msgspec.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from graphmem.limits import (
    MAX_BATCH_MESSAGES,
    MAX_CONTEXT_TURNS,
    MAX_NAME_CHARS,
    MAX_QUERY_CHARS,
    MAX_SEARCH_LIMIT,
    MAX_TEXT_CHARS,
)
from graphmem.dto.jobs import JobRef

__all__ = [
    "Role",
    "MemoryKind",
    "MemoryUpdate",
    "MemoryState",
    "MessageIn",
    "IngestRequest",
    "IngestedMessage",
    "IngestResponse",
    "MessageOut",
    "MessagePage",
    "MessageDeleted",
    "SearchFilters",
    "SearchRequest",
    "ChannelWhy",
    "ContextTurn",
    "Why",
    "SearchHit",
    "SearchResponse",
    "Health",
    "Readiness",
    "ErrorBody",
    "ErrorResponse",
]

Role = Literal["user", "assistant", "other"]
MemoryKind = Literal["short_term", "long_term", "fact"]  # a fact stands for a fact or a preference
Importance = Annotated[float, Meta(ge=0.0, le=1.0)]
TTL = Annotated[int, Meta(ge=1, le=10 * 366 * 86400, description="seconds from acceptance until the memory expires")]
Name = Annotated[str, Meta(min_length=1, max_length=MAX_NAME_CHARS)]
Text = Annotated[str, Meta(min_length=1, max_length=MAX_TEXT_CHARS, description="1 to 500,000 characters")]
Metadata = dict[str, Any]


class MessageIn(Struct, forbid_unknown_fields=True, omit_defaults=True):
    role: Role
    text: Text
    speaker: Name | None = None
    timestamp: datetime | None = None  # the client's time of the message; default now
    client_id: Name | None = None  # idempotency key, unique per conversation
    metadata: Metadata = msgspec.field(default_factory=dict)
    kind: MemoryKind | None = None  # of the memory it becomes; default long_term
    importance: Importance | None = None  # default by kind: short_term 0.3, long_term 0.5, fact 0.8
    ttl_s: TTL | None = None  # short_term memories expire after GRAPHMEM_SHORT_TERM_TTL_S unless given
    archive_on_expiry: bool = False  # archive the memory when it expires, instead of deleting it


class IngestRequest(Struct, forbid_unknown_fields=True):
    messages: Annotated[list[MessageIn], Meta(min_length=1, max_length=MAX_BATCH_MESSAGES)]


class IngestedMessage(Struct):
    index: int
    message_id: int
    client_id: str | None
    status: Literal["created", "duplicate"]


class IngestResponse(Struct):
    user_id: str
    conversation_id: str
    created: int
    duplicates: int
    messages: list[IngestedMessage]
    job: JobRef | None = None  # the processing job of the created messages; None if all were duplicates


class MessageOut(Struct):
    message_id: int
    conversation_id: str
    client_id: str | None
    role: Role
    speaker: str | None
    text: str
    timestamp: datetime
    metadata: Metadata
    created_at: datetime


class MessagePage(Struct):
    messages: list[MessageOut]
    next_cursor: str | None


class MessageDeleted(Struct):
    """What went with a message: its memories, relations, mentions, and entities left with no evidence."""

    message_id: int
    deleted: dict[str, int]


class SearchFilters(Struct, forbid_unknown_fields=True):
    conversation_id: Name | None = None
    speaker: Name | None = None
    role: Role | None = None
    since: datetime | None = None  # inclusive, message time
    until: datetime | None = None  # exclusive, message time
    metadata: Metadata = msgspec.field(default_factory=dict)  # jsonb containment
    kinds: list[MemoryKind] | None = None  # only these kinds of memory (default: the recipe's, all)
    include_archived: bool = False


class SearchRequest(Struct, forbid_unknown_fields=True):
    query: Annotated[str, Meta(min_length=1, max_length=MAX_QUERY_CHARS)]
    limit: Annotated[int, Meta(ge=1, le=MAX_SEARCH_LIMIT)] = 10
    recipe: Literal["fast", "balanced", "deep"] | None = None
    filters: SearchFilters | None = None
    as_of: datetime | None = None  # only what had been said by then
    context_turns: Annotated[int, Meta(ge=0, le=MAX_CONTEXT_TURNS)] = 0  # adjacent turns to attach to each hit


class ChannelWhy(Struct):
    rank: int
    score: float


class Why(Struct):
    """Why a hit ranks where it does: its rank and score in each channel that found it, the
    boosts applied (entity: a factor; session: an added score), and for a graph contribution the
    path from a query entity through relations to this memory."""

    fusion: str
    channels: dict[str, ChannelWhy]
    boosts: dict[str, float] = msgspec.field(default_factory=dict)
    path: list[str] = msgspec.field(default_factory=list)


class ContextTurn(Struct):
    """A turn next to a hit in its conversation: side -1 before it, +1 after it."""

    memory_id: int
    side: int
    speaker: str | None
    text: str
    timestamp: datetime


class SearchHit(Struct):
    memory_id: int
    score: float
    text: str
    kind: str
    timestamp: datetime
    conversation_id: str | None
    message_id: int | None
    client_id: str | None
    speaker: str | None
    role: Role | None
    metadata: Metadata
    why: Why
    context: list[ContextTurn] = msgspec.field(default_factory=list)
    importance: float = 0.5
    access_count: int = 0  # searches that returned it, this one not yet counted


class SearchResponse(Struct):
    recipe: str
    hits: list[SearchHit]


class Health(Struct):
    status: Literal["ok"]


class Readiness(Struct):
    ready: bool
    database: bool
    models: bool


class ErrorBody(Struct):
    code: str
    message: str
    details: Any = None


class ErrorResponse(Struct):
    error: ErrorBody


class MemoryUpdate(Struct, forbid_unknown_fields=True, omit_defaults=True):
    kind: MemoryKind | None = None
    importance: Importance | None = None
    ttl_s: TTL | None = None  # expire this long from now
    clear_expiry: bool = False  # never expire
    archived: bool | None = None  # True: out of retrieval but kept; False: back in


class MemoryState(Struct):
    memory_id: int
    kind: MemoryKind
    importance: float
    access_count: int
    last_accessed_at: datetime | None
    expires_at: datetime | None
    archived_at: datetime | None
