"""Memory lifecycle: kinds, importance, expiry and archiving, and the maintenance job.

What a client asks for at ingest travels with the message (``lifecycle``) to the job that
creates the memory. Expired memories are hidden from retrieval at once; maintenance, a job on
the ingest queue, then deletes them, or archives those that asked to be kept.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.dto import MemoryKind, MemoryState, MemoryUpdate, MessageIn
from graphmem.errors import InvalidInput, NotFound
from graphmem.limits import check_id
from graphmem.store import lifecycle as store
from graphmem.store.privacy import lock_user, scope_to_user

__all__ = ["DEFAULT_IMPORTANCE", "requested_lifecycle", "memory_fields", "MemoryService", "maintain"]

log = logging.getLogger(__name__)

DEFAULT_IMPORTANCE: dict[str, float] = {"short_term": 0.3, "long_term": 0.5, "fact": 0.8}


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def requested_lifecycle(m: MessageIn, accepted_at: datetime, short_term_ttl_s: int | None) -> dict[str, Any]:
    """What the message asks of its memory, as stored with the message (empty: the defaults)."""
    kind: MemoryKind = m.kind or "long_term"
    ttl = m.ttl_s if m.ttl_s is not None else (short_term_ttl_s if kind == "short_term" else None)
    out: dict[str, Any] = {"kind": kind} if kind != "long_term" else {}
    if m.importance is not None:
        out["importance"] = m.importance
    if ttl:
        out["expires_at"] = (accepted_at + timedelta(seconds=ttl)).isoformat()
    if m.archive_on_expiry:
        out["archive_on_expiry"] = True
    return out


def memory_fields(lifecycle: dict[str, Any]) -> dict[str, Any]:
    """The memory columns for a message's stored lifecycle request."""
    kind = lifecycle.get("kind", "long_term")
    expires = lifecycle.get("expires_at")
    return {
        "kind": kind,
        "importance": lifecycle.get("importance", DEFAULT_IMPORTANCE[kind]),
        "expires_at": datetime.fromisoformat(expires) if expires else None,
        "archive_on_expiry": bool(lifecycle.get("archive_on_expiry", False)),
    }


def _state(row: Any) -> MemoryState:
    return MemoryState(row.id, row.kind, row.importance, row.access_count, row.last_accessed_at, row.expires_at,
                       row.archived_at)


class MemoryService:
    def __init__(self, engine: AsyncEngine, clock: Callable[[], datetime] = _utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def update(self, user_id: str, memory_id: int, change: MemoryUpdate) -> MemoryState:
        """Change kind, importance or expiry, or archive / restore a memory."""
        check_id("user_id", user_id)
        values: dict[str, Any] = {}
        if change.kind is not None:
            values["kind"] = change.kind
        if change.importance is not None:
            values["importance"] = change.importance
        if change.ttl_s is not None:
            values["expires_at"] = self._clock() + timedelta(seconds=change.ttl_s)
        if change.archived is not None:
            values["archived_at"] = self._clock() if change.archived else None
        if change.ttl_s is not None and change.clear_expiry:
            raise InvalidInput("give ttl_s or clear_expiry, not both", details={"field": "ttl_s"})
        if change.clear_expiry:
            values["expires_at"] = None
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            # Ingest's order: the user, then memory rows (their triggers also update the user's row).
            await lock_user(conn, user_id)
            row = await store.update_memory(conn, user_id, memory_id, values)
        if row is None:
            raise NotFound(f"no memory {memory_id} for user {user_id!r}")
        return _state(row)

    async def delete(self, user_id: str, memory_id: int, *, archive: bool = False) -> MemoryState | None:
        """Delete a memory, or with ``archive`` keep it out of retrieval instead."""
        if archive:
            return await self.update(user_id, memory_id, MemoryUpdate(archived=True))
        check_id("user_id", user_id)
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            await lock_user(conn, user_id)
            if not await store.delete_memory(conn, user_id, memory_id):
                raise NotFound(f"no memory {memory_id} for user {user_id!r}")
        return None


async def maintain(admin_engine: AsyncEngine, now: datetime, keep_done_jobs: timedelta) -> dict[str, int]:
    """One maintenance pass over every user (owner connection)."""
    async with admin_engine.begin() as conn:
        archived, deleted = await store.expire(conn, now)
        purged = await store.purge_finished_jobs(conn, now - keep_done_jobs)
    log.info("maintenance: %d memories archived, %d deleted, %d finished jobs purged", archived, deleted, purged)
    return {"archived": archived, "deleted": deleted, "jobs_purged": purged}
