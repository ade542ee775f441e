"""Export and import of one user's rows, table by table, in a generic JSON form.

Rows are read with ``to_jsonb`` (user_id and generated columns left out; pgvector and
tsvector values come out in their text form) and written back with
``jsonb_populate_recordset``, so every column type round-trips through its own text format.
Table and column names come from the catalog (``privacy.user_tables``), never from input.
"""

from __future__ import annotations

from typing import Any, Sequence

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from graphmem.store.privacy import UserTable

__all__ = ["read_page", "insert_rows", "user_row_counts", "advance_identity"]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def read_page(
    conn: AsyncConnection, table: UserTable, user_id: str, after: Sequence[Any] | None, limit: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` of the user's rows in primary-key order, strictly after the key ``after``."""
    keys = [c for c in table.primary_key if c != "user_id"]
    dropped = ", ".join(f"'{c}'" for c in ("user_id", *table.generated))
    where = "t.user_id = :uid"
    params: dict[str, Any] = {"uid": user_id, "n": limit}
    if after is not None and keys:
        where += f" AND ({', '.join('t.' + _q(k) for k in keys)}) > ({', '.join(f':k{i}' for i in range(len(keys)))})"
        params.update({f"k{i}": v for i, v in enumerate(after)})
    order = ", ".join("t." + _q(k) for k in keys) or "t.user_id"
    query = sa.text(
        f"SELECT to_jsonb(t) - ARRAY[{dropped}]::text[] AS row FROM {_q(table.name)} t "
        f"WHERE {where} ORDER BY {order} LIMIT :n"
    )
    return [r.row for r in await conn.execute(query, params)]


async def insert_rows(conn: AsyncConnection, table: UserTable, user_id: str, rows: Sequence[dict[str, Any]]) -> int:
    """Insert exported rows for ``user_id`` (whatever user they came from); returns the count."""
    if not rows:
        return 0
    columns = ", ".join(_q(c) for c in table.columns)
    values = ", ".join(":uid" if c == "user_id" else "r." + _q(c) for c in table.columns)
    query = sa.text(
        f"INSERT INTO {_q(table.name)} ({columns}) SELECT {values} "
        f"FROM jsonb_populate_recordset(NULL::{_q(table.name)}, CAST(:rows AS jsonb)) r"
    )
    result = await conn.execute(query, {"uid": user_id, "rows": msgspec.json.encode(list(rows)).decode()})
    return result.rowcount


async def user_row_counts(conn: AsyncConnection, tables: Sequence[UserTable], user_id: str) -> dict[str, int]:
    parts = [f"(SELECT count(*) FROM {_q(t.name)} WHERE user_id = :uid) AS {_q(t.name)}" for t in tables]
    row = (await conn.execute(sa.text("SELECT " + ", ".join(parts)), {"uid": user_id})).one()
    return {k: int(v) for k, v in row._mapping.items()}


async def advance_identity(conn: AsyncConnection, table: UserTable, at_least: int) -> None:
    """Move the table's id sequence past imported ids, so later inserts never reuse them."""
    seq = await conn.scalar(sa.select(sa.func.pg_get_serial_sequence(table.name, "id")))
    if seq is None:
        return
    last = await conn.scalar(sa.text(f"SELECT last_value FROM {seq}"))  # a regclass name from the catalog
    if at_least > int(last or 0):
        await conn.execute(sa.select(sa.func.setval(seq, at_least)))
