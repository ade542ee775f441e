"""API keys, scopes, the open-mode rule and rate limiting, each on its own database, so keys
never reach the shared database the session client runs open on."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from litestar.testing import TestClient

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.errors import ConfigurationError
from graphmem.settings import Settings
from graphmem.store.engine import ensure_database


@pytest.fixture
def own_db(database_url: str) -> str:
    """A fresh, empty database on the session's embedded server."""
    name = f"keys_{uuid.uuid4().hex[:10]}"
    asyncio.run(ensure_database(database_url.replace("/graphmem_test?", "/postgres?", 1), name))
    return database_url.replace("/graphmem_test?", f"/{name}?", 1)


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRAPHMEM_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "graphmem.cli.main", "keys", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def _app(url: str, tmp_path: Path, embedder: SentenceTransformerEmbedder, **overrides: Any) -> TestClient:
    settings = Settings(database_url=url, data_dir=tmp_path, **{"rate_limit_per_minute": 0, **overrides})
    return TestClient(create_app(settings, embedder=embedder))


@pytest.fixture
def keyed(own_db: str) -> Iterator[dict[str, str]]:
    """One key per scope, created with the CLI."""
    made = {}
    for scope in ("read", "write", "admin"):
        done = _cli(own_db, "create", "--name", f"{scope} key", "--scope", scope)
        assert done.returncode == 0, done.stderr
        made[scope] = done.stdout.strip()
    yield made


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_scopes_401_and_403(own_db: str, keyed: dict[str, str], tmp_path: Path,
                            embedder: SentenceTransformerEmbedder, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ingest = {"messages": [{"role": "user", "text": "I keep bees on the roof."}]}
    with _app(own_db, tmp_path, embedder) as client:
        assert client.get("/health").status_code == 200 and client.get("/ready").status_code == 200
        assert client.get("/schema/openapi.json").status_code == 200
        missing = client.get("/v1/users/u/entities")
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/v1/users/u/entities", headers=_h("gm_wrong")).status_code == 401

        read, write, admin = keyed["read"], keyed["write"], keyed["admin"]
        assert client.post("/v1/users/u/conversations/c/messages?wait=true", json=ingest, headers=_h(read)).status_code == 403
        assert client.post("/v1/users/u/conversations/c/messages?wait=true", json=ingest, headers=_h(write)).status_code == 201
        assert client.post("/v1/users/u/memories/search", json={"query": "bees"}, headers=_h(read)).status_code == 200
        assert client.get("/v1/users/u/entities", headers={"X-API-Key": read}).status_code == 200
        for key, status in ((read, 403), (write, 403), (admin, 200)):
            assert client.get("/v1/users/u/export", headers=_h(key)).status_code == status
            assert client.get("/v1/users", headers=_h(key)).status_code == status
        forbidden = client.delete("/v1/users/u", headers=_h(write))
        assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
        assert client.delete("/v1/users/u", headers=_h(admin)).status_code == 200

        listed = _cli(own_db, "list")
        assert listed.returncode == 0 and "read key" in listed.stdout
        assert all(k not in listed.stdout for k in keyed.values())
        key_id = next(line.split("\t")[0] for line in listed.stdout.splitlines() if "\tread key\t" in line)
        assert _cli(own_db, "revoke", key_id).returncode == 0
        assert client.get("/v1/users/u/entities", headers=_h(read)).status_code == 401
        assert _cli(own_db, "revoke", key_id).returncode == 1  # already revoked
    assert all(k not in caplog.text for k in keyed.values())
    stored = asyncio.run(_column(own_db, "SELECT string_agg(key_hash || prefix, ' ') FROM api_keys"))
    assert all(k not in stored for k in keyed.values())


async def _column(url: str, query: str) -> str:
    import sqlalchemy as sa

    from graphmem.store.engine import create_engine

    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return str(await conn.scalar(sa.text(query)))
    finally:
        await engine.dispose()


def test_loopback_runs_open_until_a_key_exists(own_db: str, tmp_path: Path, embedder: SentenceTransformerEmbedder) -> None:
    with _app(own_db, tmp_path, embedder) as client:
        assert client.get("/v1/users/u/entities").status_code == 200
        assert _cli(own_db, "create", "--name", "first", "--scope", "read").returncode == 0
        assert client.get("/v1/users/u/entities").status_code == 401


def test_public_address_needs_a_key_or_allow_open(own_db: str, tmp_path: Path, embedder: SentenceTransformerEmbedder) -> None:
    with pytest.raises(BaseException) as refused:  # the test client wraps it in an exception group
        with _app(own_db, tmp_path, embedder, host="0.0.0.0"):
            pass
    assert any(isinstance(e, ConfigurationError) and "GRAPHMEM_ALLOW_OPEN" in e.message for e in _leaves(refused.value))
    with _app(own_db, tmp_path, embedder, host="0.0.0.0", allow_open=True) as client:
        assert client.get("/v1/users/u/entities").status_code == 200
    assert _cli(own_db, "create", "--name", "ops", "--scope", "admin").returncode == 0
    with _app(own_db, tmp_path, embedder, host="0.0.0.0") as client:
        assert client.get("/v1/users/u/entities").status_code == 401


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for e in exc.exceptions for leaf in _leaves(e)]
    return [exc]


def test_rate_limit_per_key(own_db: str, keyed: dict[str, str], tmp_path: Path, embedder: SentenceTransformerEmbedder) -> None:
    with _app(own_db, tmp_path, embedder, rate_limit_per_minute=3) as client:
        for _ in range(3):
            assert client.get("/v1/users/u/entities", headers=_h(keyed["read"])).status_code == 200
        limited = client.get("/v1/users/u/entities", headers=_h(keyed["read"]))
        assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
        assert limited.headers["ratelimit-limit"] == "3" and limited.headers["ratelimit-remaining"] == "0"
        assert int(limited.headers["retry-after"]) >= 0 and "ratelimit-reset" in limited.headers
        # Another key has its own budget; health checks are not counted.
        assert client.get("/v1/users/u/entities", headers=_h(keyed["admin"])).status_code == 200
        assert all(client.get("/health").status_code == 200 for _ in range(5))
