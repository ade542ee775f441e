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
from graphmem.retrieve.documents import ContextWindow, IndexedTurn, context_documents, index_text, passages
from graphmem.services.lifecycle import memory_fields
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
    lifecycle: dict[str, Any] = field(default_factory=dict)  # what the client asked of the memory


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
    """Each message becomes one memory with its embedding; a long one also becomes passage
    memories (``passage_chars`` each, 0: never), since the embedding model reads only a
    text's first few hundred words."""

    name = "memory"

    def __init__(
        self, embedder: Embedder, window: ContextWindow = ContextWindow(), passage_chars: int = 0, speaker_vectors: bool = True
    ) -> None:
        self._embedder = embedder
        self._window = window
        self._passage_chars = passage_chars
        self._speaker_vectors = speaker_vectors

    async def prepare(self, batch: IngestBatch) -> None:
        texts: list[str] = []
        owners: list[tuple[int, tuple[int, int] | None | str]] = []
        for n, m in enumerate(batch.messages):
            speaker = m.speaker or m.role
            texts.append(index_text(speaker, m.ts, m.text))
            owners.append((n, None))
            if m.speaker and self._speaker_vectors:  # a query naming the speaker compares with their words alone
                texts.append(m.text)
                owners.append((n, "text"))
            for span in passages(m.text, self._passage_chars):
                texts.append(index_text(speaker, m.ts, m.text[span[0] : span[1]]))
                owners.append((n, span))
        vectors = await anyio.to_thread.run_sync(self._embedder.embed, texts)
        for (n, part), vector in zip(owners, vectors, strict=True):
            message = batch.messages[n]
            if part is None:
                message.embedding = vector
            elif part == "text":
                message.derived["text_embedding"] = vector
            else:
                message.derived.setdefault("passages", []).append((part, vector))

    async def write(self, conn: AsyncConnection, batch: IngestBatch) -> None:
        parts = sum(len(m.derived.get("passages", ())) for m in batch.messages)
        ids = iter(await allocate_ids(conn, memories, len(batch.messages) + parts))
        rows = []
        for message in batch.messages:
            memory_id = message.memory_id = next(ids)
            for (start, end), vector in message.derived.get("passages", ()):
                rows.append({
                    **memory_fields(message.lifecycle),
                    "id": next(ids),
                    "parent_id": memory_id,
                    "span_start": start,
                    "span_end": end,
                    "message_id": message.id,
                    "conversation_id": batch.conversation_id,
                    "text": message.text[start:end],
                    "embedding": vector,
                    "text_embedding": None,
                    "embedding_model": self._embedder.model_name,
                    "metadata": message.metadata,
                    "ts": message.ts,
                })
            rows.append(
                {
                    **memory_fields(message.lifecycle),
                    "id": memory_id,
                    "parent_id": None,
                    "span_start": None,
                    "span_end": None,
                    "message_id": message.id,
                    "conversation_id": batch.conversation_id,
                    "text": message.text,
                    "embedding": message.embedding,
                    "text_embedding": message.derived.get("text_embedding"),
                    "embedding_model": self._embedder.model_name,
                    "metadata": message.metadata,
                    "ts": message.ts,
                }
            )
        # Wholes first: a passage's foreign key points at its whole.
        await memory_store.insert_memories(conn, batch.user_id, sorted(rows, key=lambda r: r["parent_id"] is not None))
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


