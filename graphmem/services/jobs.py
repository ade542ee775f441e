"""Processing ingest jobs: derive memories, entities and relations from accepted messages.

A job runs its stages' CPU work first, then one transaction that takes the per-user lock,
checks that the claim is still its own, writes the derived rows and marks the job done. A
crash anywhere before that commit leaves nothing behind, and the job is claimed again when
its lease runs out; messages that already have memories are skipped, so a re-run adds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Sequence

import anyio
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.services.lifecycle import maintain
from graphmem.services.pipeline import IngestBatch, PendingMessage, Stage
from graphmem.store import jobs as store
from graphmem.store import messages as message_store
from graphmem.store.privacy import lock_user, scope_to_user

__all__ = ["QueuePolicy", "JobRunner"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class QueuePolicy:
    lease_s: float = 30.0  # a claim lapses this long after its last heartbeat
    max_attempts: int = 5
    backoff_s: float = 1.0  # doubled after each failed attempt
    backoff_max_s: float = 60.0
    maintenance_interval_s: float = 3600.0
    keep_done_jobs_s: float = 7 * 86400

    def backoff(self, attempt: int) -> float:
        return float(min(self.backoff_max_s, self.backoff_s * 2 ** max(0, attempt - 1)))


class JobRunner:
    """Runs claimed jobs. ``engine`` is the request role (row-level security per user);
    ``admin_engine`` the owner, which claims across users."""

    def __init__(
        self,
        engine: AsyncEngine,
        admin_engine: AsyncEngine,
        stages: Sequence[Stage],
        policy: QueuePolicy = QueuePolicy(),
        *,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        names = [s.name for s in stages]
        if "graph" in names and names.index("graph") < names.index("memory"):  # mentions need memory ids
            raise ValueError("the memory stage must run before the graph stage")
        self._engine = engine
        self._admin = admin_engine
        self._stages = tuple(stages)
        self.policy = policy
        self._on_failure = on_failure
        self.wakeup = anyio.Event()  # set when this process enqueues, so idle workers start at once

    def notify(self) -> None:
        self.wakeup.set()

    async def claim(self, limit: int) -> list[store.Claim]:
        async with self._admin.begin() as conn:
            await store.expire_dead(conn)
            return await store.claim(conn, limit, self.policy.lease_s)

    async def schedule_maintenance(self) -> bool:
        async with self._admin.begin() as conn:
            return await store.schedule_maintenance(conn, self.policy.maintenance_interval_s)

    async def claim_job(self, user_id: str, job_id: int) -> store.Claim | None:
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            return await store.claim_job(conn, user_id, job_id, self.policy.lease_s)

    async def run(self, claim: store.Claim) -> str | None:
        """Process one claimed job; returns its new state (None if the claim was lost)."""
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._heartbeat, claim)
            try:
                if claim.kind == "maintenance":
                    return await self._maintain(claim)
                return await self._process(claim)
            except Exception as exc:  # any failure is recorded on the job and retried with backoff
                return await self._fail(claim, exc)
            finally:
                tg.cancel_scope.cancel()

    def _engine_for(self, claim: store.Claim) -> AsyncEngine:
        return self._admin if claim.kind == "maintenance" else self._engine  # maintenance spans users

    async def _heartbeat(self, claim: store.Claim) -> None:
        while True:
            await anyio.sleep(self.policy.lease_s / 3)
            async with self._engine_for(claim).begin() as conn:
                await scope_to_user(conn, claim.user_id)
                if not await store.extend_lease(conn, claim, self.policy.lease_s):
                    return

    async def _maintain(self, claim: store.Claim) -> str | None:
        await maintain(self._admin, datetime.now(timezone.utc), timedelta(seconds=self.policy.keep_done_jobs_s))
        async with self._admin.begin() as conn:
            if not await store.hold(conn, claim):
                return None
            await store.mark_done(conn, claim)
        return "done"

    async def _process(self, claim: store.Claim) -> str | None:
        user = claim.user_id
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user)
            todo = await message_store.unprocessed(conn, user, claim.message_ids)
            rows = await message_store.messages_by_id(conn, user, sorted(todo)) if todo else []
        batch = IngestBatch(user, claim.conversation_id, [
            PendingMessage(i, r.role, r.text, r.speaker, r.ts, r.client_id, r.metadata, id=r.id, lifecycle=r.lifecycle)
            for i, r in enumerate(rows)
        ])
        if batch.messages:
            for stage in self._stages:
                await stage.prepare(batch)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user)
            await lock_user(conn, user)
            if not await store.hold(conn, claim):
                return None
            if batch.messages:
                # Under the lock: another run may have finished these since we looked.
                todo = await message_store.unprocessed(conn, user, [m.id for m in batch.messages])
                batch.messages = [m for m in batch.messages if m.id in todo]
            if batch.messages:
                for stage in self._stages:
                    await stage.write(conn, batch)
            await store.mark_done(conn, claim)
        return "done"

    async def _fail(self, claim: store.Claim, exc: Exception) -> str | None:
        error = f"{type(exc).__name__}: {exc}"
        log.warning("ingest job %s attempt %d failed: %s", claim.id, claim.attempts, type(exc).__name__)
        async with self._engine_for(claim).begin() as conn:
            await scope_to_user(conn, claim.user_id)
            state = await store.record_failure(conn, claim, error, self.policy.backoff(claim.attempts))
        if state == "failed" and self._on_failure is not None:
            self._on_failure(claim.user_id)
        return state
