"""Re-embed memories after the embedding model changed, a committed batch at a time.

A memory is stale when its ``embedding_model`` is not the configured model's name (or is
unknown). Each batch is read, embedded outside any transaction, and written with the model's
name in one transaction; so an interrupted run leaves whole batches done, and the next run
picks up the rest by the same test. The text embedded is the one ingest embeds
(``retrieve.documents.index_text``: date, speaker, text).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.embed.base import Embedder
from graphmem.errors import ConfigurationError, InvalidInput
from graphmem.retrieve.documents import index_text
from graphmem.store import reembed as store
from graphmem.store.tables import EMBEDDING_DIM

__all__ = ["ReembedService", "ReembedReport", "DEFAULT_REEMBED_BATCH"]

DEFAULT_REEMBED_BATCH = 256


@dataclass(frozen=True, slots=True)
class ReembedReport:
    model: str
    updated: int
    batches: int
    seconds: float


class ReembedService:
    def __init__(self, engine: AsyncEngine, embedder: Embedder, *, speaker_vectors: bool = True) -> None:
        """``engine`` must see every user's rows: the owner engine, not the request role.
        ``speaker_vectors``: as ``GRAPHMEM_SPEAKER_VECTORS``: named speakers' memories that lack a text
        vector are stale too (off: re-embedded memories lose theirs)."""
        if embedder.dimension != EMBEDDING_DIM:
            raise ConfigurationError(
                f"embedding model {embedder.model_name!r} has {embedder.dimension} dimensions; "
                f"the schema stores {EMBEDDING_DIM}"
            )
        self._engine = engine
        self._embedder = embedder
        self._speaker_vectors = speaker_vectors

    @property
    def model(self) -> str:
        return self._embedder.model_name

    async def pending(self, user_ids: Sequence[str] | None = None) -> int:
        """How many memories a run would re-embed now."""
        async with self._engine.connect() as conn:
            return await store.count_stale(conn, self.model, user_ids, speaker_vectors=self._speaker_vectors)

    async def run(
        self,
        *,
        batch_size: int = DEFAULT_REEMBED_BATCH,
        user_ids: Sequence[str] | None = None,
        progress: Callable[[int], None] = lambda n: None,
    ) -> ReembedReport:
        """Re-embed every stale memory (of ``user_ids`` only, if given); ``progress`` hears of each
        committed batch."""
        if batch_size < 1:
            raise InvalidInput("batch size must be at least 1")
        start, updated, batches = time.perf_counter(), 0, 0
        after: tuple[str, int] | None = None
        while True:
            async with self._engine.connect() as conn:
                rows = await store.stale_memories(
                    conn, self.model, after=after, limit=batch_size, user_ids=user_ids, speaker_vectors=self._speaker_vectors
                )
            if not rows:
                break
            named = [r for r in rows if r.named and self._speaker_vectors]  # their own words' vector, as MemoryStage
            texts = [index_text(r.speaker, r.ts, r.text) for r in rows] + [r.text for r in named]
            vectors = await anyio.to_thread.run_sync(self._embedder.embed, texts)
            own = {r.id: v for r, v in zip(named, vectors[len(rows):], strict=True)}
            async with self._engine.begin() as conn:
                await store.set_embeddings(
                    conn, self.model, [(r.user_id, r.id, v, own.get(r.id)) for r, v in zip(rows, vectors[: len(rows)], strict=True)]
                )
            # Keyset paging, so a row that stays stale (changed meanwhile) is not read forever.
            after = (rows[-1].user_id, rows[-1].id)
            updated += len(rows)
            batches += 1
            progress(len(rows))
        return ReembedReport(self.model, updated, batches, time.perf_counter() - start)
