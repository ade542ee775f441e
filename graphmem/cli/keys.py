"""``graphmem keys create|list|revoke``: manage API keys in the configured database.

The new key is printed once, on stdout; only its SHA-256 is stored.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Awaitable, Callable, Sequence, TypeVar

from graphmem.errors import GraphmemError
from graphmem.services.keys import KeyService
from graphmem.settings import Settings

__all__ = ["keys"]

T = TypeVar("T")


def _with_service(action: Callable[[KeyService], Awaitable[T]]) -> T:
    from graphmem.store.database import open_database

    async def run() -> T:
        db = await open_database(Settings.from_env())
        try:
            return await action(KeyService(db.engine, open_when_keyless=False))
        finally:
            await db.close()

    return asyncio.run(run())


def keys(command: str, *, name: str | None = None, scopes: Sequence[str] = (), key_id: int | None = None) -> int:
    try:
        if command == "create":
            key, row = _with_service(lambda s: s.create(name or "", scopes or ["read"]))
            print(key)
            print(f"key {row.id} ({row.name}, scopes: {', '.join(row.scopes)}) created; it is shown only this once",
                  file=sys.stderr)
        elif command == "list":
            for row in _with_service(lambda s: s.list()):
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
                print(f"{row.id}\t{row.prefix}…\t{row.name}\t{','.join(row.scopes)}\t{row.created_at:%Y-%m-%d %H:%M}\t{state}")
        elif command == "revoke":
            _with_service(lambda s: s.revoke(int(key_id or 0)))
            print(f"key {key_id} revoked", file=sys.stderr)
        else:
            return 2
    except GraphmemError as exc:
        print(f"graphmem: {exc.message}", file=sys.stderr)
        return 1
    return 0
