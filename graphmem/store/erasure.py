"""Erasure: delete every row of one user, and the receipt log that names users only by hash."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.privacy import UserTable
from graphmem.store.tables import erasure_log, server_secrets

__all__ = ["delete_user_rows", "log_erasure", "latest_erasure", "server_secret"]


async def delete_user_rows(conn: AsyncConnection, tables: Sequence[UserTable], user_id: str) -> dict[str, int]:
    """Delete the user's rows table by table, children first, so each count is that table's own
    rows and no cascade has to walk row by row. Returns rows deleted per table."""
    counts = {}
    for table in reversed(tables):
        stmt = sa.text(f'DELETE FROM "{table.name}" WHERE user_id = :uid')  # name from the catalog
        counts[table.name] = (await conn.execute(stmt, {"uid": user_id})).rowcount
    return counts


async def log_erasure(conn: AsyncConnection, subject: str, counts: dict[str, int], duration_ms: float) -> tuple[int, datetime]:
    """Keep the receipt; returns (erasure id, time)."""
    row = (
        await conn.execute(
            sa.insert(erasure_log)
            .values(subject=subject, counts=counts, duration_ms=duration_ms)
            .returning(erasure_log.c.id, erasure_log.c.erased_at)
        )
    ).one()
    return int(row.id), row.erased_at


async def latest_erasure(conn: AsyncConnection, subject: str) -> int:
    """The id of the subject's latest erasure, 0 if never erased: an epoch ingest compares."""
    query = sa.select(sa.func.coalesce(sa.func.max(erasure_log.c.id), 0)).where(erasure_log.c.subject == subject)
    return int(await conn.scalar(query) or 0)


async def server_secret(conn: AsyncConnection, name: str) -> str:
    """A random secret generated once per database and kept there (commits on its own)."""
    await conn.execute(
        insert(server_secrets).values(name=name, value=secrets.token_hex(32)).on_conflict_do_nothing()
    )
    value = await conn.scalar(sa.select(server_secrets.c.value).where(server_secrets.c.name == name))
    return str(value)
