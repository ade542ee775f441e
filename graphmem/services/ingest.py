"""Ingest: validate a batch, drop known client ids, commit the messages with their job.

The messages and the job that derives memories, entities and relations from them commit in
one transaction before the response, so nothing acknowledged is lost: a worker (or the
request itself, with ``wait``) runs the job afterwards. The write takes the per-user lock,
the same lock erasure takes, and checks that the user was not erased since the batch
arrived: a batch in flight during an erasure is refused (409) instead of recreating the user.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import anyio
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.dto import IngestedMessage, IngestRequest, IngestResponse, JobRef
from graphmem.errors import Conflict, InvalidInput
from graphmem.limits import as_utc, check_id, check_metadata, check_text
from graphmem.services.erasure import Subjects
from graphmem.services.jobs import JobRunner
from graphmem.services.lifecycle import requested_lifecycle
from graphmem.services.pipeline import IngestBatch, PendingMessage
from graphmem.store import jobs as job_store
from graphmem.store import messages as message_store
from graphmem.store.privacy import lock_user, scope_to_user
from graphmem.store.tables import messages
from graphmem.store.users import ensure_conversation

__all__ = ["IngestService"]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class IngestService:
    def __init__(
        self,
        engine: AsyncEngine,
        runner: JobRunner,
        clock: Callable[[], datetime] = _utcnow,
        *,
        subjects: Subjects | None = None,
        wait_s: float = 30.0,
        short_term_ttl_s: int | None = 7 * 86400,
    ) -> None:
        """Without ``subjects`` the erasure log is not consulted (unit use without erasure)."""
        self._engine = engine
        self._runner = runner
        self._subjects = subjects
        self._clock = clock
        self._wait_s = wait_s  # how long ``wait`` waits before answering with the job to poll
        self._short_term_ttl_s = short_term_ttl_s

    async def ingest(
        self, user_id: str, conversation_id: str, request: IngestRequest, *, wait: bool = False
    ) -> IngestResponse:
        """Store the batch and queue its processing. With ``wait``, return once the new
        messages are searchable (job state ``done``), or with the job still pending after
        ``wait_s`` or a failed attempt."""
        check_id("user_id", user_id)
        check_id("conversation_id", conversation_id)
        pending = self._validate(request)
        results: dict[int, IngestedMessage] = {}

        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            epoch = await self._subjects.epoch(conn, user_id) if self._subjects else 0
            known = await message_store.existing_client_ids(
                conn, user_id, conversation_id, [p.client_id for p in pending if p.client_id]
            )
        fresh = []
        for p in pending:
            if p.client_id in known:
                results[p.index] = IngestedMessage(p.index, known[p.client_id], p.client_id, "duplicate")
            else:
                fresh.append(p)

        batch = IngestBatch(user_id, conversation_id, fresh)
        job = None
        if fresh:
            job_id = await self._write(batch, results, epoch)
            if job_id is not None:
                state = await self._settle(user_id, job_id) if wait else "queued"
                if not wait:
                    self._runner.notify()
                job = JobRef(job_id, state, f"/v1/users/{user_id}/jobs/{job_id}")  # type: ignore[arg-type]

        ordered = [results[i] for i in sorted(results)]
        created = sum(r.status == "created" for r in ordered)
        return IngestResponse(user_id, conversation_id, created, len(ordered) - created, ordered, job)

    async def _settle(self, user_id: str, job_id: int) -> str:
        """Run the job here if no worker has it yet, else wait for the worker to finish it."""
        claim = await self._runner.claim_job(user_id, job_id)
        if claim is not None:
            state = await self._runner.run(claim)
            if state is not None:
                return state
        state, delay = "queued", 0.02
        with anyio.move_on_after(self._wait_s):
            while state not in ("done", "failed"):
                async with self._engine.connect() as conn:
                    await scope_to_user(conn, user_id)
                    row = await job_store.get_job(conn, user_id, job_id)
                state = row.state if row else "failed"  # gone: the user was erased meanwhile
                await anyio.sleep(0 if state in ("done", "failed") else delay)
                delay = min(0.5, delay * 2)
        return state

    def _validate(self, request: IngestRequest) -> list[PendingMessage]:
        now = self._clock()
        seen: set[str] = set()
        out = []
        for i, m in enumerate(request.messages):
            check_text(f"messages[{i}].text", m.text)
            check_metadata(f"messages[{i}].metadata", m.metadata)
            for field, value in (("speaker", m.speaker), ("client_id", m.client_id)):
                if value is not None:
                    check_text(f"messages[{i}].{field}", value)
            if m.client_id is not None:
                if m.client_id in seen:
                    raise InvalidInput(
                        f"messages[{i}].client_id {m.client_id!r} appears twice in the batch",
                        details={"field": f"messages[{i}].client_id"},
                    )
                seen.add(m.client_id)
            ts = as_utc(m.timestamp) or now
            lifecycle = requested_lifecycle(m, now, self._short_term_ttl_s)
            out.append(PendingMessage(i, m.role, m.text, m.speaker, ts, m.client_id, m.metadata, lifecycle=lifecycle))
        return out

    async def _write(self, batch: IngestBatch, results: dict[int, IngestedMessage], epoch: int) -> int | None:
        async with self._engine.begin() as conn:
            await scope_to_user(conn, batch.user_id)
            await lock_user(conn, batch.user_id)
            if self._subjects and await self._subjects.epoch(conn, batch.user_id) != epoch:
                raise Conflict(
                    f"user {batch.user_id!r} was erased while this batch was being processed; nothing was stored"
                )
            await ensure_conversation(conn, batch.user_id, batch.conversation_id)
            ids = await message_store.allocate_ids(conn, messages, len(batch.messages))
            for p, message_id in zip(batch.messages, ids, strict=True):
                p.id = message_id
            inserted = await message_store.insert_messages(
                conn,
                batch.user_id,
                [
                    {
                        "id": p.id,
                        "conversation_id": batch.conversation_id,
                        "client_id": p.client_id,
                        "role": p.role,
                        "speaker": p.speaker,
                        "text": p.text,
                        "ts": p.ts,
                        "metadata": p.metadata,
                        "lifecycle": p.lifecycle,
                    }
                    for p in batch.messages
                ],
            )
            lost = [p for p in batch.messages if p.id not in inserted]
            if lost:  # a concurrent request stored the same client ids first
                known = await message_store.existing_client_ids(
                    conn, batch.user_id, batch.conversation_id, [p.client_id for p in lost if p.client_id]
                )
                for p in lost:
                    results[p.index] = IngestedMessage(p.index, known[p.client_id or ""], p.client_id, "duplicate")
                batch.messages = [p for p in batch.messages if p.id in inserted]
            job_id = None
            if batch.messages:
                job_id = await job_store.enqueue(
                    conn, batch.user_id, batch.conversation_id, [p.id for p in batch.messages],
                    self._runner.policy.max_attempts,
                )
        for p in batch.messages:
            results[p.index] = IngestedMessage(p.index, p.id, p.client_id, "created")
        return job_id
