"""Users and server status: who is stored, how much of each, and what the server runs on."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem import __version__
from graphmem.dto import Counts, Models, QueueCounts, Status, UserDetail, UserPage, UserSummary, Versions
from graphmem.errors import NotFound
from graphmem.limits import check_id
from graphmem.services.queue import job_out
from graphmem.services.cursors import decode_position, encode_position
from graphmem.store import jobs as job_store
from graphmem.store import overview as store
from graphmem.store.privacy import scope_to_user

__all__ = ["UserService"]


class UserService:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        admin_engine: AsyncEngine,
        database_mode: Literal["embedded", "external"],
        embedding_model: str,
        embedding_dimension: int,
        spacy_model: str,
        spacy_version: str | None = None,
    ) -> None:
        self._engine = engine
        self._admin_engine = admin_engine  # the owner: the user list and counts span all users
        self._mode = database_mode
        self._models = Models(embedding_model, embedding_dimension, spacy_model, spacy_version)

    async def list_users(self, cursor: str | None, limit: int) -> UserPage:
        """In user_id order."""
        after = decode_position(cursor, "users", str) if cursor else None
        async with self._admin_engine.connect() as conn:
            rows = await store.list_users(conn, after=after, limit=limit + 1)
        page = rows[:limit]
        more = len(rows) > limit
        return UserPage(
            [UserSummary(r.user_id, r.created_at) for r in page],
            encode_position("users", page[-1].user_id) if more else None,
        )

    async def get(self, user_id: str) -> UserDetail:
        check_id("user_id", user_id)
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            row = await store.get_user(conn, user_id)
            if row is None:
                raise NotFound(f"user {user_id!r} not found")
            stats = await store.user_stats(conn, user_id)
        return UserDetail(row.user_id, row.created_at, Counts(**stats.counts), stats.first_seen, stats.last_seen)

    async def status(self) -> Status:
        async with self._admin_engine.connect() as conn:
            postgresql, pgvector = await store.versions(conn)
            counts = await store.table_counts(conn)
            queue = await job_store.state_counts(conn)
            failed = await job_store.list_jobs(conn, "failed", 20, None) if queue["failed"] else []
        users = counts.pop("users")
        return Status(Versions(__version__, postgresql, pgvector), self._models, self._mode, users, Counts(**counts),
                      QueueCounts(**queue), [job_out(j) for j in failed])
