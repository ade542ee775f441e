"""PostgreSQL enforces tenant isolation: row-level security, forced, for a role that owns nothing."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Callable

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.exc import DBAPIError

from graphmem.dto import IngestRequest, MessageIn
from graphmem.embed.fake import FakeEmbedder
from graphmem.services.erasure import ErasureService, load_subjects
from graphmem.services.ingest import IngestService
from graphmem.services.jobs import JobRunner
from graphmem.services.pipeline import MemoryStage
from graphmem.store.engine import create_engine
from graphmem.store.privacy import scope_to_user
from privacy_helpers import user_tables

Sql = Callable[..., list[Any]]
ROLE = "graphmem_app"


def test_catalog_forces_rls_on_every_user_table(client: TestClient, sql: Sql) -> None:
    tables = user_tables(sql)
    assert {"users", "messages", "memories", "entities", "relations", "mentions", "entity_merges"} <= set(tables)
    rows = sql(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "(SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname AND p.policyname = 'user_isolation') "
        "FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(:t)", t=tables)
    assert sorted(r[0] for r in rows) == sorted(tables)
    assert [r[0] for r in rows if not (r[1] and r[2] and r[3] == 1)] == []
    qual = sql("SELECT DISTINCT qual FROM pg_policies WHERE policyname = 'user_isolation'")
    assert len(qual) == 1 and "NULLIF(current_setting('app.user_id'::text, true), ''::text)" in qual[0][0]


def test_app_role_is_restricted_and_owns_nothing(client: TestClient, sql: Sql) -> None:
    role = sql("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r", r=ROLE)
    assert role == [(False, False)]
    owned = sql("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = :r)", r=ROLE)
    assert owned[0][0] == 0


async def _as_app_role(database_url: str, body: Callable[[Any], Any]) -> Any:
    engine = create_engine(database_url, pool_size=1, role=ROLE)  # one pooled connection, reused
    try:
        return await body(engine)
    finally:
        await engine.dispose()


def test_no_user_set_sees_nothing_and_reuse_does_not_leak(
    ingest: Callable[..., dict[str, Any]], database_url: str, sql: Sql
) -> None:
    a, b = f"rls-a-{uuid.uuid4().hex[:8]}", f"rls-b-{uuid.uuid4().hex[:8]}"
    ingest(a, "c", {"role": "user", "text": "Alpha secret: my locker code is 4471."})
    ingest(b, "c", {"role": "user", "text": "Bravo note: I like kayaking."})
    tables = user_tables(sql)

    async def body(engine: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with engine.connect() as conn:
            out["who"] = await conn.scalar(sa.text("SELECT current_user"))
            out["unscoped"] = {t: await conn.scalar(sa.text(f'SELECT count(*) FROM "{t}"')) for t in tables}
        async with engine.begin() as conn:
            await scope_to_user(conn, a)
            out["a"] = await conn.scalar(sa.text("SELECT count(*) FROM messages"))
            out["pid"] = await conn.scalar(sa.text("SELECT pg_backend_pid()"))
        async with engine.begin() as conn:  # the same pooled connection, now for B
            await scope_to_user(conn, b)
            out["pid_b"] = await conn.scalar(sa.text("SELECT pg_backend_pid()"))
            out["b_users"] = set(await conn.scalars(sa.text("SELECT DISTINCT user_id FROM memories")))
            out["b_sees_a"] = await conn.scalar(sa.text("SELECT count(*) FROM messages WHERE user_id = :a"), {"a": a})
        async with engine.connect() as conn:  # and again with nobody set
            out["after"] = await conn.scalar(sa.text("SELECT count(*) FROM messages"))
        async with engine.begin() as conn:
            await scope_to_user(conn, b)
            try:
                await conn.execute(sa.text("INSERT INTO users (user_id) VALUES (:a) ON CONFLICT DO NOTHING"), {"a": f"{a}-x"})
                out["cross_write"] = "allowed"
            except DBAPIError as exc:
                out["cross_write"] = type(exc.orig).__name__
        return out

    out = asyncio.run(_as_app_role(database_url, body))
    assert out["who"] == ROLE
    assert set(out["unscoped"].values()) == {0}, out["unscoped"]
    assert out["a"] == 1 and out["pid"] == out["pid_b"]
    assert out["b_users"] == {b} and out["b_sees_a"] == 0 and out["after"] == 0
    assert out["cross_write"] == "InsufficientPrivilege"  # WITH CHECK refuses another user's row


def test_ingest_and_erasure_work_as_the_app_role(database_url: str, sql: Sql, user_id: str) -> None:
    async def body(engine: Any) -> tuple[int, int]:
        subjects = await load_subjects(engine, None)
        runner = JobRunner(engine, engine, [MemoryStage(FakeEmbedder())])  # the request runs its own job
        done = await IngestService(engine, runner, subjects=subjects).ingest(
            user_id, "c", IngestRequest([MessageIn("user", "Scoped write")]), wait=True
        )
        receipt = await ErasureService(engine, subjects).erase(user_id)
        return done.created, done.job.state if done.job else None, receipt.counts["memories"]

    assert asyncio.run(_as_app_role(database_url, body)) == (1, "done", 1)
    assert sql("SELECT count(*) FROM users WHERE user_id = :u", u=user_id)[0][0] == 0


@pytest.mark.parametrize("table", ["api_keys"])
def test_app_role_cannot_write_keys(database_url: str, table: str) -> None:
    async def body(engine: Any) -> str:
        async with engine.begin() as conn:
            try:
                await conn.execute(sa.text(f"DELETE FROM {table}"))
            except DBAPIError as exc:
                return type(exc.orig).__name__
        return "allowed"

    assert asyncio.run(_as_app_role(database_url, body)) == "InsufficientPrivilege"


def test_requests_run_as_the_app_role(client: TestClient, ingest: Callable[..., dict[str, Any]], user_id: str) -> None:
    """The running app's request engine is graphmem_app; unscoped, it sees no row at all."""
    ingest(user_id, "c", {"role": "user", "text": "A row that exists."})
    engine = client.app.state.request_engine

    async def probe() -> tuple[str, int, int]:
        async with engine.connect() as conn:
            who = await conn.scalar(sa.text("SELECT current_user"))
            unscoped = await conn.scalar(sa.text("SELECT count(*) FROM messages"))
        async with engine.connect() as conn:
            await scope_to_user(conn, user_id)
            scoped = await conn.scalar(sa.text("SELECT count(*) FROM messages"))
        return who, unscoped, scoped

    assert client.blocking_portal.call(probe) == (ROLE, 0, 1)
    assert client.get(f"/v1/users/{user_id}").json()["counts"]["messages"] == 1  # scoped reads see the user's rows
    assert client.get("/v1/status").json()["counts"]["messages"] >= 1  # counts over all users use the owner
