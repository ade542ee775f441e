"""Feed import records to the ingest service in batches, and count what happened.

Every message goes through the normal ingest path (extraction, embedding, graph), batched by
conversation in source order, and each call waits until its batch is processed. Resumability comes from the client ids: a re-run sends the same
ids, and ingest reports the stored ones as duplicates. A batch that ingest refuses is retried one
message at a time, so one bad message fails alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import AsyncIterable, Callable, Iterable, Protocol

from graphmem.dto import IngestRequest, IngestResponse
from graphmem.embed.precomputed import PrecomputedEmbedder
from graphmem.errors import GraphmemError
from graphmem.importers.records import BadRecord, ImportRecord, Item
from graphmem.limits import MAX_BATCH_MESSAGES, as_utc
from graphmem.retrieve.documents import index_text

__all__ = ["Ingestor", "ImportSummary", "run_import", "DEFAULT_BATCH"]

DEFAULT_BATCH = 64


class Ingestor(Protocol):
    """``IngestService``, or anything with its signature."""

    async def ingest(
        self, user_id: str, conversation_id: str, request: IngestRequest, *, wait: bool = False
    ) -> IngestResponse: ...


@dataclass(slots=True)
class ImportSummary:
    dry_run: bool
    users: set[str] = field(default_factory=set)
    conversations: set[tuple[str, str]] = field(default_factory=set)
    valid: int = 0  # messages that passed validation
    created: int = 0
    duplicate: int = 0
    queued: int = 0  # created, but their processing job had not finished when ingest answered
    jobs_finished: int = 0  # queued jobs run after the batches (e.g. left by an interrupted run)
    failures: list[BadRecord] = field(default_factory=list)
    vectors_reused: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)


async def _items(source: AsyncIterable[Item] | Iterable[Item]) -> AsyncIterable[Item]:
    if isinstance(source, AsyncIterable):
        async for item in source:
            yield item
    else:
        for item in source:
            yield item


def _embedded_text(record: ImportRecord) -> str | None:
    """The text the ingest pipeline's memory stage embeds for this message (``MemoryStage.prepare``).
    Were the two to differ, the stored vector would simply not be found, and the model would run."""
    m = record.message
    ts = as_utc(m.timestamp)
    return index_text(m.speaker or m.role, ts, m.text) if ts is not None else None


class _Run:
    def __init__(self, ingest: Ingestor | None, vectors: PrecomputedEmbedder | None, progress: Callable[[int], None]) -> None:
        self.ingest = ingest
        self.vectors = vectors
        self.progress = progress
        self.summary = ImportSummary(dry_run=ingest is None)

    def bad(self, item: BadRecord) -> None:
        self.summary.failures.append(item)
        self.progress(1)

    async def flush(self, batch: list[ImportRecord]) -> None:
        if not batch:
            return
        s = self.summary
        s.valid += len(batch)
        s.users.add(batch[0].user_id)
        s.conversations.add((batch[0].user_id, batch[0].conversation_id))
        if self.ingest is not None:
            await self._send(batch)
        self.progress(len(batch))

    async def _send(self, batch: list[ImportRecord]) -> None:
        assert self.ingest is not None
        if self.vectors is not None:
            self.vectors.register({text: r.vector for r in batch if r.vector is not None and (text := _embedded_text(r))})
            # A named speaker's message also gets a vector of its text alone: the stored one is just that.
            self.vectors.register({r.message.text: r.vector for r in batch if r.vector is not None and r.message.speaker})
        request = IngestRequest(messages=[r.message for r in batch])
        try:
            # The one call into the service. ``wait``: the batch's job runs now, in this process
            # (with the embedder that holds the stored vectors), unless a worker claimed it first.
            response = await self.ingest.ingest(batch[0].user_id, batch[0].conversation_id, request, wait=True)
        except GraphmemError as exc:
            if len(batch) == 1:
                self.summary.failures.append(BadRecord(batch[0].source, exc.message))
                return
            for record in batch:  # find the one that was refused; the others go in
                await self._send([record])
            return
        finally:
            if self.vectors is not None:
                self.vectors.clear()
        self.summary.created += response.created
        self.summary.duplicate += response.duplicates
        if response.job is not None and response.job.state != "done":
            self.summary.queued += response.created


async def run_import(
    source: AsyncIterable[Item] | Iterable[Item],
    ingest: Ingestor | None,
    *,
    batch_size: int = DEFAULT_BATCH,
    vectors: PrecomputedEmbedder | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportSummary:
    """Import ``source``; with ``ingest=None`` it is a dry run that validates and counts only.

    ``vectors`` is the embedder the ingest service was built with, when records carry stored
    vectors to reuse. ``progress`` is called with the number of source items handled.
    """
    if not 1 <= batch_size <= MAX_BATCH_MESSAGES:
        raise ValueError(f"batch size must be 1-{MAX_BATCH_MESSAGES}")
    run = _Run(ingest, vectors, progress)
    reused_before = vectors.reused if vectors else 0
    start = time.perf_counter()
    batch: list[ImportRecord] = []
    async for item in _items(source):
        if isinstance(item, BadRecord):
            run.bad(item)
            continue
        if batch and ((item.user_id, item.conversation_id) != (batch[0].user_id, batch[0].conversation_id)
                      or len(batch) >= batch_size):
            await run.flush(batch)
            batch = []
        batch.append(item)
    await run.flush(batch)
    run.summary.seconds = time.perf_counter() - start
    run.summary.vectors_reused = (vectors.reused - reused_before) if vectors else 0
    return run.summary
