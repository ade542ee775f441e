"""Users and conversations: created on first write, always addressed by user_id."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import conversations, users

__all__ = ["ensure_user", "ensure_conversation", "conversation_exists"]


async def ensure_user(conn: AsyncConnection, user_id: str) -> None:
    await conn.execute(insert(users).values(user_id=user_id).on_conflict_do_nothing())


async def ensure_conversation(conn: AsyncConnection, user_id: str, conversation_id: str) -> None:
    await conn.execute(insert(users).values(user_id=user_id).on_conflict_do_nothing())
    await conn.execute(
        insert(conversations).values(user_id=user_id, conversation_id=conversation_id).on_conflict_do_nothing()
    )


async def conversation_exists(conn: AsyncConnection, user_id: str, conversation_id: str) -> bool:
    query = sa.select(sa.literal(1)).where(
        conversations.c.user_id == user_id, conversations.c.conversation_id == conversation_id
    )
    return (await conn.scalar(query)) is not None
