"""``create_app(settings)``: the one place where graphmem is wired together."""

from __future__ import annotations

import functools
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator, TextIO

import anyio
import anyio.to_thread
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem import __version__
from graphmem.api.auth import rate_limit_identity, require_key
from graphmem.api.entities import EntityController
from graphmem.api.errors import exception_handlers
from graphmem.api.privacy import PrivacyController
from graphmem.api.relations import RelationController
from graphmem.api.jobs import JobAdminController, JobController
from graphmem.api.memories import MemoryItemController
from graphmem.api.metrics import metrics as metrics_route
from graphmem.api.routes import MessageController, MessageItemController, SearchController, health, ready
from graphmem.api.ui import ui_router
from graphmem.api.users import ContextController, UserController, status
from graphmem.embed.base import Embedder
from graphmem.errors import ConfigurationError
from graphmem.extract.types import Extractor
from graphmem.interpreter import serving_interpreter
from graphmem.retrieve.cache import StampedCache
from graphmem.observe import Metrics, RequestObserver, TimedEmbedder, TimedExtractor, echo_request_id, request_logger
from graphmem.services import (
    ContextService,
    ConversationService,
    EntityService,
    ErasureService,
    ExploreService,
    HealthService,
    IngestService,
    KeyService,
    MemoryService,
    PortabilityService,
    QueueService,
    RelationService,
    SearchService,
    Services,
    UserService,
)
from graphmem.services.erasure import load_subjects
from graphmem.services.graph_stage import GraphStage
from graphmem.services.jobs import JobRunner, QueuePolicy
from graphmem.services.keys import is_loopback
from graphmem.services.pipeline import MemoryStage
from graphmem.services.worker import Worker
from graphmem.settings import Settings
from graphmem.store.database import open_database
from graphmem.store.tables import EMBEDDING_DIM

__all__ = ["create_app", "open_runtime", "Runtime"]

QUIET_ROUTES = frozenset({"/health", "/ready", "/metrics"})  # probes and scrapes: request lines at DEBUG


def _services(state: State) -> Services:
    return state.services  # type: ignore[no-any-return]


async def _load_embedder(settings: Settings) -> Embedder:
    from graphmem.embed.sentence import SentenceTransformerEmbedder

    load = functools.partial(
        SentenceTransformerEmbedder,
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        threads=settings.torch_threads,
        query_precision=settings.query_precision,
    )
    return await anyio.to_thread.run_sync(load)


async def _load_extractor(settings: Settings) -> Extractor:
    from graphmem.extract.pipeline import SpacyExtractor

    extractor = SpacyExtractor(settings.spacy_model)
    try:
        await anyio.to_thread.run_sync(lambda: extractor.nlp)
    except OSError as exc:  # spaCy's E050: the model package is not installed
        raise ConfigurationError(
            f"cannot load spaCy model {settings.spacy_model!r}; install it with `pip install -r spacy_models.txt`"
        ) from exc
    return extractor


def _spacy_identity(parser: Extractor, settings: Settings) -> tuple[str, str | None]:
    """The spaCy model's name and package version for /v1/status (a fake extractor has no version)."""
    meta = getattr(getattr(parser, "nlp", None), "meta", None) or {}
    return getattr(parser, "model_name", settings.spacy_model), meta.get("version")


def _rate_limit(settings: Settings) -> list[object]:
    if settings.rate_limit_per_minute <= 0:
        return []
    config = RateLimitConfig(
        rate_limit=("minute", settings.rate_limit_per_minute),
        identifier_for_request=rate_limit_identity,
        exclude=["/health", "/ready", "/schema", "/metrics"],
    )
    return [config.middleware]


@dataclass(frozen=True, slots=True)
class Runtime:
    services: Services
    runner: JobRunner
    database_mode: str
    request_engine: AsyncEngine  # graphmem_app, under row-level security


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    extractor: Extractor | None = None,
    metrics: Metrics | None = None,
) -> AsyncIterator[Runtime]:
    """Open the database (embedded unless a URL is set), migrate it, load the models and build
    the services: what the server and ``graphmem worker`` both run on."""
    metrics = metrics or Metrics()  # the worker serves no /metrics; a private registry costs nothing
    db = await open_database(settings)
    try:
        model = embedder or await _load_embedder(settings)
        parser = extractor or await _load_extractor(settings)
        if model.dimension != EMBEDDING_DIM:
            raise ConfigurationError(
                f"embedding model {model.model_name!r} has {model.dimension} dimensions; "
                f"the schema stores {EMBEDDING_DIM}"
            )
        spacy_model, spacy_version = _spacy_identity(parser, settings)
        metrics.set_info(
            graphmem=__version__,
            embedding_model=model.model_name,
            embedding_dimension=str(model.dimension),
            spacy_model=spacy_model,
            spacy_version=spacy_version or "",
        )
        model, parser = TimedEmbedder(model, metrics), TimedExtractor(parser, metrics)
        # Requests run as graphmem_app, which row-level security confines to the user each
        # transaction is scoped to; only reads that span users (and job claims) use the owner.
        engine, admin_engine = db.app_engine, db.engine
        metrics.pools.watch({"app": engine, "owner": admin_engine})
        keys = KeyService(engine, open_when_keyless=is_loopback(settings.host) or settings.allow_open)
        await keys.check_startup(settings.host, settings.allow_open)
        subjects = await load_subjects(engine, settings.erasure_salt)
        search = SearchService(
            engine, model,
            lexicon=StampedCache(max_size=settings.lexicon_documents),
            graphs=StampedCache(max_size=settings.graph_cache_rows),
            facts=StampedCache(max_size=settings.lexicon_documents),
        )
        policy = QueuePolicy(
            settings.job_lease_s, settings.job_max_attempts, settings.job_backoff_s,
            maintenance_interval_s=settings.maintenance_interval_s, keep_done_jobs_s=settings.keep_done_jobs_s,
        )
        stages = [
            MemoryStage(model, passage_chars=settings.passage_chars, speaker_vectors=settings.speaker_vectors),
            GraphStage(parser),
        ]
        runner = JobRunner(engine, admin_engine, stages, policy, on_failure=metrics.job_failed)
        services = Services(
            ingest=IngestService(engine, runner, subjects=subjects, wait_s=settings.ingest_wait_s,
                                 short_term_ttl_s=settings.short_term_ttl_s),
            search=search,
            conversations=ConversationService(engine),
            health=HealthService(engine, models_loaded=True),
            entities=EntityService(engine),
            explore=ExploreService(engine),
            relations=RelationService(engine),
            context=ContextService(engine, search),
            users=UserService(
                engine,
                admin_engine=admin_engine,
                database_mode=db.mode,
                embedding_model=model.model_name,
                embedding_dimension=model.dimension,
                spacy_model=spacy_model,
                spacy_version=spacy_version,
            ),
            erasure=ErasureService(engine, subjects, forget=[search.forget]),
            portability=PortabilityService(engine),
            keys=keys,
            queue=QueueService(engine, admin_engine, runner),
            memories=MemoryService(engine),
        )
        metrics.watch_queue(services.queue)
        with serving_interpreter():
            yield Runtime(services, runner, db.mode, engine)
    finally:
        metrics.watch_queue(None)
        metrics.pools.watch({})
        await db.close()


def create_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    extractor: Extractor | None = None,
    log_stream: TextIO | None = None,
) -> Litestar:
    """Build the app. Nothing starts until the app's lifespan runs: then the database opens
    (embedded unless a URL is set), migrations run and the models load, before any request.
    ``log_stream``: where the request log lines go (default stdout)."""
    settings = settings or Settings.from_env()
    metrics = Metrics()  # a registry per app: two apps in one process never collide
    observer = DefineMiddleware(
        RequestObserver, metrics=metrics, log=request_logger(settings, log_stream), quiet=QUIET_ROUTES
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_runtime(settings, embedder=embedder, extractor=extractor, metrics=metrics) as runtime:
            app.state.services = runtime.services
            app.state.database_mode = runtime.database_mode
            app.state.request_engine = runtime.request_engine
            workers = [Worker(runtime.runner, poll_s=settings.job_poll_s) for _ in range(settings.workers)]
            async with anyio.create_task_group() as tg:
                for worker in workers:
                    tg.start_soon(worker.run)
                try:
                    yield
                finally:
                    # uvicorn has finished the requests in flight; workers finish the job in hand.
                    for worker in workers:
                        worker.stop()

    return Litestar(
        route_handlers=[
            MessageController,
            MessageItemController,
            SearchController,
            EntityController,
            RelationController,
            ContextController,
            UserController,
            PrivacyController,
            JobController,
            JobAdminController,
            MemoryItemController,
            status,
            health,
            ready,
            metrics_route,
            ui_router(),
        ],
        lifespan=[lifespan],
        dependencies={"services": Provide(_services, sync_to_thread=False)},
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        guards=[require_key],
        middleware=[observer, *_rate_limit(settings)],  # first: it times and logs the rest
        before_send=[echo_request_id],
        state=State({"metrics": metrics}),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(title="graphmem", version=__version__),
    )
