"""The ingest job queue in PostgreSQL: enqueue with the messages, claim with SKIP LOCKED, lease.

A claim stamps a fresh ``token``; only the holder of the current token may finish the job, so
a worker whose lease ran out (and whose job another worker took) cannot commit a second time.
Claims across users run as the owner (the queue spans users); the rest is per-user.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import ingest_jobs as jobs

__all__ = [
    "Claim",
    "JobRow",
    "enqueue",
    "claim",
    "claim_job",
    "schedule_maintenance",
    "MAINTENANCE_USER",
    "extend_lease",
    "hold",
    "mark_done",
    "record_failure",
    "expire_dead",
    "get_job",
    "list_jobs",
    "state_counts",
    "retry",
]

_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class Claim:
    user_id: str
    id: int
    conversation_id: str | None
    message_ids: tuple[int, ...]
    token: uuid.UUID
    attempts: int
    max_attempts: int
    kind: str = "ingest"


@dataclass(frozen=True, slots=True)
class JobRow:
    user_id: str
    id: int
    conversation_id: str | None
    message_ids: tuple[int, ...]
    state: str
    attempts: int
    max_attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    kind: str


_COLUMNS = (
    jobs.c.user_id,
    jobs.c.id,
    jobs.c.conversation_id,
    jobs.c.message_ids,
    jobs.c.state,
    jobs.c.attempts,
    jobs.c.max_attempts,
    jobs.c.last_error,
    jobs.c.created_at,
    jobs.c.updated_at,
    jobs.c.finished_at,
    jobs.c.kind,
)


def _job(row: sa.Row) -> JobRow:
    values = row._asdict()
    values["message_ids"] = tuple(values["message_ids"])
    return JobRow(**values)


def _claim(row: sa.Row) -> Claim:
    return Claim(row.user_id, row.id, row.conversation_id, tuple(row.message_ids), row.token, row.attempts,
                 row.max_attempts, row.kind)


def _lease(seconds: float) -> sa.ColumnElement:
    return sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, seconds)


async def enqueue(
    conn: AsyncConnection, user_id: str, conversation_id: str, message_ids: Sequence[int], max_attempts: int
) -> int:
    stmt = (
        sa.insert(jobs)
        .values(user_id=user_id, conversation_id=conversation_id, message_ids=list(message_ids),
                max_attempts=max_attempts)
        .returning(jobs.c.id)
    )
    return int((await conn.execute(stmt)).scalar_one())


def _claimable() -> sa.ColumnElement[bool]:
    # A running job whose lease ran out lost its worker; it is claimed again while attempts remain.
    return sa.and_(
        jobs.c.attempts < jobs.c.max_attempts,
        sa.or_(
            sa.and_(jobs.c.state == "queued", jobs.c.run_after <= sa.func.now()),
            sa.and_(jobs.c.state == "running", jobs.c.lease_until < sa.func.now()),
        ),
    )


async def _take(conn: AsyncConnection, picked: sa.Select, lease_s: float) -> list[Claim]:
    subquery = picked.with_for_update(skip_locked=True).cte("picked")
    stmt = (
        sa.update(jobs)
        .where(sa.tuple_(jobs.c.user_id, jobs.c.id).in_(sa.select(subquery.c.user_id, subquery.c.id)))
        .values(state="running", attempts=jobs.c.attempts + 1, token=sa.func.gen_random_uuid(),
                lease_until=_lease(lease_s), updated_at=sa.func.now())
        .returning(jobs.c.user_id, jobs.c.id, jobs.c.conversation_id, jobs.c.message_ids, jobs.c.token,
                   jobs.c.attempts, jobs.c.max_attempts, jobs.c.kind)
    )
    rows = sorted((await conn.execute(stmt)).all(), key=lambda r: r.id)
    return [_claim(r) for r in rows]


async def claim(conn: AsyncConnection, limit: int, lease_s: float) -> list[Claim]:
    """Claim up to ``limit`` due jobs of any users, oldest first (owner connection)."""
    picked = sa.select(jobs.c.user_id, jobs.c.id).where(_claimable()).order_by(jobs.c.run_after, jobs.c.id).limit(limit)
    return await _take(conn, picked, lease_s)


async def claim_job(conn: AsyncConnection, user_id: str, job_id: int, lease_s: float) -> Claim | None:
    """Claim one job if it is due and no one holds it (the waiting request runs its own job)."""
    picked = sa.select(jobs.c.user_id, jobs.c.id).where(jobs.c.user_id == user_id, jobs.c.id == job_id, _claimable())
    found = await _take(conn, picked, lease_s)
    return found[0] if found else None


MAINTENANCE_USER = ""  # maintenance spans users; the empty id belongs to no one


async def schedule_maintenance(conn: AsyncConnection, interval_s: float) -> bool:
    """Queue a maintenance job unless one is pending or finished within ``interval_s``
    (owner connection). A unique index keeps racing workers to one pending job."""
    recent = sa.select(sa.literal(1)).where(
        jobs.c.user_id == MAINTENANCE_USER,
        jobs.c.kind == "maintenance",
        sa.or_(jobs.c.state.in_(["queued", "running"]), jobs.c.finished_at > _lease(-interval_s)),
    )
    row = sa.select(
        sa.literal(MAINTENANCE_USER), sa.literal("maintenance"), sa.literal([], ARRAY(sa.BigInteger)), sa.literal(3)
    ).where(~recent.exists())
    stmt = (
        insert(jobs)
        .from_select(["user_id", "kind", "message_ids", "max_attempts"], row)
        .on_conflict_do_nothing()
    )
    return (await conn.execute(stmt)).rowcount == 1


async def extend_lease(conn: AsyncConnection, c: Claim, lease_s: float) -> bool:
    stmt = (
        sa.update(jobs)
        .where(jobs.c.user_id == c.user_id, jobs.c.id == c.id, jobs.c.token == c.token, jobs.c.state == "running")
        .values(lease_until=_lease(lease_s))
    )
    return (await conn.execute(stmt)).rowcount == 1


async def hold(conn: AsyncConnection, c: Claim) -> bool:
    """Lock the job row for the finishing transaction; False if the claim is no longer ours
    (the user was erased, another worker took the job over, or it finished)."""
    stmt = (
        sa.select(jobs.c.state, jobs.c.token)
        .where(jobs.c.user_id == c.user_id, jobs.c.id == c.id)
        .with_for_update()
    )
    row = (await conn.execute(stmt)).first()
    return row is not None and row.state == "running" and row.token == c.token


async def mark_done(conn: AsyncConnection, c: Claim) -> None:
    await conn.execute(
        sa.update(jobs)
        .where(jobs.c.user_id == c.user_id, jobs.c.id == c.id)
        .values(state="done", lease_until=None, token=None, updated_at=sa.func.now(), finished_at=sa.func.now())
    )


async def record_failure(conn: AsyncConnection, c: Claim, error: str, backoff_s: float) -> str | None:
    """Queue the job again after ``backoff_s``, or fail it for good once attempts run out.
    Returns the new state, or None if the claim is no longer ours."""
    final = c.attempts >= c.max_attempts
    stmt = (
        sa.update(jobs)
        .where(jobs.c.user_id == c.user_id, jobs.c.id == c.id, jobs.c.token == c.token, jobs.c.state == "running")
        .values(
            state="failed" if final else "queued",
            run_after=_lease(backoff_s),
            lease_until=None,
            token=None,
            last_error=error[:_ERROR_CHARS],
            updated_at=sa.func.now(),
            finished_at=sa.func.now() if final else None,
        )
        .returning(jobs.c.state)
    )
    return (await conn.execute(stmt)).scalar_one_or_none()


async def expire_dead(conn: AsyncConnection) -> int:
    """Fail jobs whose workers died on every attempt (owner connection)."""
    stmt = (
        sa.update(jobs)
        .where(jobs.c.state == "running", jobs.c.lease_until < sa.func.now(), jobs.c.attempts >= jobs.c.max_attempts)
        .values(state="failed", token=None, lease_until=None, updated_at=sa.func.now(), finished_at=sa.func.now(),
                last_error=sa.func.coalesce(jobs.c.last_error, "the worker stopped on every attempt"))
    )
    return (await conn.execute(stmt)).rowcount


async def get_job(conn: AsyncConnection, user_id: str, job_id: int) -> JobRow | None:
    row = (await conn.execute(sa.select(*_COLUMNS).where(jobs.c.user_id == user_id, jobs.c.id == job_id))).first()
    return _job(row) if row else None


async def list_jobs(conn: AsyncConnection, state: str, limit: int, after: tuple[str, int] | None) -> list[JobRow]:
    """Jobs in one state across users, in (user_id, id) order (owner connection)."""
    query = sa.select(*_COLUMNS).where(jobs.c.state == state)
    if after is not None:
        query = query.where(sa.tuple_(jobs.c.user_id, jobs.c.id) > sa.tuple_(*after))
    query = query.order_by(jobs.c.user_id, jobs.c.id).limit(limit)
    return [_job(r) for r in await conn.execute(query)]


async def state_counts(conn: AsyncConnection) -> dict[str, int]:
    query = sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state)
    counts = {"queued": 0, "running": 0, "done": 0, "failed": 0}
    counts.update({state: n for state, n in await conn.execute(query)})
    return counts


async def retry(conn: AsyncConnection, user_id: str, job_id: int) -> JobRow | None:
    """Queue a failed job again with fresh attempts; None if there is no failed job by that id."""
    stmt = (
        sa.update(jobs)
        .where(jobs.c.user_id == user_id, jobs.c.id == job_id, jobs.c.state == "failed")
        .values(state="queued", attempts=0, run_after=sa.func.now(), finished_at=None, updated_at=sa.func.now())
        .returning(*_COLUMNS)
    )
    row = (await conn.execute(stmt)).first()
    return _job(row) if row else None
