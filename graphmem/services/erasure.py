"""Erasure: "delete everything you know about me", in one transaction, with a receipt.

Erasure takes the per-user lock that ingest also takes before it writes, so a batch either
commits before the erasure (and is erased with the rest) or waits and then finds the
erasure in the log: a batch that was already in flight when the user was erased is refused
rather than allowed to recreate the user.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from graphmem.dto import ErasureReceipt
from graphmem.limits import check_id
from graphmem.store import erasure as store
from graphmem.store.privacy import lock_user, scope_to_user, user_tables

__all__ = ["Subjects", "load_subjects", "ErasureService"]

SALT_NAME = "erasure_salt"


class Subjects:
    """Names users in logs and receipts by a salted HMAC-SHA256 instead of their id."""

    def __init__(self, salt: str) -> None:
        self._salt = salt.encode()

    def of(self, user_id: str) -> str:
        return hmac.new(self._salt, user_id.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    async def epoch(self, conn: AsyncConnection, user_id: str) -> int:
        """The user's latest erasure id (0: never erased); a change means an erasure happened."""
        return await store.latest_erasure(conn, self.of(user_id))


async def load_subjects(engine: AsyncEngine, salt: str | None) -> Subjects:
    """Use the configured salt, or the one generated once and kept in the database."""
    if salt:
        return Subjects(salt)
    async with engine.begin() as conn:
        return Subjects(await store.server_secret(conn, SALT_NAME))


class ErasureService:
    def __init__(self, engine: AsyncEngine, subjects: Subjects, forget: Sequence[Callable[[str], None]] = ()) -> None:
        """``forget`` are the in-process caches holding user data; each is called with the
        user id after the erasure commits: today the search service's BM25 indexes."""
        self._engine = engine
        self._subjects = subjects
        self._forget = tuple(forget)

    async def erase(self, user_id: str) -> ErasureReceipt:
        """Delete every row of the user in every table that has a ``user_id`` (read from the
        catalog), log the receipt, and clear caches. Repeating it is safe: counts are zero."""
        check_id("user_id", user_id)
        subject = self._subjects.of(user_id)
        started = time.perf_counter()
        async with self._engine.begin() as conn:
            await scope_to_user(conn, user_id)
            await lock_user(conn, user_id)
            counts = await store.delete_user_rows(conn, await user_tables(conn), user_id)
            duration_ms = round((time.perf_counter() - started) * 1000, 3)
            erasure_id, erased_at = await store.log_erasure(conn, subject, counts, duration_ms)
        for forget in self._forget:
            forget(user_id)
        return ErasureReceipt(erasure_id, subject, erased_at, counts, duration_ms)
