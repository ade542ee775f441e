"""The migrated database is the schema: it matches the query metadata and keys on user_id."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from litestar.testing import TestClient

from graphmem.store.engine import create_engine
from graphmem.store.tables import GLOBAL_TABLES, metadata


def _run(database_url: str, fn: Any) -> Any:
    async def go() -> Any:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(go())


@pytest.fixture(scope="module")
def migrated(client: TestClient, database_url: str) -> str:
    """The session app has run ``alembic upgrade head`` on this database."""
    return database_url


def test_tables_py_matches_the_migrations(migrated: str) -> None:
    def diff(conn: sa.Connection) -> list[Any]:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        return [d for d in compare_metadata(ctx, metadata) if d[0] != "remove_table" or d[1].name != "alembic_version"]

    assert _run(migrated, diff) == []


def test_every_primary_and_foreign_key_leads_with_user_id(migrated: str) -> None:
    def keys(conn: sa.Connection) -> list[tuple[str, str, list[str]]]:
        rows = conn.execute(
            sa.text(
                """
                SELECT c.conrelid::regclass::text, c.contype::text,
                       array_agg(a.attname ORDER BY k.ord)
                FROM pg_constraint c
                JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
                CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                WHERE c.contype IN ('p', 'f') AND c.conrelid::regclass::text <> 'alembic_version'
                GROUP BY c.oid, c.conrelid, c.contype
                """
            )
        )
        return [(r[0], r[1], list(r[2])) for r in rows]

    found = _run(migrated, keys)
    found = [k for k in found if k[0] not in GLOBAL_TABLES]  # server-wide tables have no user_id
    tables = {t for t, kind, _ in found if kind == "p"}
    assert tables == set(metadata.tables) - GLOBAL_TABLES
    assert sum(kind == "f" for _, kind, _ in found) >= 10
    assert [k for k in found if k[2][0] != "user_id"] == []


def test_vector_and_text_indexes_exist(migrated: str) -> None:
    def indexes(conn: sa.Connection) -> dict[str, str]:
        rows = conn.execute(sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'memories'"))
        return {r[0]: r[1] for r in rows}

    found = _run(migrated, indexes)
    # Vector search is per user: an exact scan of the user's rows, no global HNSW graph (0009).
    assert not any("hnsw" in d for d in found.values())
    assert "USING gin (tsv)" in found["memories_tsv_idx"]
    assert "(user_id, ts)" in found["memories_user_ts_idx"]


def test_embedding_column_is_vector_384(migrated: str) -> None:
    def column_type(conn: sa.Connection) -> str:
        return str(
            conn.scalar(
                sa.text(
                    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = 'memories'::regclass AND attname = 'embedding'"
                )
            )
        )

    assert _run(migrated, column_type) == "vector(384)"
