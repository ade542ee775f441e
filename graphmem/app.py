"""``create_app(settings)``: the one place where graphmem is wired together."""

from __future__ import annotations

import functools
from contextlib import asynccontextmanager
from typing import AsyncIterator

import anyio.to_thread
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig

from graphmem import __version__
from graphmem.api.auth import rate_limit_identity, require_key
from graphmem.api.entities import EntityController
from graphmem.api.errors import exception_handlers
from graphmem.api.privacy import PrivacyController
from graphmem.api.relations import RelationController
from graphmem.api.routes import MessageController, MessageItemController, SearchController, health, ready
from graphmem.api.users import ContextController, UserController, status
from graphmem.embed.base import Embedder
from graphmem.errors import ConfigurationError
from graphmem.extract.types import Extractor
from graphmem.services import (
    ContextService,
    ConversationService,
    EntityService,
    ErasureService,
    ExploreService,
    HealthService,
    IngestService,
    KeyService,
    PortabilityService,
    RelationService,
    SearchService,
    Services,
    UserService,
)
from graphmem.services.erasure import load_subjects
from graphmem.services.graph_stage import GraphStage
from graphmem.services.keys import is_loopback
from graphmem.services.pipeline import MemoryStage
from graphmem.settings import Settings
from graphmem.store.database import open_database
from graphmem.store.tables import EMBEDDING_DIM

__all__ = ["create_app"]


def _services(state: State) -> Services:
    return state.services  # type: ignore[no-any-return]


async def _load_embedder(settings: Settings) -> Embedder:
    from graphmem.embed.sentence import SentenceTransformerEmbedder

    load = functools.partial(
        SentenceTransformerEmbedder,
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        threads=settings.torch_threads,
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


def _rate_limit(settings: Settings) -> list[object]:
    if settings.rate_limit_per_minute <= 0:
        return []
    config = RateLimitConfig(
        rate_limit=("minute", settings.rate_limit_per_minute),
        identifier_for_request=rate_limit_identity,
        exclude=["/health", "/ready", "/schema"],
    )
    return [config.middleware]


def create_app(
    settings: Settings | None = None, *, embedder: Embedder | None = None, extractor: Extractor | None = None
) -> Litestar:
    """Build the app. Nothing starts until the app's lifespan runs: then the database opens
    (embedded unless a URL is set), migrations run and the models load, before any request."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db = await open_database(settings)
        try:
            model = embedder or await _load_embedder(settings)
            parser = extractor or await _load_extractor(settings)
            if model.dimension != EMBEDDING_DIM:
                raise ConfigurationError(
                    f"embedding model {model.model_name!r} has {model.dimension} dimensions; "
                    f"the schema stores {EMBEDDING_DIM}"
                )
            # Requests run as graphmem_app, which row-level security confines to the user each
            # transaction is scoped to; only reads that span users use the owner.
            engine, admin_engine = db.app_engine, db.engine
            keys = KeyService(engine, open_when_keyless=is_loopback(settings.host) or settings.allow_open)
            await keys.check_startup(settings.host, settings.allow_open)
            subjects = await load_subjects(engine, settings.erasure_salt)
            search = SearchService(engine, model)
            app.state.services = Services(
                ingest=IngestService(engine, [MemoryStage(model), GraphStage(parser)], subjects=subjects),
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
                    spacy_model=getattr(parser, "model_name", settings.spacy_model),
                ),
                erasure=ErasureService(engine, subjects),
                portability=PortabilityService(engine),
                keys=keys,
            )
            app.state.database_mode = db.mode
            app.state.request_engine = engine
            yield
        finally:
            await db.close()

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
            status,
            health,
            ready,
        ],
        lifespan=[lifespan],
        dependencies={"services": Provide(_services, sync_to_thread=False)},
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        guards=[require_key],
        middleware=_rate_limit(settings),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(title="graphmem", version=__version__),
    )
