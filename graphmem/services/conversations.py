"""Reading a conversation's messages back, page by page."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.dto import MessageDeleted, MessageOut, MessagePage
from graphmem.errors import InvalidInput, NotFound
from graphmem.limits import MAX_PAGE_SIZE, check_id
from graphmem.store import graph as graph_store
from graphmem.store.messages import delete_message, list_messages
from graphmem.store.privacy import scope_to_user
from graphmem.store.users import conversation_exists

__all__ = ["ConversationService", "encode_cursor", "decode_cursor"]


def encode_cursor(ts: datetime, message_id: int) -> str:
    raw = msgspec.json.encode([ts.isoformat(), message_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        ts, message_id = msgspec.json.decode(raw, type=tuple[datetime, int])
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidInput("cursor is not one this server issued", details={"field": "cursor"}) from exc
    return ts, message_id


class ConversationService:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def messages(self, user_id: str, conversation_id: str, cursor: str | None, limit: int) -> MessagePage:
        check_id("user_id", user_id)
        check_id("conversation_id", conversation_id)
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}", details={"field": "limit"})
        after = decode_cursor(cursor) if cursor else None
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            if not await conversation_exists(conn, user_id, conversation_id):
                raise NotFound(f"conversation {conversation_id!r} not found")
            rows = await list_messages(conn, user_id, conversation_id, after=after, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        out = [
            MessageOut(
                message_id=r.id,
                conversation_id=r.conversation_id,
                client_id=r.client_id,
                role=r.role,  # type: ignore[arg-type]
                speaker=r.speaker,
                text=r.text,
                timestamp=r.ts,
                metadata=r.metadata,
                created_at=r.created_at,
            )
            for r in rows
        ]
        return MessagePage(out, encode_cursor(rows[-1].ts, rows[-1].id) if more else None)

    async def delete_message(self, user_id: str, message_id: int) -> MessageDeleted:
        """Delete one message and every row derived only from it, in one transaction."""
        check_id("user_id", user_id)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            await graph_store.lock_user_graph(conn, user_id)
            touched = await graph_store.entities_of_message(conn, user_id, message_id)
            counts = await delete_message(conn, user_id, message_id)
            if counts is None:
                raise NotFound(f"message {message_id} not found")
            counts["entities"] = await graph_store.prune_entities(conn, user_id, touched)
        return MessageDeleted(message_id, counts)
