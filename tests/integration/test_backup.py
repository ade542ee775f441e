"""``graphmem backup`` / ``graphmem restore``: the shared test database, dumped with the real pg_dump,
restored into a fresh embedded data directory, holds every row of every table, and serves."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

import pytest
from litestar.testing import TestClient

from graphmem.app import create_app
from graphmem.cli.main import main
from graphmem.embed.base import Embedder
from graphmem.settings import Settings
from graphmem.store.backup import table_fingerprints
from graphmem.store.embedded import EmbeddedPostgres
from graphmem.store.engine import create_engine

Fingerprints = dict[str, tuple[int, str]]


async def _fingerprints(url: str) -> Fingerprints:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await table_fingerprints(conn)
    finally:
        await engine.dispose()


def _embedded_fingerprints(data_dir: Path) -> Fingerprints:
    server = EmbeddedPostgres(data_dir / "pgdata")
    url = server.start("graphmem")
    try:
        return asyncio.run(_fingerprints(url))
    finally:
        server.stop()


@pytest.fixture
def source(client: TestClient, ingest: Callable[..., dict[str, Any]], user_id: str) -> str:
    """The shared database with this test's user in it: messages, memories, entities, relations."""
    ingest(user_id, "support-1",
           {"role": "user", "text": "My order arrived broken, I live in Austin.", "client_id": "m1"},
           {"role": "assistant", "text": "Sorry to hear that. Is the parcel from Acme?", "client_id": "m2"},
           {"role": "user", "text": "Yes, Maria from Acme sent it to my sister in Denver.", "client_id": "m3"})  # fmt: skip
    return user_id


def test_round_trip_into_a_fresh_data_directory(
    source: str, database_url: str, embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dump = tmp_path / "graphmem.dump"
    monkeypatch.setenv("GRAPHMEM_DATABASE_URL", database_url)
    assert main(["backup", str(dump)]) == 0
    before = asyncio.run(_fingerprints(database_url))
    assert dump.stat().st_size > 0 and not dump.with_name(dump.name + ".partial").exists()

    fresh = tmp_path / "fresh"
    monkeypatch.delenv("GRAPHMEM_DATABASE_URL")
    monkeypatch.setenv("GRAPHMEM_DATA_DIR", str(fresh))
    assert main(["restore", str(dump)]) == 0, capsys.readouterr().err
    after = _embedded_fingerprints(fresh)

    assert before["memories"][0] > 0 and before["entities"][0] > 0 and before["relations"][0] > 0
    assert set(after) == set(before)
    assert {t: v for t, v in after.items() if v != before[t]} == {}

    # The restored database serves: the vector type, row-level security for graphmem_app and
    # the identity sequences all came back (a new message must not collide with a restored id).
    settings = Settings(data_dir=fresh, rate_limit_per_minute=0)
    with TestClient(create_app(settings, embedder=embedder)) as restored:
        hits = restored.post(f"/v1/users/{source}/memories/search", json={"query": "where do I live?", "limit": 5})
        assert hits.status_code == 200, hits.text
        assert any("Austin" in h["text"] for h in hits.json()["hits"])
        added = restored.post(f"/v1/users/{source}/conversations/support-1/messages?wait=true",
                              json={"messages": [{"role": "user", "text": "It was a lamp.", "client_id": "m4"}]})
        assert added.status_code in (200, 201), added.text
        other = restored.post("/v1/users/someone-else/memories/search", json={"query": "Austin", "limit": 5})
        assert other.status_code == 200 and other.json()["hits"] == []


def test_restore_refuses_a_database_that_holds_data(
    database_url: str, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dump = tmp_path / "graphmem.dump"
    monkeypatch.setenv("GRAPHMEM_DATABASE_URL", database_url)
    assert main(["backup", str(dump)]) == 0
    before = asyncio.run(_fingerprints(database_url))
    assert main(["restore", str(dump)]) == 1
    assert "holds data" in capsys.readouterr().err
    assert asyncio.run(_fingerprints(database_url)) == before


def test_restore_rejects_a_file_that_is_no_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.dump"
    junk.write_text("not a dump")
    monkeypatch.delenv("GRAPHMEM_DATABASE_URL", raising=False)
    monkeypatch.setenv("GRAPHMEM_DATA_DIR", str(tmp_path / "fresh"))
    assert main(["restore", str(junk)]) == 1
    assert "pg_restore failed" in capsys.readouterr().err
