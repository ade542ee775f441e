"""The exceptions services raise. The API maps each to one HTTP status in one place.

GraphmemError
├── Unauthorized        no API key, or one that is unknown or revoked        -> 401
├── Forbidden           a valid key without the scope the route needs        -> 403
├── InvalidInput        bad ids, empty or oversize text, malformed cursors   -> 422
├── NotFound            the resource does not exist *for this user*          -> 404
├── Conflict            the request contradicts stored state                 -> 409
├── LimitExceeded       a documented limit was crossed                       -> 413
├── Unavailable         database or models not ready; retry later            -> 503
└── ConfigurationError  the server cannot start as configured (never HTTP)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "GraphmemError",
    "Unauthorized",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "Conflict",
    "LimitExceeded",
    "Unavailable",
    "ConfigurationError",
]


class GraphmemError(Exception):
    code = "error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Unauthorized(GraphmemError):
    code = "unauthorized"


class Forbidden(GraphmemError):
    code = "forbidden"


class InvalidInput(GraphmemError):
    code = "invalid_input"


class NotFound(GraphmemError):
    code = "not_found"


class Conflict(GraphmemError):
    code = "conflict"


class LimitExceeded(GraphmemError):
    code = "limit_exceeded"


class Unavailable(GraphmemError):
    code = "unavailable"


class ConfigurationError(GraphmemError):
    code = "configuration_error"
