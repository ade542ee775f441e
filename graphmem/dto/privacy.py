"""Erasure receipts and the export document on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from msgspec import Struct

__all__ = ["ErasureReceipt", "ExportDocument", "ImportReceipt", "EXPORT_FORMAT", "EXPORT_VERSION"]

EXPORT_FORMAT = "graphmem-export"
EXPORT_VERSION = 1


class ErasureReceipt(Struct):
    """Proof of an erasure. ``subject`` is a salted HMAC-SHA256 of the user id, so the receipt
    (and the erasure log that keeps it) holds no personal data."""

    erasure_id: int
    subject: str
    erased_at: datetime
    counts: dict[str, int]  # rows deleted per table; all zero when there was nothing left
    duration_ms: float


class ExportDocument(Struct, forbid_unknown_fields=True):
    """All of one user's rows, table by table. Rows carry every column but ``user_id`` and
    generated ones; ``embedding`` is pgvector's text form. The importing path sets the user."""

    format: Literal["graphmem-export"]
    version: Literal[1]
    user_id: str
    tables: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    exported_at: datetime | None = None


class ImportReceipt(Struct):
    user_id: str
    counts: dict[str, int]  # rows inserted per table
