"""Workers: loops that claim ingest jobs and run them until told to stop.

``graphmem serve`` runs them inside the server; ``graphmem worker`` runs them alone. Any
number of either may share one database: claims skip rows another worker has locked.
"""

from __future__ import annotations

import logging
import math
import time

import anyio

from graphmem.services.jobs import JobRunner

__all__ = ["Worker"]

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self, runner: JobRunner, *, poll_s: float = 0.5, claim_limit: int = 1, stop_when_idle: bool = False
    ) -> None:
        self._runner = runner
        self._stop_when_idle = stop_when_idle  # drain the queue and return (``graphmem worker --once``)
        self._poll_s = poll_s  # how often an idle worker looks for jobs other processes queued
        self._claim_limit = claim_limit
        self._stopping = False
        self.processed = 0

    def stop(self) -> None:
        """Finish the jobs in hand, then return from ``run``."""
        self._stopping = True
        self._runner.notify()

    async def run(self) -> None:
        scheduled = -math.inf
        while not self._stopping:
            try:
                if time.monotonic() - scheduled >= self._runner.policy.maintenance_interval_s:
                    scheduled = time.monotonic()
                    await self._runner.schedule_maintenance()
                claims = await self._runner.claim(self._claim_limit)
            except Exception as exc:  # the database is away: wait and try again, never exit
                log.warning("claiming ingest jobs failed: %s", type(exc).__name__)
                await anyio.sleep(self._poll_s * 4)
                continue
            if not claims:
                if self._stop_when_idle:
                    return
                await self._idle()
                continue
            for claim in claims:
                # Claims in hand are finished even when stopping; only the running one has a
                # heartbeat, hence the default of one claim at a time.
                try:
                    await self._runner.run(claim)
                    self.processed += 1
                except Exception as exc:  # recording the failure failed too: the lease will lapse
                    log.warning("ingest job %s could not be settled: %s", claim.id, type(exc).__name__)

    async def _idle(self) -> None:
        with anyio.move_on_after(self._poll_s):
            await self._runner.wakeup.wait()
        if self._runner.wakeup.is_set():
            self._runner.wakeup = anyio.Event()
