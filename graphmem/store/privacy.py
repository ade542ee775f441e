"""Per-user data as the catalog sees it: which tables hold it, in what order they depend on
each other, and row-level-security scoping. Erasure and export read the table list from the
catalog, so a table added later with a ``user_id`` column is covered without code changes."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["UserTable", "user_tables", "scope_to_user", "lock_user"]

_TABLES = sa.text(
    """
    SELECT c.table_name,
           array_agg(c.column_name::text ORDER BY c.ordinal_position) AS columns,
           array_agg(c.column_name::text ORDER BY c.ordinal_position) FILTER (WHERE c.is_generated = 'ALWAYS') AS generated
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      AND c.table_name IN (SELECT table_name FROM information_schema.columns
                           WHERE table_schema = current_schema() AND column_name = 'user_id')
    GROUP BY c.table_name
    """
)

_KEYS = sa.text(
    """
    SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent, contype::text AS kind,
           (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(conkey) WITH ORDINALITY k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.attnum) AS columns
    FROM pg_constraint
    WHERE contype IN ('p', 'f') AND connamespace = current_schema()::regnamespace
    """
)


@dataclass(frozen=True, slots=True)
class UserTable:
    name: str
    columns: tuple[str, ...]  # writable columns (generated ones left out)
    generated: tuple[str, ...]  # computed by PostgreSQL; never exported or written
    primary_key: tuple[str, ...]
    identity: bool  # has an ``id`` column fed by a sequence


async def user_tables(conn: AsyncConnection) -> list[UserTable]:
    """Every table with a ``user_id`` column, parents before children (foreign-key order)."""
    found = {r.table_name: r for r in await conn.execute(_TABLES)}
    parents: dict[str, set[str]] = {name: set() for name in found}
    keys: dict[str, tuple[str, ...]] = {}
    for r in await conn.execute(_KEYS):
        if r.child not in found:
            continue
        if r.kind == "p":
            keys[r.child] = tuple(r.columns)
        elif r.parent in found and r.parent != r.child:
            parents[r.child].add(r.parent)
    ordered: list[str] = []
    while len(ordered) < len(found):
        ready = sorted(n for n in found if n not in ordered and parents[n] <= set(ordered))
        if not ready:  # a cycle: keep the rest in name order; cascades resolve it on delete
            ready = sorted(n for n in found if n not in ordered)
        ordered.extend(ready)
    out = []
    for name in ordered:
        row = found[name]
        generated = tuple(row.generated or ())
        columns = tuple(c for c in row.columns if c not in generated)
        out.append(UserTable(name, columns, generated, keys.get(name, ("user_id",)), "id" in columns))
    return out


async def scope_to_user(conn: AsyncConnection, user_id: str, *, lazy_commit: bool = False) -> None:
    """Scope the current transaction to one user for row-level security: the policies compare
    ``user_id`` with ``app.user_id``, and ``true`` makes the setting end with the transaction.
    ``lazy_commit``: its commit does not wait for the WAL flush (reads that only bump counters),
    set in the same round trip."""
    settings = [sa.func.set_config("app.user_id", user_id, True)]
    if lazy_commit:
        settings.append(sa.func.set_config("synchronous_commit", "off", True))
    await conn.execute(sa.select(*settings))


async def lock_user(conn: AsyncConnection, user_id: str) -> None:
    """The per-user transaction lock (the same key as ``graph.lock_user_graph``): ingest writes,
    erasure and import of one user run one at a time."""
    await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(user_id, 0))))
