"""Opaque keyset cursors: the sort position of the last row on a page, tagged with what it sorts.

A cursor from one listing (or sort order) handed to another is refused rather than misread.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, TypeVar

import msgspec

from graphmem.errors import InvalidInput

__all__ = ["encode_position", "decode_position"]

T = TypeVar("T")


def encode_position(kind: str, position: Any) -> str:
    raw = msgspec.json.encode([kind, position])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(cursor: str, kind: str, type_: type[T]) -> T:
    """The position inside ``cursor``; InvalidInput unless this server issued it for ``kind``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tag, position = msgspec.json.decode(raw, type=tuple[str, type_])  # type: ignore[valid-type]
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidInput("cursor is not one this server issued", details={"field": "cursor"}) from exc
    if tag != kind:
        raise InvalidInput("cursor belongs to another listing or sort order", details={"field": "cursor"})
    return position
