"""Prometheus metrics for one app: HTTP latency per route, model timings, the ingest queue.

Every ``Metrics`` owns a registry of its own (never prometheus_client's global default), so
two apps in one process, as in the tests, never share or collide on a series. Label values
are bounded by construction: route *templates*, methods, status codes, pool names, job
states. Nothing a client sends (a user id, a query) ever becomes a label value.
"""

from __future__ import annotations

import logging
from typing import Mapping, Protocol

import msgspec
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

from graphmem.observe.pools import PoolCollector

__all__ = ["Metrics", "QueueStats", "JobEvents", "QUEUE_STATES"]

log = logging.getLogger(__name__)

# Ingest of a large batch can take many seconds; a search should take milliseconds.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
MODEL_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
QUEUE_STATES = ("queued", "running", "done", "failed")  # always exported, so a 0 is visible


class QueueStats(Protocol):
    """What the metrics need from the ingest job queue: how many jobs are in each state, as a
    mapping or a struct of int fields (``QueueService.counts`` returns ``QueueCounts``)."""

    async def counts(self) -> Mapping[str, int] | msgspec.Struct: ...


class JobEvents(Protocol):
    """What the job queue tells the metrics as it runs jobs."""

    def job_failed(self, user_id: str | None = None) -> None: ...


class Metrics:
    """The app's metric objects and its registry; ``scrape()`` renders the exposition text."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Histogram(
            "graphmem_http_request_duration_seconds",
            "HTTP request latency by method, route template and status code",
            ["method", "route", "status"],
            buckets=HTTP_BUCKETS,
            registry=r,
        )
        self.embedding = Histogram(
            "graphmem_embedding_duration_seconds", "Time of one embedding call (a batch)", buckets=MODEL_BUCKETS, registry=r
        )
        self.embedded_texts = Counter("graphmem_embedding_texts", "Texts embedded", registry=r)
        self.extraction = Histogram(
            "graphmem_extraction_duration_seconds", "Time of one extraction call (a batch)", buckets=MODEL_BUCKETS, registry=r
        )
        self.extracted_utterances = Counter("graphmem_extraction_utterances", "Utterances extracted", registry=r)
        self.jobs_failed = Counter("graphmem_jobs_failed", "Ingest jobs that failed in this process", registry=r)
        self.queue_jobs = Gauge("graphmem_ingest_queue_jobs", "Ingest jobs by state, read at scrape time", ["state"], registry=r)
        self.info = Info("graphmem", "Server and model versions", registry=r)
        self.pools = PoolCollector()
        r.register(self.pools)
        self._queue: QueueStats | None = None

    def watch_queue(self, queue: QueueStats | None) -> None:
        """Read job counts from ``queue`` at every scrape (None: export no queue gauges)."""
        self._queue = queue
        self.queue_jobs.clear()

    def job_failed(self, user_id: str | None = None) -> None:
        """The hook the job queue calls when a job fails for good. ``user_id`` is accepted to fit
        ``JobRunner(on_failure=...)`` and deliberately dropped: it must never become a label."""
        self.jobs_failed.inc()

    def set_info(self, **values: str) -> None:
        """Versions and model names, exported as labels of ``graphmem_info``."""
        self.info.info(values)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).observe(seconds)

    async def scrape(self) -> bytes:
        """Refresh what must be read asynchronously, then render every metric."""
        await self._refresh_queue()
        return generate_latest(self.registry)

    async def _refresh_queue(self) -> None:
        if self._queue is None:
            return
        try:
            raw = await self._queue.counts()
            counts = msgspec.structs.asdict(raw) if isinstance(raw, msgspec.Struct) else dict(raw)
        except Exception as exc:  # a scrape must still answer while the database is away
            log.warning("ingest queue counts unavailable: %s", type(exc).__name__)
            self.queue_jobs.clear()  # no gauge rather than a stale one
            return
        for state in {*QUEUE_STATES, *counts}:
            self.queue_jobs.labels(state).set(counts.get(state, 0))
