"""The one place where errors become HTTP responses, all in one JSON shape:
``{"error": {"code": ..., "message": ..., "details": ...}}``."""

from __future__ import annotations

import logging
import re

import psycopg
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from psycopg.errors import QueryCanceled
from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout

from graphmem import errors
from graphmem.dto import ErrorBody, ErrorResponse

__all__ = ["exception_handlers"]

log = logging.getLogger(__name__)

_STATUS: dict[type[errors.GraphmemError], int] = {
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.LimitExceeded: 413,
    errors.Unavailable: 503,
}

_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _respond(status: int, code: str, message: str, details: object = None, headers: dict[str, str] | None = None) -> Response[ErrorResponse]:
    return Response(
        ErrorResponse(ErrorBody(code, message, details)),
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def _graphmem(_: Request, exc: errors.GraphmemError) -> Response[ErrorResponse]:
    status = next((s for kind, s in _STATUS.items() if isinstance(exc, kind)), 500)
    headers = {"Retry-After": "5"} if status == 503 else None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="graphmem"'}
    return _respond(status, exc.code, exc.message, exc.details, headers)


# msgspec words a broken bound as "Expected `array` of length <= 256", "Expected `int` >= 1".
_BOUND = re.compile(r"(length )?[<>]= \d")


def _validation(_: Request, exc: ValidationException) -> Response[ErrorResponse]:
    """Malformed or mistyped input is a 400; a value past a documented limit is a 422 that
    says which limit, as docs/limits.md promises."""
    details = exc.extra if isinstance(exc.extra, list) else []
    if any(_BOUND.search(str(d.get("message", ""))) for d in details if isinstance(d, dict)):
        return _respond(422, "limit_exceeded", str(exc.detail), exc.extra)
    return _respond(400, "invalid_request", str(exc.detail), exc.extra)


def _http(_: Request, exc: HTTPException) -> Response[ErrorResponse]:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 429 and "RateLimit-Reset" in headers:
        headers.setdefault("Retry-After", headers["RateLimit-Reset"])
    return _respond(exc.status_code, code, str(exc.detail), exc.extra or None, headers or None)


def _too_deep(_: Request, exc: RecursionError) -> Response[ErrorResponse]:
    # msgspec raises it while decoding JSON nested thousands of levels deep
    log.warning("refused a request nested too deeply: %s", exc)
    return _respond(400, "invalid_request", "the request body is nested too deeply")


def _database(_: Request, exc: Exception) -> Response[ErrorResponse]:
    log.warning("database unavailable: %s", type(exc).__name__)
    return _respond(503, "database_unavailable", "the database is not reachable; retry later", None, {"Retry-After": "5"})


def _internal(_: Request, exc: Exception) -> Response[ErrorResponse]:
    log.exception("unhandled error", exc_info=exc)
    return _respond(500, "internal_error", "an internal error occurred")


def _db_or_internal(request: Request, exc: DBAPIError) -> Response[ErrorResponse]:
    if isinstance(exc.orig, QueryCanceled):
        return _respond(504, "statement_timeout", "the query took longer than the statement timeout")
    if isinstance(exc.orig, psycopg.DataError):  # a value PostgreSQL cannot take: an id past bigint, NUL, ...
        log.info("refused a value the database cannot take: %s", type(exc.orig).__name__)
        return _respond(422, "invalid_input", "a value in the request is out of range or cannot be stored")
    if exc.connection_invalidated or isinstance(exc.orig, psycopg.OperationalError):
        return _database(request, exc)
    return _internal(request, exc)


def _group(request: Request, exc: BaseExceptionGroup) -> Response[ErrorResponse]:
    """Concurrent queries (search runs its channels at once) fail as a group: answer for the
    first failure, as if it had been raised alone."""
    first: BaseException = exc
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    for kind, handler in exception_handlers.items():
        if kind is not BaseExceptionGroup and isinstance(first, kind):
            return handler(request, first)  # type: ignore[operator]
    return _internal(request, exc)


exception_handlers = {
    BaseExceptionGroup: _group,
    errors.GraphmemError: _graphmem,
    ValidationException: _validation,
    HTTPException: _http,
    PoolTimeout: _database,
    DBAPIError: _db_or_internal,
    RecursionError: _too_deep,
    Exception: _internal,
}
