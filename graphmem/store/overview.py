"""Users and server-wide numbers: the user list, per-user counts and the database's versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import conversations, entities, memories, messages, relations, users

__all__ = ["UserRow", "UserStats", "list_users", "get_user", "user_stats", "table_counts", "versions"]

COUNTED = {"conversations": conversations, "messages": messages, "memories": memories, "entities": entities, "relations": relations}


@dataclass(frozen=True, slots=True)
class UserRow:
    user_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UserStats:
    counts: dict[str, int]
    first_seen: datetime | None
    last_seen: datetime | None


async def list_users(conn: AsyncConnection, *, after: str | None, limit: int) -> list[UserRow]:
    """Users in user_id order, strictly after ``after``."""
    u = users.c
    query = sa.select(u.user_id, u.created_at).order_by(u.user_id).limit(limit)
    if after is not None:
        query = query.where(u.user_id > after)
    return [UserRow(**row._mapping) for row in await conn.execute(query)]


async def get_user(conn: AsyncConnection, user_id: str) -> UserRow | None:
    u = users.c
    row = (await conn.execute(sa.select(u.user_id, u.created_at).where(u.user_id == user_id))).first()
    return None if row is None else UserRow(**row._mapping)


async def user_stats(conn: AsyncConnection, user_id: str) -> UserStats:
    counts = {
        name: sa.select(sa.func.count()).where(table.c.user_id == user_id).scalar_subquery()
        for name, table in COUNTED.items()
    }
    m = messages.c
    seen = sa.select(sa.func.min(m.ts), sa.func.max(m.ts)).where(m.user_id == user_id).subquery()
    row = (await conn.execute(sa.select(*(q.label(n) for n, q in counts.items()), *seen.c))).one()
    values = row._mapping
    first, last = row[-2], row[-1]
    return UserStats({n: int(values[n]) for n in COUNTED}, first, last)


async def table_counts(conn: AsyncConnection) -> dict[str, int]:
    """Exact row counts over all users (each is a scan)."""
    queries = {name: sa.select(sa.func.count()).select_from(t).scalar_subquery() for name, t in {"users": users, **COUNTED}.items()}
    row = (await conn.execute(sa.select(*(q.label(n) for n, q in queries.items())))).one()
    return {n: int(v) for n, v in row._mapping.items()}


async def versions(conn: AsyncConnection) -> tuple[str, str | None]:
    """(PostgreSQL server version, installed pgvector version or None)."""
    server = str(await conn.scalar(sa.text("SHOW server_version")))
    vector = await conn.scalar(sa.text("SELECT extversion FROM pg_extension WHERE extname = 'vector'"))
    return server, vector
