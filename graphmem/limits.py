"""Documented input limits, and the checks that msgspec's types cannot express.

Every limit here is part of the API contract (docs/limits.md) and shows in the OpenAPI schema
where msgspec can express it.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from graphmem.errors import InvalidInput

__all__ = [
    "MAX_BATCH_MESSAGES",
    "MAX_TEXT_CHARS",
    "MAX_ID_CHARS",
    "MAX_NAME_CHARS",
    "MAX_QUERY_CHARS",
    "MAX_SEARCH_LIMIT",
    "MAX_CONTEXT_TURNS",
    "MAX_PAGE_SIZE",
    "MAX_METADATA_DEPTH",
    "ID_PATTERN",
    "check_id",
    "check_text",
    "check_metadata",
    "as_utc",
]

MAX_BATCH_MESSAGES = 256
MAX_TEXT_CHARS = 500_000  # a pasted document; extraction reads only the first 5,000
MAX_ID_CHARS = 128
MAX_NAME_CHARS = 200
MAX_QUERY_CHARS = 2_000
MAX_SEARCH_LIMIT = 100
MAX_CONTEXT_TURNS = 5
MAX_PAGE_SIZE = 500
MAX_METADATA_DEPTH = 8

# Printable characters but whitespace, "/" and "\", so ids are safe in URL paths and logs.
ID_PATTERN = r"^[^\x00-\x20\x7f/\\]{1,128}$"
_ID = re.compile(ID_PATTERN)


def check_id(kind: str, value: str) -> str:
    if not _ID.fullmatch(value) or not value.isprintable() or any(c.isspace() for c in value):
        raise InvalidInput(
            f"{kind} must be 1-{MAX_ID_CHARS} characters without spaces, control characters, '/' or '\\'",
            details={"field": kind},
        )
    return value


def check_text(field: str, value: str) -> str:
    """PostgreSQL text cannot hold NUL; blank text would make an empty memory."""
    if "\x00" in value:
        raise InvalidInput(f"{field} must not contain NUL bytes", details={"field": field})
    if not value.strip():
        raise InvalidInput(f"{field} must not be blank", details={"field": field})
    return value


def check_metadata(field: str, value: Any, depth: int = 0) -> Any:
    """jsonb rejects NUL in strings; very deep nesting is refused rather than stored."""
    if depth > MAX_METADATA_DEPTH:
        raise InvalidInput(f"{field} is nested deeper than {MAX_METADATA_DEPTH} levels", details={"field": field})
    if isinstance(value, str) and "\x00" in value:
        raise InvalidInput(f"{field} must not contain NUL bytes", details={"field": field})
    if isinstance(value, dict):
        for key, item in value.items():
            check_metadata(field, key, depth + 1)
            check_metadata(field, item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_metadata(field, item, depth + 1)
    return value


def as_utc(value: datetime | None) -> datetime | None:
    """Naive timestamps are taken as UTC. Years outside 1-9999 in UTC are refused: PostgreSQL
    would store them, but no client could read them back."""
    if value is None:
        return None
    value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
    try:
        return value.astimezone(timezone.utc)
    except OverflowError as exc:
        raise InvalidInput("timestamps must fall within the years 1 to 9999 in UTC") from exc
