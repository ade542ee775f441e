"""With GRAPHMEM_DATABASE_URL set, graphmem uses that server, or says clearly why it cannot."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from graphmem.errors import ConfigurationError
from graphmem.settings import Settings
from graphmem.store.database import open_database
from graphmem.store.engine import APP_ROLE, current_role, sqlalchemy_url
from graphmem.store.privacy import scope_to_user


def _migrate(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRAPHMEM_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "graphmem.cli.main", "migrate"], env=env, capture_output=True, text=True, timeout=120
    )


def test_migrate_uses_the_given_server(database_url: str) -> None:
    done = _migrate(database_url)
    assert done.returncode == 0, done.stderr
    assert "latest migration" in done.stdout


def test_unreachable_server_is_a_clear_error() -> None:
    done = _migrate("postgresql://nobody@/nodb?host=/nonexistent-socket-dir")
    assert done.returncode == 1
    assert done.stderr.startswith("graphmem: cannot prepare the database")
    assert "Traceback" not in done.stderr


def test_wrong_scheme_is_a_clear_error() -> None:
    done = _migrate("mysql://u@h/db")
    assert done.returncode == 1 and "postgresql://" in done.stderr and "Traceback" not in done.stderr


@contextmanager
def _owned_database(database_url: str, *, admin_on_app_role: bool) -> Iterator[str]:
    """A database owned by a new LOGIN role that is no superuser (as on a managed server), with
    pgvector installed by an administrator; yields that role's URL. With ``admin_on_app_role``
    the role may grant graphmem_app (as when it created it); otherwise it may not."""
    name = f"gm_{uuid.uuid4().hex[:8]}"
    head, _, query = database_url.partition("?")
    server = head.rsplit("/", 1)[0]
    assert server.startswith("postgresql://postgres:@"), server
    as_admin = f"{server}/{name}?{query}"
    as_owner = as_admin.replace("postgresql://postgres:@", f"postgresql://{name}:@", 1)

    async def admin(url: str, *statements: str) -> None:
        engine = create_async_engine(sqlalchemy_url(url), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        try:
            async with engine.connect() as conn:
                for statement in statements:
                    await conn.execute(sa.text(statement))
        finally:
            await engine.dispose()

    grant = [f"GRANT {APP_ROLE} TO {name} WITH ADMIN OPTION, SET FALSE"] if admin_on_app_role else []
    asyncio.run(admin(database_url, f"CREATE ROLE {name} LOGIN CREATEROLE", f"CREATE DATABASE {name} OWNER {name}", *grant))
    try:
        asyncio.run(admin(as_admin, "CREATE EXTENSION vector"))
        yield as_owner
    finally:
        asyncio.run(admin(database_url, f"DROP DATABASE {name} WITH (FORCE)", f"DROP OWNED BY {name}", f"DROP ROLE {name}"))


def test_a_non_superuser_owner_serves_as_the_app_role(database_url: str, tmp_path: Path) -> None:
    """Migrations grant the owner membership in graphmem_app; requests then run as that role."""

    async def roles(url: str) -> tuple[str, str, int, int]:
        db = await open_database(Settings(database_url=url, data_dir=tmp_path))
        try:
            async with db.app_engine.begin() as conn:  # a row of one user, written under row security
                await scope_to_user(conn, "u1")
                await conn.execute(sa.text("INSERT INTO users (user_id) VALUES ('u1')"))
            async with db.engine.connect() as conn:  # the owner reads across users (lists, job claims)
                seen = await conn.scalar(sa.text("SELECT count(*) FROM users"))
            async with db.app_engine.connect() as conn:  # the app role, unscoped, sees nothing
                unscoped = await conn.scalar(sa.text("SELECT count(*) FROM users"))
            return await current_role(db.engine), await current_role(db.app_engine), seen, unscoped
        finally:
            await db.close()

    with _owned_database(database_url, admin_on_app_role=True) as url:
        owner, app, seen, unscoped = asyncio.run(roles(url))
    assert owner.startswith("gm_") and app == APP_ROLE
    assert (seen, unscoped) == (1, 0)


def test_an_owner_that_cannot_become_the_app_role_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    with _owned_database(database_url, admin_on_app_role=False) as url:
        with pytest.raises(ConfigurationError, match=f"GRANT {APP_ROLE} TO"):
            asyncio.run(open_database(Settings(database_url=url, data_dir=tmp_path)))
