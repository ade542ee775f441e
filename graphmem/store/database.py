"""Opening the database: embedded or external, pgvector checked, migrated to head."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.settings import Settings
from graphmem.store.embedded import EmbeddedPostgres
from graphmem.store.engine import create_engine, ensure_database, ensure_pgvector
from graphmem.store.migrate import upgrade_head

__all__ = ["Database", "open_database"]

EMBEDDED_DATABASE = "graphmem"


@dataclass(slots=True)
class Database:
    engine: AsyncEngine
    mode: Literal["embedded", "external"]
    embedded: EmbeddedPostgres | None = None

    async def close(self) -> None:
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
    engine = create_engine(
        url,
        pool_size=settings.pool_size,
        pool_timeout_s=settings.pool_timeout_s,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    db = Database(engine, "embedded" if embedded else "external", embedded)
    try:
        await ensure_pgvector(engine)
        await upgrade_head(engine)
    except BaseException:
        await db.close()
        raise
    return db
