"""The raw turns: idempotent inserts keyed by client id, and chronological paging."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import memories, mentions, messages, relations

__all__ = ["MessageRow", "allocate_ids", "existing_client_ids", "insert_messages", "list_messages",
           "messages_by_id", "unprocessed", "delete_message"]


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: int
    conversation_id: str
    client_id: str | None
    role: str
    speaker: str | None
    text: str
    ts: datetime
    metadata: dict[str, Any]
    created_at: datetime
    lifecycle: dict[str, Any] = field(default_factory=dict)


async def allocate_ids(conn: AsyncConnection, table: sa.Table, n: int) -> list[int]:
    """Reserve ``n`` ids from the table's identity sequence, so rows can be linked before insert."""
    if n == 0:
        return []
    query = sa.select(sa.func.nextval(sa.func.pg_get_serial_sequence(table.name, "id"))).select_from(
        sa.func.generate_series(1, n)
    )
    return list((await conn.scalars(query)).all())


async def existing_client_ids(
    conn: AsyncConnection, user_id: str, conversation_id: str, client_ids: Sequence[str]
) -> dict[str, int]:
    if not client_ids:
        return {}
    query = sa.select(messages.c.client_id, messages.c.id).where(
        messages.c.user_id == user_id,
        messages.c.conversation_id == conversation_id,
        messages.c.client_id.in_(list(client_ids)),
    )
    return {row.client_id: row.id for row in await conn.execute(query)}


async def insert_messages(conn: AsyncConnection, user_id: str, rows: Sequence[dict[str, Any]]) -> set[int]:
    """Insert rows (with preallocated ids); return the ids that went in. A row whose client id
    already exists (a concurrent duplicate) is skipped, not an error."""
    if not rows:
        return set()
    stmt = (
        insert(messages)
        .values([{**row, "user_id": user_id} for row in rows])
        .on_conflict_do_nothing(constraint="messages_client_id_key")
        .returning(messages.c.id)
    )
    return set((await conn.scalars(stmt)).all())


async def messages_by_id(conn: AsyncConnection, user_id: str, ids: Sequence[int]) -> list[MessageRow]:
    """The messages that still exist among ``ids``, in time order (a deleted one is skipped)."""
    c = messages.c
    query = (
        sa.select(c.id, c.conversation_id, c.client_id, c.role, c.speaker, c.text, c.ts, c.metadata, c.created_at,
                  c.lifecycle)
        .where(c.user_id == user_id, c.id.in_(list(ids)))
        .order_by(c.ts, c.id)
    )
    return [MessageRow(**row._mapping) for row in await conn.execute(query)]


async def unprocessed(conn: AsyncConnection, user_id: str, ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` without a memory yet: processing skips the rest, so a re-run adds nothing."""
    done = sa.select(memories.c.message_id).where(memories.c.user_id == user_id, memories.c.message_id.in_(list(ids)))
    return set(ids) - set((await conn.scalars(done)).all())


async def list_messages(
    conn: AsyncConnection,
    user_id: str,
    conversation_id: str,
    *,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[MessageRow]:
    """Messages in time order (ties by id), strictly after the ``after`` position."""
    c = messages.c
    query = (
        sa.select(
            c.id, c.conversation_id, c.client_id, c.role, c.speaker, c.text, c.ts, c.metadata, c.created_at
        )
        .where(c.user_id == user_id, c.conversation_id == conversation_id)
        .order_by(c.ts, c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(sa.tuple_(c.ts, c.id) > sa.tuple_(sa.literal(after[0]), sa.literal(after[1])))
    return [MessageRow(**row._mapping) for row in await conn.execute(query)]


async def delete_message(conn: AsyncConnection, user_id: str, message_id: int) -> dict[str, int] | None:
    """Delete a message; its memories, relations and mentions go by cascade. Returns counts
    of what went, or None when the user has no such message."""
    counts = {}
    for name, table in (("memories", memories), ("relations", relations), ("mentions", mentions)):
        query = sa.select(sa.func.count()).where(table.c.user_id == user_id, table.c.message_id == message_id)
        counts[name] = int(await conn.scalar(query) or 0)
    deleted = await conn.scalar(
        sa.delete(messages).where(messages.c.user_id == user_id, messages.c.id == message_id).returning(messages.c.id)
    )
    return None if deleted is None else counts
