"""``GraphmemClient``: the blocking client. It only sends; ``core`` and ``surface`` say what."""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from graphmem.client import core
from graphmem.client.core import Call, Flow, Pause
from graphmem.client.surface import Surface, SyncRunner

__all__ = ["GraphmemClient"]

T = TypeVar("T")


class GraphmemClient(Surface, SyncRunner):
    """A blocking client for a graphmem server.

    ``api_key`` is sent as ``Authorization: Bearer``. With ``fail_open=True``, ``get_context``
    returns an empty context marked ``degraded`` instead of raising when the server cannot be
    reached, times out or answers 5xx, so an agent keeps answering without memory. Pass
    ``transport`` (an ``httpx.BaseTransport``) to test against an app without a network.
    """

    def __init__(self, base_url: str = core.DEFAULT_URL, *, api_key: str | None = None, timeout: float = 10.0,
                 fail_open: bool = False, headers: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.fail_open = fail_open
        self._http = httpx.Client(**core.client_options(base_url, api_key, timeout, headers), transport=transport)

    def _send(self, call: Call[T]) -> T:
        request = self._http.build_request(**core.request_args(call))
        try:
            response = self._http.send(request)
        except httpx.TransportError as exc:
            return core.unreachable(call, exc, self.fail_open)
        return core.finish(call, response.status_code, response.headers, response.content, self.fail_open)

    def _run(self, step: Call[T] | Flow[T]) -> T:
        if isinstance(step, Call):
            return self._send(step)
        reply: Any = None
        while True:
            try:
                item = step.send(reply)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            if isinstance(item, Pause):
                time.sleep(item.seconds)
                reply = None
            else:
                reply = self._send(item)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GraphmemClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
