"""Memory lifecycle in SQL: access counts, archiving, expiry, and queue hygiene."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import ingest_jobs, memories, memory_access

__all__ = ["update_memory", "delete_memory", "expire", "purge_finished_jobs", "MEMORY_STATE"]

m, a = memories.c, memory_access.c
_ACCESS = sa.and_(a.user_id == m.user_id, a.memory_id == m.id)
MEMORY_STATE = (
    m.id, m.kind, m.importance,
    sa.func.coalesce(sa.select(a.access_count).where(_ACCESS).scalar_subquery(), 0).label("access_count"),
    sa.select(a.last_accessed_at).where(_ACCESS).scalar_subquery().label("last_accessed_at"),
    m.expires_at, m.archived_at,
)


async def update_memory(conn: AsyncConnection, user_id: str, memory_id: int, values: dict[str, Any]) -> sa.Row | None:
    stmt = sa.update(memories).where(m.user_id == user_id, m.id == memory_id)
    stmt = stmt.values(**values, updated_at=sa.func.now()) if values else stmt.values(updated_at=m.updated_at)
    return (await conn.execute(stmt.returning(*MEMORY_STATE))).first()


async def delete_memory(conn: AsyncConnection, user_id: str, memory_id: int) -> bool:
    """Mentions of it go with it (cascade); the message and its facts stay."""
    return (await conn.execute(sa.delete(memories).where(m.user_id == user_id, m.id == memory_id))).rowcount == 1


async def expire(conn: AsyncConnection, now: datetime) -> tuple[int, int]:
    """Archive the expired memories that asked for it and delete the others, across users
    (owner connection). Returns (archived, deleted)."""
    due = sa.and_(m.expires_at <= now, m.archived_at.is_(None))
    archived = await conn.execute(sa.update(memories).where(due, m.archive_on_expiry).values(archived_at=now))
    deleted = await conn.execute(sa.delete(memories).where(due, sa.not_(m.archive_on_expiry)))
    return archived.rowcount, deleted.rowcount


async def purge_finished_jobs(conn: AsyncConnection, before: datetime) -> int:
    """Done jobs are kept a while for polling; failed ones stay until retried or erased."""
    j = ingest_jobs.c
    return (await conn.execute(sa.delete(ingest_jobs).where(j.state == "done", j.finished_at < before))).rowcount
