"""The ingest pipeline: stages that derive rows from accepted messages.

Each stage has two steps. ``prepare`` does CPU work (embedding, parsing) before any
transaction opens; ``write`` adds rows inside the one transaction that also commits the
messages, so a batch is stored whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import anyio.to_thread
import numpy as np
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.embed.base import Embedder
from graphmem.retrieve.documents import ContextWindow, IndexedTurn, context_documents, index_text
from graphmem.store import lexical as lexical_store
from graphmem.store import memories as memory_store
from graphmem.store.messages import allocate_ids
from graphmem.store.tables import memories

__all__ = ["PendingMessage", "IngestBatch", "Stage", "MemoryStage"]


@dataclass(slots=True)
class PendingMessage:
    """A new message on its way through the stages; stages fill in what they derive."""

    index: int
    role: str
    text: str
    speaker: str | None
    ts: datetime
    client_id: str | None
    metadata: dict[str, Any]
    id: int = 0  # assigned before the write step
    memory_id: int = 0
    embedding: np.ndarray | None = None
    derived: dict[str, Any] = field(default_factory=dict)  # stage outputs by stage name


@dataclass(slots=True)
class IngestBatch:
    user_id: str
    conversation_id: str
    messages: list[PendingMessage]


class Stage(Protocol):
    name: str

    async def prepare(self, batch: IngestBatch) -> None: ...

    async def write(self, conn: AsyncConnection, batch: IngestBatch) -> None: ...


class MemoryStage:
    """Each message becomes one long-term memory with its embedding."""

    name = "memory"

    def __init__(self, embedder: Embedder, window: ContextWindow = ContextWindow()) -> None:
        self._embedder = embedder
        self._window = window

    async def prepare(self, batch: IngestBatch) -> None:
        texts = [index_text(m.speaker or m.role, m.ts, m.text) for m in batch.messages]
        vectors = await anyio.to_thread.run_sync(self._embedder.embed, texts)
        for message, vector in zip(batch.messages, vectors, strict=True):
            message.embedding = vector

    async def write(self, conn: AsyncConnection, batch: IngestBatch) -> None:
        ids = await allocate_ids(conn, memories, len(batch.messages))
        rows = []
        for message, memory_id in zip(batch.messages, ids, strict=True):
            message.memory_id = memory_id
            rows.append(
                {
                    "id": memory_id,
                    "message_id": message.id,
                    "conversation_id": batch.conversation_id,
                    "kind": "long_term",
                    "text": message.text,
                    "embedding": message.embedding,
                    "metadata": message.metadata,
                    "ts": message.ts,
                }
            )
        await memory_store.insert_memories(conn, batch.user_id, rows)
        await self._index_context(conn, batch)

    async def _index_context(self, conn: AsyncConnection, batch: IngestBatch) -> None:
        """Build the lexical documents of the new memories and of neighbours they now border."""
        w = self._window
        span = max(w.before, w.after)
        rows = await memory_store.session_turns(
            conn,
            batch.user_id,
            batch.conversation_id,
            min(m.ts for m in batch.messages),
            max(m.ts for m in batch.messages),
            pad=2 * span,
        )
        turns = [IndexedTurn(*row) for row in rows]
        new = {m.memory_id for m in batch.messages}
        positions = [i for i, t in enumerate(turns) if t.id in new]
        affected = {turns[j].id for i in positions for j in range(max(0, i - span), min(len(turns), i + span + 1))}
        await lexical_store.set_context_documents(conn, batch.user_id, context_documents(turns, w, only=affected))


