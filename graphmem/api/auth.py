"""Authentication as a Litestar guard, and the per-key identity the rate limiter counts by.

Routes say the scope they need with ``opt={"scope": ...}``; otherwise reads (GET, HEAD) need
``read`` and everything else ``write``. ``opt={"public": True}`` and the OpenAPI document
need no key. The key is read from ``Authorization: Bearer <key>`` or ``X-API-Key``; it is
never logged, and the rate limiter sees only a hash of it.
"""

from __future__ import annotations

import hashlib

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.rate_limit import get_remote_address

__all__ = ["require_key", "presented_key", "rate_limit_identity"]

OPEN_PATHS = ("/schema",)


def presented_key(connection: ASGIConnection) -> str | None:
    auth = connection.headers.get("authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else auth.strip()
    return connection.headers.get("x-api-key") or None


async def require_key(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    if handler.opt.get("public") or connection.scope["path"].startswith(OPEN_PATHS):
        return
    scope = handler.opt.get("scope") or ("read" if connection.scope.get("method") in ("GET", "HEAD") else "write")
    await connection.app.state.services.keys.authorize(presented_key(connection), scope)


def rate_limit_identity(request: Request) -> str:
    """One bucket per key (by hash), or per client address when no key is sent."""
    key = presented_key(request)
    if key:
        return "key:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return "addr:" + get_remote_address(request)
