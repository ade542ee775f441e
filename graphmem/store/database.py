"""Opening the database: embedded or external, pgvector checked, migrated to head.

Two engines share the one URL. ``engine`` runs as the connecting user, the owner of the
schema: migrations, the command-line tools and the few server-wide reads (the user list,
status counts). ``app_engine`` runs every session as ``graphmem_app``, which row-level
security restricts to the user its transaction is scoped to: the request path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.settings import Settings
from graphmem.store.embedded import EmbeddedPostgres
from graphmem.store.engine import APP_ROLE, create_engine, ensure_database, ensure_pgvector, ensure_role
from graphmem.store.migrate import upgrade_head

__all__ = ["Database", "open_database"]

EMBEDDED_DATABASE = "graphmem"
OWNER_POOL_SIZE = 4  # the owner: migrations, server-wide reads, and the workers claiming jobs


@dataclass(slots=True)
class Database:
    engine: AsyncEngine  # the owner
    app_engine: AsyncEngine  # graphmem_app, bound by row-level security
    mode: Literal["embedded", "external"]
    embedded: EmbeddedPostgres | None = None

    async def close(self) -> None:
        await self.app_engine.dispose()
        await self.engine.dispose()
        if self.embedded is not None:
            await anyio.to_thread.run_sync(self.embedded.stop)


async def open_database(settings: Settings) -> Database:
    """Return a migrated database; raises ConfigurationError when it cannot be used."""
    embedded = None
    if settings.database_url:
        url = settings.database_url
    else:
        embedded = EmbeddedPostgres(settings.pgdata)
        url = await anyio.to_thread.run_sync(embedded.start, EMBEDDED_DATABASE)
        try:
            await ensure_database(url.replace(f"/{EMBEDDED_DATABASE}?", "/postgres?", 1), EMBEDDED_DATABASE)
        except BaseException:
            await anyio.to_thread.run_sync(embedded.stop)
            raise
    limits = {"pool_timeout_s": settings.pool_timeout_s, "statement_timeout_ms": settings.statement_timeout_ms}
    engine = create_engine(url, pool_size=OWNER_POOL_SIZE, **limits)
    app_engine = create_engine(url, pool_size=settings.pool_size, role=APP_ROLE, **limits)
    db = Database(engine, app_engine, "embedded" if embedded else "external", embedded)
    try:
        await ensure_pgvector(engine)
        await upgrade_head(engine)
        await ensure_role(app_engine, APP_ROLE)
    except BaseException:
        await db.close()
        raise
    return db
