"""Observability parts on literal inputs: registries per app, timing seams, queue and pool
gauges, request ids, log rendering and its settings."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime, timezone
from typing import Mapping, Sequence

import msgspec
import numpy as np
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import create_async_engine

from graphmem.app import create_app
from graphmem.embed import Embedder, FakeEmbedder
from graphmem.errors import ConfigurationError
from graphmem.extract.fake import FakeExtractor
from graphmem.extract.types import Extractor, Utterance
from graphmem.observe import Metrics, TimedEmbedder, TimedExtractor, request_id
from graphmem.settings import Settings

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def samples(metrics: Metrics) -> Samples:
    return parse(asyncio.run(metrics.scrape()).decode())


def test_each_app_has_its_own_registry_and_the_global_one_stays_clean() -> None:
    a, b = Metrics(), Metrics()
    a.job_failed()
    assert samples(a)[("graphmem_jobs_failed_total", ())] == 1
    assert samples(b)[("graphmem_jobs_failed_total", ())] == 0
    assert not [name for name in REGISTRY._names_to_collectors if name.startswith("graphmem")]


def test_timed_seams_are_seams_and_observe_every_call() -> None:
    metrics = Metrics()
    embedder: Embedder = TimedEmbedder(FakeEmbedder(), metrics)
    extractor: Extractor = TimedExtractor(FakeExtractor(), metrics)
    assert embedder.embed(["I like tea", "hi"]).shape == (2, 384) and embedder.dimension == 384
    said = Utterance("I like tea", "user", datetime(2024, 1, 1, tzinfo=timezone.utc), "ana", "Ana")
    assert extractor.extract([said, said])[0].relations
    seen = samples(metrics)
    assert seen[("graphmem_embedding_duration_seconds_count", ())] == 1
    assert seen[("graphmem_embedding_texts_total", ())] == 2
    assert seen[("graphmem_extraction_duration_seconds_count", ())] == 1
    assert seen[("graphmem_extraction_utterances_total", ())] == 2


class BrokenEmbedder:
    model_name, dimension = "broken", 384

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("model crashed")


def test_a_failed_call_is_still_timed() -> None:
    metrics = Metrics()
    with pytest.raises(RuntimeError):
        TimedEmbedder(BrokenEmbedder(), metrics).embed(["x"])
    assert samples(metrics)[("graphmem_embedding_duration_seconds_count", ())] == 1


class Counts(msgspec.Struct):
    queued: int
    running: int
    done: int
    failed: int


class Queue:
    def __init__(self, counts: Mapping[str, int] | msgspec.Struct | None) -> None:
        self.result = counts

    async def counts(self) -> Mapping[str, int] | msgspec.Struct:
        if self.result is None:
            raise ConnectionError("database away")
        return self.result


def queue_gauges(metrics: Metrics) -> dict[str, float]:
    return {dict(k[1])["state"]: v for k, v in samples(metrics).items() if k[0] == "graphmem_ingest_queue_jobs"}


def test_queue_gauges_are_read_at_scrape_time() -> None:
    metrics = Metrics()
    assert queue_gauges(metrics) == {}  # no queue watched
    queue = Queue({"queued": 3, "failed": 1})
    metrics.watch_queue(queue)
    assert queue_gauges(metrics) == {"queued": 3, "running": 0, "done": 0, "failed": 1}
    queue.result = Counts(queued=0, running=2, done=7, failed=1)  # QueueService returns a struct
    assert queue_gauges(metrics) == {"queued": 0, "running": 2, "done": 7, "failed": 1}
    queue.result = None
    assert queue_gauges(metrics) == {}  # no stale numbers while the source fails; the scrape still works


def test_job_failures_are_counted_without_the_user() -> None:
    metrics = Metrics()
    metrics.job_failed("user-secret-42")
    metrics.job_failed()
    text = asyncio.run(metrics.scrape()).decode()
    assert "graphmem_jobs_failed_total 2.0" in text and "user-secret-42" not in text


def test_pool_gauges_read_the_engines() -> None:
    async def go() -> Samples:
        engine = create_async_engine("postgresql+psycopg://nobody@/nowhere", pool_size=7, max_overflow=0)
        metrics = Metrics()
        metrics.pools.watch({"app": engine})
        try:
            text = (await metrics.scrape()).decode()
        finally:
            await engine.dispose()
        return parse(text)

    seen = asyncio.run(go())
    app = (("pool", "app"),)
    assert seen[("graphmem_db_pool_size", app)] == 7
    assert seen[("graphmem_db_pool_checked_out", app)] == 0
    assert seen[("graphmem_db_pool_overflow", app)] == 0  # QueuePool reports -7 before any connect


def scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http", "headers": list(headers)}


def test_request_ids_keep_sane_tokens_only() -> None:
    assert request_id(scope((b"x-request-id", b"abc-123.X:y_z"))) == "abc-123.X:y_z"
    for bad in (b"", b"a b", b"-a", b"x" * 129, "é".encode(), b"a\nb"):
        rid = request_id(scope((b"x-request-id", bad)))
        assert len(rid) == 32 and rid != bad.decode("latin-1")
    s = scope()
    assert request_id(s) == request_id(s)  # chosen once per request


def test_log_settings_are_read_and_checked() -> None:
    assert Settings.from_env({}).log_format == "json"
    assert Settings.from_env({"GRAPHMEM_LOG_FORMAT": "console"}).log_format == "console"
    with pytest.raises(ConfigurationError, match="GRAPHMEM_LOG_FORMAT"):
        create_app(Settings(database_url="postgresql://x/y", log_format="xml"))
    with pytest.raises(ConfigurationError, match="GRAPHMEM_LOG_LEVEL"):
        create_app(Settings(database_url="postgresql://x/y", log_level="loud"))


def test_process_logging_renders_stdlib_records_as_json_with_the_request_id() -> None:
    code = (
        "import logging, structlog; from graphmem.settings import Settings; "
        "from graphmem.observe import configure_process_logging; "
        "configure_process_logging(Settings(database_url='x')); "
        "logging.getLogger('uvicorn.error').debug('hidden'); "
        "ctx = structlog.contextvars.bound_contextvars(request_id='r-1'); ctx.__enter__(); "
        "logging.getLogger('graphmem.api.errors').warning('database unavailable: %s', 'OperationalError')"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    (line,) = [json.loads(x) for x in out.splitlines()]
    assert line["event"] == "database unavailable: OperationalError"
    assert (line["level"], line["logger"], line["request_id"]) == ("warning", "graphmem.api.errors", "r-1")
