"""Export a user's data as one streamed JSON document, and import it into an empty user.

Export reads every per-user table from the catalog in pages, inside one REPEATABLE READ
transaction, so the document is a consistent snapshot and memory use stays flat. Import
writes the rows back in foreign-key order in one transaction, under the per-user lock.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, AsyncIterator

import msgspec
import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.dto import EXPORT_FORMAT, EXPORT_VERSION, ExportDocument, ImportReceipt
from graphmem.errors import Conflict, InvalidInput, NotFound
from graphmem.limits import check_id
from graphmem.store import portability as store
from graphmem.store.overview import get_user
from graphmem.store.privacy import lock_user, scope_to_user, user_tables

__all__ = ["PortabilityService", "EXPORT_PAGE_ROWS"]

EXPORT_PAGE_ROWS = 500
IMPORT_CHUNK_ROWS = 1_000

_encode = msgspec.json.Encoder().encode


class PortabilityService:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def export(self, user_id: str) -> AsyncIterator[bytes]:
        """Check the user exists, then return the document as a stream of JSON chunks."""
        check_id("user_id", user_id)
        async with self._engine.connect() as conn:
            await scope_to_user(conn, user_id)
            if await get_user(conn, user_id) is None:
                raise NotFound(f"user {user_id!r} not found")
        return self._stream(user_id)

    async def _stream(self, user_id: str) -> AsyncIterator[bytes]:
        head = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "user_id": user_id,
                "exported_at": datetime.now(timezone.utc)}
        yield _encode(head)[:-1] + b',"tables":{'
        counts: dict[str, int] = {}
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
            await scope_to_user(conn, user_id)
            for i, table in enumerate(await user_tables(conn)):
                yield (b"," if i else b"") + _encode(table.name) + b":["
                keys = [c for c in table.primary_key if c != "user_id"]
                after: list[Any] | None = None
                n = 0
                while True:
                    rows = await store.read_page(conn, table, user_id, after, EXPORT_PAGE_ROWS)
                    if rows:
                        yield (b"," if n else b"") + b",".join(_encode(r) for r in rows)
                        n += len(rows)
                    if len(rows) < EXPORT_PAGE_ROWS or not keys:
                        break
                    after = [rows[-1][k] for k in keys]
                yield b"]"
                counts[table.name] = n
        yield b'},"counts":' + _encode(counts) + b"}"

    async def import_(self, user_id: str, doc: ExportDocument) -> ImportReceipt:
        """Restore an export into ``user_id``, which must hold no data (else 409)."""
        check_id("user_id", user_id)
        for name, rows in doc.tables.items():
            if doc.counts.get(name, len(rows)) != len(rows):
                raise InvalidInput(f"tables.{name} has {len(rows)} rows but counts says {doc.counts[name]}; "
                                   "the export is incomplete", details={"field": f"tables.{name}"})
        try:
            async with self._engine.begin() as conn:
                await scope_to_user(conn, user_id)
                await lock_user(conn, user_id)
                tables = await user_tables(conn)
                unknown = sorted(set(doc.tables) - {t.name for t in tables})
                if unknown:
                    raise InvalidInput(f"unknown tables in the export: {', '.join(unknown)}", details={"field": "tables"})
                if any((await store.user_row_counts(conn, tables, user_id)).values()):
                    raise Conflict(f"user {user_id!r} already has data; import needs an empty user (erase it first)")
                counts = {}
                for table in tables:
                    rows = doc.tables.get(table.name, [])
                    counts[table.name] = 0
                    for start in range(0, len(rows), IMPORT_CHUNK_ROWS):
                        counts[table.name] += await store.insert_rows(conn, table, user_id, rows[start:start + IMPORT_CHUNK_ROWS])
                    ids = [r["id"] for r in rows if isinstance(r.get("id"), int)]
                    if table.identity and ids:
                        await store.advance_identity(conn, table, max(ids))
        except DBAPIError as exc:
            if isinstance(exc.orig, (psycopg.DataError, psycopg.IntegrityError)):
                raise InvalidInput(f"the export does not fit the schema: {exc.orig.diag.message_primary}") from exc
            raise
        return ImportReceipt(user_id, counts)
