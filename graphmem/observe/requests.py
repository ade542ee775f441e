"""Per request: a request id, one latency observation and one log line.

The log line holds the method, the route *template*, the status, the duration and the
request id: never the raw path (it holds user ids), the query string or the body.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from graphmem.observe.metrics import Metrics

__all__ = ["REQUEST_ID_HEADER", "RequestObserver", "request_id", "echo_request_id"]

REQUEST_ID_HEADER = "x-request-id"
_STATE_KEY = "graphmem.request_id"
# An incoming id is kept only if it is a plain token: it goes into every log line of the request.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
UNMATCHED = "<unmatched>"


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None


def request_id(scope: Scope) -> str:
    """The request's id: the client's ``X-Request-ID`` if sane, else a new one; fixed once chosen."""
    state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
    rid = state.get(_STATE_KEY)
    if rid is None:
        rid = _incoming_id(scope) or uuid.uuid4().hex
        state[_STATE_KEY] = rid
    return rid  # type: ignore[no-any-return]


async def echo_request_id(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: it sees every response, even those made outside route middleware
    (429 from the rate limiter, 404 for an unknown path), so every response carries the id."""
    if message["type"] == "http.response.start" and scope["type"] == "http":
        MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id(scope)


class RequestObserver:
    """ASGI middleware; put it first in the app's middleware so that it times the rest."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, log: Any, quiet: frozenset[str] = frozenset()) -> None:
        self.app = app
        self._metrics = metrics
        self._log = log
        self._quiet = quiet  # route templates logged at DEBUG: probes and scrapes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        route = scope.get("path_template") or UNMATCHED
        status = 500  # unless a response starts

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        start = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=rid):
            try:
                await self.app(scope, receive, observed)
            except HTTPException as exc:  # raised by middleware inside us, answered by the app
                status = exc.status_code
                raise
            finally:
                seconds = time.perf_counter() - start
                method = scope["method"]
                self._metrics.observe_request(method, route, status, seconds)
                emit = self._log.debug if route in self._quiet else self._log.info
                emit("request", method=method, route=route, status=status, duration_ms=round(seconds * 1000, 2))
