"""The embedded database survives a restart, in-process and as a real ``graphmem serve``."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.settings import Settings
from processes import free_port, start_serve

MESSAGES = [
    {"role": "user", "text": f"Fact number {i}: I collect {kind}.", "client_id": f"f{i}"}
    for i, kind in enumerate(["stamps", "coins", "vinyl records", "postcards"])
]


def test_rows_survive_an_app_restart(data_dir: Path, embedder: SentenceTransformerEmbedder) -> None:
    settings = Settings(data_dir=data_dir)  # no URL: embedded PostgreSQL in data_dir
    with TestClient(create_app(settings, embedder=embedder)) as client:
        assert client.get("/ready").json() == {"ready": True, "database": True, "models": True}
        assert client.post("/v1/users/u/conversations/c/messages?wait=true", json={"messages": MESSAGES}).json()["created"] == 4
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "shutdown must stop PostgreSQL"

    with TestClient(create_app(settings, embedder=embedder)) as client:
        texts = [m["text"] for m in client.get("/v1/users/u/conversations/c/messages").json()["messages"]]
        assert texts == [m["text"] for m in MESSAGES]
        hits = client.post("/v1/users/u/memories/search", json={"query": "vinyl"}).json()["hits"]
        assert hits[0]["client_id"] == "f2"
        again = client.post("/v1/users/u/conversations/c/messages?wait=true", json={"messages": MESSAGES}).json()
        assert again["duplicates"] == 4


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_cleanly_on_signal_and_keeps_rows(data_dir: Path, sig: signal.Signals) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_serve(data_dir, port)
    try:
        response = httpx.post(f"{base}/v1/users/u/conversations/c/messages?wait=true", json={"messages": MESSAGES}, timeout=30)
        assert response.status_code == 201
        proc.send_signal(sig)
        assert proc.wait(timeout=60) == 0
        assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "embedded PostgreSQL still running"

        proc = start_serve(data_dir, port)
        page = httpx.get(f"{base}/v1/users/u/conversations/c/messages", timeout=30).json()
        assert [m["client_id"] for m in page["messages"]] == ["f0", "f1", "f2", "f3"]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
