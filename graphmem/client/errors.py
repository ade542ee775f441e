"""What the SDK raises. Every error the server answered carries its JSON error body
(``{"error": {"code", "message", "details"}}``, docs/limits.md).

ClientError
├── TransportError       no answer: the server could not be reached, or timed out
├── JobFailed            an ingest job ended in ``failed`` (carries the job)
├── JobTimeout           ``wait_for_job`` gave up before the job finished (carries the last state)
└── APIError             the server answered with an error: ``status``, ``code``, ``message``, ``details``
    ├── BadRequest           400 invalid_request (malformed or mistyped input)
    ├── AuthenticationError  401 unauthorized (no key, or an unknown or revoked one)
    ├── PermissionDenied     403 forbidden (the key lacks the scope)
    ├── NotFound             404 not_found
    ├── Conflict             409 conflict
    ├── PayloadTooLarge      413 payload_too_large
    ├── InvalidInput         422 invalid_input / limit_exceeded
    ├── RateLimited          429 rate_limited (``retry_after`` seconds)
    └── ServerError          5xx database_unavailable, statement_timeout, internal_error (``retry_after``)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from graphmem.dto import ErrorResponse

if TYPE_CHECKING:
    from graphmem.dto import Job

__all__ = [
    "ClientError",
    "TransportError",
    "JobFailed",
    "JobTimeout",
    "APIError",
    "BadRequest",
    "AuthenticationError",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "PayloadTooLarge",
    "InvalidInput",
    "RateLimited",
    "ServerError",
    "error_from_response",
]


class ClientError(Exception):
    """Base of everything the SDK raises."""


class TransportError(ClientError):
    """The request got no answer: connection refused or reset, DNS failure, or a timeout."""


class JobFailed(ClientError):
    def __init__(self, job: Job) -> None:
        super().__init__(f"ingest job {job.id} failed: {job.error or 'no error recorded'}")
        self.job = job


class JobTimeout(ClientError):
    def __init__(self, job: Job, waited_s: float) -> None:
        super().__init__(f"ingest job {job.id} is still {job.state} after {waited_s:.1f} s")
        self.job = job


class APIError(ClientError):
    """The server answered with an error status."""

    def __init__(self, status: int, code: str, message: str, details: Any = None,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retry_after = retry_after  # seconds, from Retry-After (429 and 503)


class BadRequest(APIError): ...


class AuthenticationError(APIError): ...


class PermissionDenied(APIError): ...


class NotFound(APIError): ...


class Conflict(APIError): ...


class PayloadTooLarge(APIError): ...


class InvalidInput(APIError): ...


class RateLimited(APIError): ...


class ServerError(APIError): ...


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: InvalidInput,
    429: RateLimited,
}


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        return float(headers["retry-after"])
    except (KeyError, ValueError):
        return None  # absent, or an HTTP date, which graphmem never sends


def error_from_response(status: int, headers: Mapping[str, str], content: bytes) -> APIError:
    """The typed error for an error response. A body that is not graphmem's error shape (a
    proxy's HTML page, say) still gives a typed error, with code ``http_error``."""
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else APIError)
    try:
        body = msgspec.json.decode(content, type=ErrorResponse).error
        code, message, details = body.code, body.message, body.details
    except msgspec.DecodeError:
        code, message, details = "http_error", content[:200].decode("utf-8", "replace") or f"HTTP {status}", None
    return kind(status, code, message, details, _retry_after(headers))
