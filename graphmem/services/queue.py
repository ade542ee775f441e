"""The ingest queue as users and admins see it: a job's state, failed jobs, retries, counts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.dto import Job, JobPage, QueueCounts
from graphmem.errors import InvalidInput, NotFound
from graphmem.limits import check_id
from graphmem.services.cursors import decode_position, encode_position
from graphmem.services.jobs import JobRunner
from graphmem.store import jobs as store
from graphmem.store.privacy import scope_to_user

__all__ = ["QueueService", "job_out"]

_STATES = ("queued", "running", "done", "failed")


def job_out(row: store.JobRow) -> Job:
    return Job(row.id, row.user_id, row.conversation_id, row.state, list(row.message_ids),  # type: ignore[arg-type]
               row.attempts, row.max_attempts, row.last_error, row.created_at, row.updated_at, row.finished_at,
               row.kind)  # type: ignore[arg-type]


class QueueService:
    def __init__(self, engine: AsyncEngine, admin_engine: AsyncEngine, runner: JobRunner) -> None:
        self._engine = engine
        self._admin = admin_engine  # listings and counts span users
        self._runner = runner

    async def job(self, user_id: str, job_id: int) -> Job:
        check_id("user_id", user_id)
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            row = await store.get_job(conn, user_id, job_id)
        if row is None:
            raise NotFound(f"no job {job_id} for user {user_id!r}")
        return job_out(row)

    async def jobs(self, state: str, cursor: str | None, limit: int) -> JobPage:
        if state not in _STATES:
            raise InvalidInput(f"state must be one of {', '.join(_STATES)}", details={"field": "state"})
        after = decode_position(cursor, f"jobs:{state}", tuple[str, int]) if cursor else None
        async with self._admin.connect() as conn:
            rows = await store.list_jobs(conn, state, limit + 1, after)
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_position(f"jobs:{state}", (rows[-1].user_id, rows[-1].id)) if more else None
        return JobPage([job_out(r) for r in rows], next_cursor)

    async def retry(self, user_id: str, job_id: int) -> Job:
        check_id("user_id", user_id)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            row = await store.retry(conn, user_id, job_id)
        if row is None:
            raise NotFound(f"no failed job {job_id} for user {user_id!r}")
        self._runner.notify()
        return job_out(row)

    async def counts(self) -> QueueCounts:
        async with self._admin.connect() as conn:
            return QueueCounts(**await store.state_counts(conn))
