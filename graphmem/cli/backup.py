"""``graphmem backup PATH`` and ``graphmem restore PATH``: the configured database to a file and back.

Both work on the embedded database in ``GRAPHMEM_DATA_DIR`` (a running ``graphmem serve``
may keep running during a backup) or on ``GRAPHMEM_DATABASE_URL``. A restore needs a new
database: a fresh data directory or an empty external database. It runs the migrations there
first (the ``vector`` extension, the ``graphmem_app`` role and its membership), replaces that
empty schema with the dump's, then migrates again, in case the dump is from an older release.
Stop the server before a restore: its pooled connections would point at the replaced schema.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import anyio.to_thread

from graphmem.errors import GraphmemError
from graphmem.settings import Settings

__all__ = ["backup", "restore"]


async def _backup(settings: Settings, path: Path) -> tuple[int, int]:
    from graphmem.store.backup import dump, table_fingerprints
    from graphmem.store.database import EMBEDDED_DATABASE
    from graphmem.store.embedded import EmbeddedPostgres
    from graphmem.store.engine import create_engine

    embedded = None
    if settings.database_url:
        url = settings.database_url
    else:
        if not (settings.pgdata / "PG_VERSION").is_file():
            raise FileNotFoundError(f"no embedded database in {settings.data_dir} (GRAPHMEM_DATA_DIR)")
        embedded = EmbeddedPostgres(settings.pgdata)
        url = await anyio.to_thread.run_sync(embedded.start, EMBEDDED_DATABASE)
    try:
        await dump(url, path)
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.connect() as conn:
                counts = await table_fingerprints(conn)
        finally:
            await engine.dispose()
    finally:
        if embedded is not None:
            await anyio.to_thread.run_sync(embedded.stop)
    return len(counts), sum(n for n, _ in counts.values())


async def _restore(settings: Settings, path: Path) -> tuple[int, int]:
    from graphmem.errors import Conflict
    from graphmem.store import backup as store
    from graphmem.store.database import open_database
    from graphmem.store.engine import APP_ROLE, ensure_role
    from graphmem.store.migrate import upgrade_head

    if not path.expanduser().is_file():
        raise FileNotFoundError(f"no backup at {path}")
    db = await open_database(settings)  # creates, migrates, makes the role: the empty target
    try:
        async with db.engine.connect() as conn:
            busy = await store.rows_blocking_restore(conn)
        if busy:
            raise Conflict(f"the target database holds data (in {', '.join(busy)}); restore into a new one")
        url = db.engine.url.render_as_string(hide_password=False)
        # The restore drops and recreates the vector type; pooled connections know its old oid.
        await db.app_engine.dispose()
        await db.engine.dispose()
        await store.restore(url, path)
        await upgrade_head(db.engine)
        await ensure_role(db.app_engine, APP_ROLE)
        async with db.engine.connect() as conn:
            counts = await store.table_fingerprints(conn)
    finally:
        await db.close()
    return len(counts), sum(n for n, _ in counts.values())


def backup(path: str) -> int:
    return _main("backup", path)


def restore(path: str) -> int:
    return _main("restore", path)


def _main(command: str, raw_path: str) -> int:
    settings = Settings.from_env()
    path = Path(raw_path).expanduser()
    where = settings.database_url and "GRAPHMEM_DATABASE_URL" or f"the embedded database in {settings.data_dir}"
    started = time.monotonic()
    try:
        run = _backup if command == "backup" else _restore
        tables, rows = asyncio.run(run(settings, path))
    except (GraphmemError, OSError) as exc:
        print(f"graphmem {command}: {getattr(exc, 'message', None) or exc}", file=sys.stderr)
        return 1
    took = time.monotonic() - started
    if command == "backup":
        size = path.stat().st_size
        print(f"backed up {rows:,} rows in {tables} tables from {where} to {path} ({size:,} bytes, {took:.1f} s)")
    else:
        print(f"restored {rows:,} rows in {tables} tables from {path} into {where} ({took:.1f} s)")
    return 0
