"""API keys: server-wide rows (no user_id), looked up by the SHA-256 of the presented key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.tables import api_keys

__all__ = ["KeyRow", "insert_key", "list_keys", "revoke_key", "find_key", "any_active_key"]


@dataclass(frozen=True, slots=True)
class KeyRow:
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


_COLUMNS = (api_keys.c.id, api_keys.c.name, api_keys.c.prefix, api_keys.c.scopes, api_keys.c.created_at, api_keys.c.revoked_at)


async def insert_key(conn: AsyncConnection, name: str, prefix: str, key_hash: str, scopes: Sequence[str]) -> KeyRow:
    stmt = sa.insert(api_keys).values(name=name, prefix=prefix, key_hash=key_hash, scopes=list(scopes)).returning(*_COLUMNS)
    return KeyRow(**(await conn.execute(stmt)).one()._mapping)


async def list_keys(conn: AsyncConnection) -> list[KeyRow]:
    return [KeyRow(**r._mapping) for r in await conn.execute(sa.select(*_COLUMNS).order_by(api_keys.c.id))]


async def revoke_key(conn: AsyncConnection, key_id: int) -> bool:
    """Revoke an active key; False when no active key has that id."""
    k = api_keys.c
    stmt = sa.update(api_keys).where(k.id == key_id, k.revoked_at.is_(None)).values(revoked_at=sa.func.now()).returning(k.id)
    return (await conn.scalar(stmt)) is not None


async def find_key(conn: AsyncConnection, key_hash: str) -> KeyRow | None:
    """The active key with this hash."""
    k = api_keys.c
    row = (await conn.execute(sa.select(*_COLUMNS).where(k.key_hash == key_hash, k.revoked_at.is_(None)))).first()
    return None if row is None else KeyRow(**row._mapping)


async def any_active_key(conn: AsyncConnection) -> bool:
    query = sa.select(sa.exists().where(api_keys.c.revoked_at.is_(None)))
    return bool(await conn.scalar(query))
