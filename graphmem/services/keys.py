"""API keys: create (shown once), list, revoke, and authorize a request by key and scope.

Keys are random (``gm_`` + 43 URL-safe characters); only their SHA-256 is stored. Scopes are
ordered: ``admin`` may do everything ``write`` may, and ``write`` everything ``read`` may.
With no active key at all, a server allowed to run open (loopback, or ``GRAPHMEM_ALLOW_OPEN``)
serves without keys; as soon as one key exists, every request needs one.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.errors import ConfigurationError, Forbidden, InvalidInput, NotFound, Unauthorized
from graphmem.store import keys as store
from graphmem.store.keys import KeyRow

__all__ = ["SCOPES", "Principal", "KeyService", "hash_key", "is_loopback"]

SCOPES = ("read", "write", "admin")
_RANK = {s: i for i, s in enumerate(SCOPES)}
PREFIX_CHARS = 10


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a key id, or None when the server runs open."""

    key_id: int | None
    scope: str


class KeyService:
    def __init__(self, engine: AsyncEngine, *, open_when_keyless: bool) -> None:
        self._engine = engine
        self._open = open_when_keyless

    async def create(self, name: str, scopes: Iterable[str]) -> tuple[str, KeyRow]:
        """Return (the key, its row). The key itself is not stored and cannot be shown again."""
        wanted = sorted(set(scopes), key=_RANK.__getitem__) if set(scopes) <= set(SCOPES) else None
        if not wanted:
            raise InvalidInput(f"scopes must be a non-empty subset of {', '.join(SCOPES)}", details={"field": "scopes"})
        if not name.strip():
            raise InvalidInput("a key needs a name", details={"field": "name"})
        key = "gm_" + secrets.token_urlsafe(32)
        async with self._engine.begin() as conn:
            row = await store.insert_key(conn, name, key[:PREFIX_CHARS], hash_key(key), wanted)
        return key, row

    async def list(self) -> list[KeyRow]:
        async with self._engine.connect() as conn:
            return await store.list_keys(conn)

    async def revoke(self, key_id: int) -> None:
        async with self._engine.begin() as conn:
            if not await store.revoke_key(conn, key_id):
                raise NotFound(f"no active key with id {key_id}")

    async def check_startup(self, host: str, allow_open: bool) -> None:
        """Refuse to serve a non-loopback address with no key, unless told to run open."""
        if is_loopback(host) or allow_open:
            return
        async with self._engine.connect() as conn:
            if not await store.any_active_key(conn):
                raise ConfigurationError(
                    f"refusing to serve {host} without API keys: create one with `graphmem keys create`, "
                    "or set GRAPHMEM_ALLOW_OPEN=1 to run open"
                )

    async def authorize(self, key: str | None, scope: str) -> Principal:
        """Raise Unauthorized (no or bad key) or Forbidden (key lacks ``scope``)."""
        async with self._engine.connect() as conn:
            if key is None:
                if self._open and not await store.any_active_key(conn):
                    return Principal(None, "admin")
                raise Unauthorized("an API key is required: send `Authorization: Bearer <key>`")
            row = await store.find_key(conn, hash_key(key))
        if row is None:
            raise Unauthorized("the API key is not valid (unknown or revoked)")
        best = max(row.scopes, key=_RANK.__getitem__)
        if _RANK[best] < _RANK[scope]:
            raise Forbidden(f"this key's scope is {best!r}; the request needs {scope!r}")
        return Principal(row.id, best)
