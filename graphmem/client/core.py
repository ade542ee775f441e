"""The sans-I/O core both clients share: what to send, and what an answer means.

An operation is a plain function that returns a ``Call`` (one request plus how to decode its
answer) or a ``Flow`` (a generator that yields calls and pauses, for polling). The sync and
async clients only *run* them: they send each call with httpx, hand the answer to ``finish``
and sleep through pauses. Nothing here does I/O, so both clients behave identically.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import (
    Any,
    Generic,
    TypeAlias,
    TypeVar,
)
from urllib.parse import quote

import msgspec

from graphmem import __version__
from graphmem.client.errors import ServerError, TransportError, error_from_response

__all__ = [
    "Call",
    "Pause",
    "Flow",
    "DEFAULT_URL",
    "path",
    "query_params",
    "decoder",
    "no_content",
    "encode",
    "client_options",
    "finish",
    "unreachable",
    "request_args",
]

T = TypeVar("T")

DEFAULT_URL = "http://127.0.0.1:8420"

Params: TypeAlias = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One HTTP request and how to turn its answer into a ``T``."""

    method: str
    path: str  # already percent-encoded
    decode: Callable[[bytes], T]
    params: Params = field(default_factory=list)
    body: bytes | None = None
    also_ok: frozenset[int] = frozenset()  # non-2xx statuses whose body is a result (503 of /ready)
    fallback: Callable[[], T] | None = None  # what a fail-open client returns when the server is down


@dataclass(frozen=True, slots=True)
class Pause:
    """A flow asks its runner to sleep (``time.sleep`` or ``anyio.sleep``)."""

    seconds: float


# A flow yields calls (and receives their results) or pauses (and receives None).
Flow: TypeAlias = Generator["Call[Any] | Pause", Any, T]


def path(*segments: str | int) -> str:
    """Join path segments, percent-encoding each: ids may hold ``?``, ``#``, ``%`` or non-ASCII."""
    return "/" + "/".join(quote(str(s), safe="") for s in segments)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def query_params(**values: object) -> Params:
    """Query parameters, leaving out ``None`` (so the server's default applies) and repeating
    iterables (``predicate=a&predicate=b``). A trailing ``_`` is dropped (``type_`` -> ``type``)."""
    params: Params = []
    for name, value in values.items():
        if value is None:
            continue
        items: Iterable[object] = value if isinstance(value, (list, tuple, set, frozenset)) else (value,)
        params.extend((name.rstrip("_"), _text(item)) for item in items)
    return params


def decoder(kind: type[T]) -> Callable[[bytes], T]:
    typed = msgspec.json.Decoder(kind)
    return typed.decode


def no_content(_: bytes) -> None:
    return None


_encoder = msgspec.json.Encoder()


def encode(value: object) -> bytes:
    return _encoder.encode(value)


def client_options(base_url: str, api_key: str | None, timeout: float,
                   headers: Mapping[str, str] | None) -> dict[str, Any]:
    """The keyword arguments both ``httpx.Client`` and ``httpx.AsyncClient`` take."""
    merged = {"user-agent": f"graphmem-python/{__version__}", "accept": "application/json"}
    if api_key:
        merged["authorization"] = f"Bearer {api_key}"  # what graphmem/api/auth.py reads
    merged.update(headers or {})
    return {"base_url": base_url.rstrip("/"), "headers": merged, "timeout": timeout}


def request_args(call: Call[Any]) -> dict[str, Any]:
    """What ``httpx.Client.build_request`` takes for this call."""
    headers = {"content-type": "application/json"} if call.body is not None else None
    return {"method": call.method, "url": call.path, "params": call.params or None, "content": call.body,
            "headers": headers}


def finish(call: Call[T], status: int, headers: Mapping[str, str], content: bytes, fail_open: bool) -> T:
    """Decode a success, or raise the typed error; a fail-open call turns a 5xx into its fallback."""
    if status < 300 or status in call.also_ok:
        return call.decode(content)
    error = error_from_response(status, headers, content)
    if fail_open and call.fallback is not None and isinstance(error, ServerError):
        return call.fallback()
    raise error


def unreachable(call: Call[T], cause: Exception, fail_open: bool) -> T:
    """No answer at all (httpx's TransportError: connect, read, timeout): the fallback, or raise."""
    if fail_open and call.fallback is not None:
        return call.fallback()
    raise TransportError(f"{call.method} {call.path}: {type(cause).__name__}: {cause}") from cause
