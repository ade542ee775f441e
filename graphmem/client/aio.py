"""``AsyncGraphmemClient``: the asyncio (and trio) client. It only sends; ``core`` and
``surface`` say what."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar

import anyio
import httpx

from graphmem.client import core
from graphmem.client.core import Call, Flow, Pause
from graphmem.client.surface import AsyncRunner, Surface

__all__ = ["AsyncGraphmemClient"]

T = TypeVar("T")


class AsyncGraphmemClient(Surface, AsyncRunner):
    """The async twin of ``GraphmemClient``: the same methods, each returning an awaitable.

    ``api_key`` is sent as ``Authorization: Bearer``. With ``fail_open=True``, ``get_context``
    returns an empty context marked ``degraded`` instead of raising when the server cannot be
    reached, times out or answers 5xx. Pass ``transport`` (an ``httpx.AsyncBaseTransport``) to
    test against an app without a network.
    """

    def __init__(self, base_url: str = core.DEFAULT_URL, *, api_key: str | None = None, timeout: float = 10.0,
                 fail_open: bool = False, headers: Mapping[str, str] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.fail_open = fail_open
        self._http = httpx.AsyncClient(**core.client_options(base_url, api_key, timeout, headers), transport=transport)

    async def _send(self, call: Call[T]) -> T:
        request = self._http.build_request(**core.request_args(call))
        try:
            response = await self._http.send(request)
        except httpx.TransportError as exc:
            return core.unreachable(call, exc, self.fail_open)
        return core.finish(call, response.status_code, response.headers, response.content, self.fail_open)

    async def _run(self, step: Call[T] | Flow[T]) -> T:
        if isinstance(step, Call):
            return await self._send(step)
        reply: Any = None
        while True:
            try:
                item = step.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(item, Pause):
                await anyio.sleep(item.seconds)
                reply = None
            else:
                reply = await self._send(item)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncGraphmemClient:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()
