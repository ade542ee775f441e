"""The async engine, and the checks and set-up a database needs before we serve."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from graphmem.errors import ConfigurationError

__all__ = [
    "APP_ROLE",
    "sqlalchemy_url",
    "create_engine",
    "ensure_database",
    "ensure_pgvector",
    "ensure_role",
    "current_role",
    "server_version",
    "ping",
]

APP_ROLE = "graphmem_app"  # created by migration 0003; row-level security binds it


def sqlalchemy_url(url: str) -> str:
    """Accept plain libpq URLs (``postgresql://``) and select the psycopg 3 driver."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in {"postgres", "postgresql", "postgresql+psycopg"}:
        raise ConfigurationError(f"GRAPHMEM_DATABASE_URL must be a postgresql:// URL, got scheme {scheme!r}")
    return f"postgresql+psycopg://{rest}"


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    pool_timeout_s: float = 10.0,
    statement_timeout_ms: int = 30_000,
    role: str | None = None,
) -> AsyncEngine:
    """``role``: run every session as that role (``SET ROLE`` at connect), e.g. ``graphmem_app``,
    which row-level security restricts to the user each transaction is scoped to."""
    # strict_order lets a user-filtered HNSW scan go on until it has enough rows (pgvector >= 0.8)
    # while keeping exact distance order, so channel ranks in "why" are true ranks.
    options = f"-c statement_timeout={statement_timeout_ms} -c hnsw.iterative_scan=strict_order"
    if role:
        options += f" -c role={role}"
    return create_async_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=pool_timeout_s,
        pool_pre_ping=True,
        connect_args={"options": options},
    )


async def ensure_database(admin_url: str, name: str) -> None:
    """Create database ``name`` through ``admin_url`` unless it exists (embedded mode)."""
    engine = create_async_engine(sqlalchemy_url(admin_url), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def ensure_pgvector(engine: AsyncEngine) -> None:
    """Create the ``vector`` extension, or explain clearly that the server lacks pgvector."""
    try:
        async with engine.begin() as conn:
            available = await conn.scalar(
                sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
            )
            if not available:
                host = urlsplit(engine.url.render_as_string(hide_password=True)).netloc
                raise ConfigurationError(
                    f"the PostgreSQL server at {host or 'the configured URL'} has no pgvector extension; "
                    "install pgvector (https://github.com/pgvector/pgvector) or unset GRAPHMEM_DATABASE_URL "
                    "to use the embedded PostgreSQL"
                )
            await conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    except DBAPIError as exc:
        raise ConfigurationError(f"cannot prepare the database: {exc.orig}") from exc


async def current_role(engine: AsyncEngine) -> str:
    """The role a session of ``engine`` runs its queries as."""
    async with engine.connect() as conn:
        return str(await conn.scalar(sa.text("SELECT current_user")))


async def ensure_role(engine: AsyncEngine, role: str) -> None:
    """Check that ``engine`` runs as ``role`` and that row-level security binds that role: it is
    no superuser and has no BYPASSRLS. The database user must be allowed to ``SET ROLE`` to it."""
    query = sa.text("SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(query)).one()
    except DBAPIError as exc:
        raise ConfigurationError(
            f"cannot run queries as role {role!r}: {str(exc.orig).strip()}; the database user needs "
            f"membership in it (GRANT {role} TO <user>), see docs/privacy.md"
        ) from exc
    if row.name != role or row.rolsuper or row.rolbypassrls:
        raise ConfigurationError(
            f"queries run as {row.name!r}, which row-level security does not restrict; "
            f"{role!r} must be NOSUPERUSER NOBYPASSRLS"
        )


async def server_version(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        return str(await conn.scalar(sa.text("SHOW server_version")))


async def ping(engine: AsyncEngine) -> bool:
    """True when the database answers a trivial query."""
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception:  # any failure means "not reachable"
        return False
    return True
