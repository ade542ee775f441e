"""Catalog-driven scans of the whole database, for erasure proofs."""

from __future__ import annotations

from typing import Any, Callable

Sql = Callable[..., list[Any]]

TEXTUAL = ("text", "character varying", "character", "jsonb", "json", "tsvector", "ARRAY", "USER-DEFINED")


def user_tables(sql: Sql) -> list[str]:
    rows = sql(
        "SELECT DISTINCT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
        "USING (table_schema, table_name) WHERE c.table_schema = 'public' AND c.column_name = 'user_id' "
        "AND t.table_type = 'BASE TABLE' ORDER BY 1"
    )
    return [r[0] for r in rows]


def find_anywhere(sql: Sql, needle: str) -> list[tuple[str, str]]:
    """(table, column) of every text-like column of every table holding ``needle`` (case-insensitive)."""
    columns = sql(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t "
        "USING (table_schema, table_name) WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
        "AND c.data_type = ANY(:types) ORDER BY 1, 2",
        types=list(TEXTUAL),
    )
    hits = []
    for table, column in columns:
        found = sql(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE :p', p=f"%{needle}%")[0][0]
        if found:
            hits.append((table, column))
    return hits


def dump_user(sql: Sql, user_id: str) -> dict[str, list[str]]:
    """Every row of the user in every user table, as PostgreSQL's text form of the whole row."""
    return {t: [r[0] for r in sql(f'SELECT t::text FROM "{t}" t WHERE user_id = :u ORDER BY 1', u=user_id)] for t in user_tables(sql)}
