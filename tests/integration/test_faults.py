"""Faults, at small scale: kill -9 mid-ingest, PostgreSQL going away, SIGTERM under load,
a killed embedded PostgreSQL, pool exhaustion and statement timeouts."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
from litestar.testing import TestClient

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.settings import Settings
from graphmem.store.embedded import EmbeddedPostgres
from graphmem.store.engine import ensure_database
from processes import free_port, start_serve, stop

Sql = Callable[..., list[Any]]
QUICK = {"job_lease_s": 2, "job_poll_s": 0.1, "workers": 1}


def _batch(i: int) -> dict[str, Any]:
    return {"messages": [
        {"role": "user", "speaker": "Noor", "client_id": f"b{i}-{k}",
         "text": f"Batch {i} line {k}: I visited Lisbon with my brother Omar and we ate at Cervejaria {i}."}
        for k in range(4)
    ]}


class Sender(threading.Thread):
    """Posts batches without waiting, records the acknowledged client ids, stops at the first error."""

    def __init__(self, base: str, user: str, start: int = 0) -> None:
        super().__init__(daemon=True)
        self.base, self.user, self.next = base, user, start
        self.acked: list[str] = []
        self.statuses: list[int] = []
        self.halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as http:
            while not self.halt.is_set():
                body = _batch(self.next)
                try:
                    r = http.post(f"/v1/users/{self.user}/conversations/c/messages", json=body)
                except httpx.TransportError:
                    return
                self.statuses.append(r.status_code)
                if r.status_code in (200, 201, 202):
                    self.acked += [m["client_id"] for m in body["messages"]]
                self.next += 1


def _drain(base: str, timeout: float = 120) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        queue = httpx.get(f"{base}/v1/status", timeout=30).json()["queue"]
        if (queue["queued"] == queue["running"] == 0) or time.monotonic() > deadline:
            return queue  # type: ignore[no-any-return]
        time.sleep(0.3)


def _owner_sql(data_dir: Path) -> Callable[..., list[Any]]:
    import sqlalchemy as sa

    from graphmem.store.engine import create_engine

    url = f"postgresql://postgres:@/graphmem?host={(data_dir / 'pgdata').resolve()}"

    def run(query: str, **params: Any) -> list[Any]:
        async def go() -> list[Any]:
            engine = create_engine(url, pool_size=1)
            try:
                async with engine.begin() as conn:
                    return list((await conn.execute(sa.text(query), params)).all())
            finally:
                await engine.dispose()

        return asyncio.run(go())

    return run


def _assert_exactly_once(sql: Sql, user: str, acked: list[str]) -> None:
    stored = {r[0] for r in sql("SELECT client_id FROM messages WHERE user_id = :u", u=user)}
    assert set(acked) <= stored, f"lost {len(set(acked) - stored)} acknowledged messages"
    per_message = sql("SELECT message_id, count(*) FROM memories WHERE user_id = :u GROUP BY 1 HAVING count(*) > 1",
                      u=user)
    assert per_message == [], "a message has two memories"
    unprocessed = sql("SELECT count(*) FROM messages m WHERE user_id = :u AND NOT EXISTS "
                      "(SELECT 1 FROM memories x WHERE x.user_id = m.user_id AND x.message_id = m.id)", u=user)
    assert unprocessed[0][0] == 0
    twins = sql("SELECT key, count(*) FROM entity_aliases WHERE user_id = :u GROUP BY key HAVING count(*) > 1", u=user)
    assert twins == [], "an entity was created twice"
    facts = sql("SELECT subject_id, predicate, object_id, message_id, count(*) FROM relations WHERE user_id = :u "
                "GROUP BY 1, 2, 3, 4 HAVING count(*) > 1", u=user)
    assert facts == [], "a relation was stored twice"
    mentions = sql("SELECT entity_id, memory_id, span_start, count(*) FROM mentions WHERE user_id = :u "
                   "GROUP BY 1, 2, 3 HAVING count(*) > 1", u=user)
    assert mentions == []


@pytest.mark.slow
def test_kill_9_mid_ingest_then_restart_loses_and_duplicates_nothing(data_dir: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_serve(data_dir, port, **QUICK)
    sender = Sender(base, "noor")
    try:
        sender.start()
        deadline = time.monotonic() + 60
        while len(sender.acked) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.kill()  # SIGKILL: no shutdown at all, jobs mid-flight, PostgreSQL orphaned
        proc.wait()
        sender.join(timeout=30)
        assert len(sender.acked) >= 40 and set(sender.statuses) <= {202}

        proc = start_serve(data_dir, port, **QUICK)  # adopts the orphaned PostgreSQL
        queue = _drain(base)
        assert queue["queued"] == queue["running"] == queue["failed"] == 0, queue
        _assert_exactly_once(_owner_sql(data_dir), "noor", sender.acked)
        # A client that re-sends everything it sent (acknowledged or not) creates no twins either.
        with httpx.Client(base_url=base, timeout=60) as http:
            for i in range(sender.next + 1):
                assert http.post("/v1/users/noor/conversations/c/messages?wait=true", json=_batch(i)).status_code < 300
        _assert_exactly_once(_owner_sql(data_dir), "noor", sender.acked)
    finally:
        sender.halt.set()
        assert stop(proc) == 0
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "the adopted PostgreSQL was not stopped"


@pytest.mark.slow
def test_sigterm_under_load_finishes_in_flight_and_drops_nothing(data_dir: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_serve(data_dir, port, **QUICK)
    senders = [Sender(base, f"user{n}") for n in range(3)]
    for s in senders:
        s.start()
    time.sleep(2.0)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=90) == 0
    for s in senders:
        s.join(timeout=30)
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "PostgreSQL was not shut down"
    assert all(code in (200, 201, 202) for s in senders for code in s.statuses), "an accepted request failed"

    proc = start_serve(data_dir, port, **QUICK)
    try:
        _drain(base)
        sql = _owner_sql(data_dir)
        for s in senders:
            assert s.acked, "the load never got going"
            _assert_exactly_once(sql, s.user, s.acked)
    finally:
        assert stop(proc) == 0


@pytest.mark.slow
def test_a_killed_embedded_postgres_with_a_stale_pid_file_recovers(data_dir: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_serve(data_dir, port, **QUICK)
    try:
        assert httpx.post(f"{base}/v1/users/u/conversations/c/messages?wait=true", json=_batch(0),
                          timeout=30).status_code == 201
        pid = int((data_dir / "pgdata" / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        response = httpx.post(f"{base}/v1/users/u/memories/search", json={"query": "Lisbon"}, timeout=30)
        assert response.status_code == 503 and response.headers["retry-after"]
    finally:
        stop(proc)
    assert (data_dir / "pgdata" / "postmaster.pid").exists()  # stale: its process is gone

    proc = start_serve(data_dir, port, **QUICK)
    try:
        hits = httpx.post(f"{base}/v1/users/u/memories/search", json={"query": "Lisbon"}, timeout=30).json()["hits"]
        assert len(hits) == 4  # crash recovery kept every committed row
    finally:
        assert stop(proc) == 0


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[tuple[EmbeddedPostgres, str]]:
    server = EmbeddedPostgres(tmp_path / "pg" / "pgdata")
    admin = server.start("postgres")
    asyncio.run(ensure_database(admin, "graphmem"))
    yield server, admin.replace("/postgres?", "/graphmem?", 1)
    server.stop()


def test_postgres_outage_gives_503_with_retry_after_then_recovers_without_restart(
    own_postgres: tuple[EmbeddedPostgres, str], embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    server, url = own_postgres
    settings = Settings(database_url=url, data_dir=tmp_path / "data", rate_limit_per_minute=0, pool_timeout_s=2,
                        workers=1, job_poll_s=0.1, job_backoff_s=0.2)
    with TestClient(create_app(settings, embedder=embedder), timeout=30) as client:
        ok = client.post("/v1/users/u/conversations/c/messages?wait=true", json=_batch(0))
        assert ok.status_code == 201
        server.stop()
        for request in (
            lambda: client.post("/v1/users/u/memories/search", json={"query": "Lisbon"}),
            lambda: client.post("/v1/users/u/conversations/c/messages", json=_batch(1)),
            lambda: client.get("/v1/users/u/entities"),
        ):
            started = time.monotonic()
            response = request()
            assert time.monotonic() - started < 15, "a request hung during the outage"
            assert response.status_code == 503, response.text
            assert int(response.headers["retry-after"]) > 0
        server.start("graphmem")
        deadline = time.monotonic() + 30
        while client.get("/ready").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        after = client.post("/v1/users/u/conversations/c/messages", json=_batch(2))
        assert after.status_code == 202  # the worker, which kept retrying its claims, picks it up
        deadline = time.monotonic() + 30
        while client.get(after.json()["job"]["href"]).json()["state"] != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get(after.json()["job"]["href"]).json()["state"] == "done"
        assert len(client.post("/v1/users/u/memories/search", json={"query": "Lisbon", "limit": 20}).json()["hits"]) == 8


def test_pool_exhaustion_is_503_and_a_statement_timeout_is_504(
    settings: Settings, embedder: SentenceTransformerEmbedder, ingest: Callable[..., dict[str, Any]], user_id: str
) -> None:
    import sqlalchemy as sa

    from graphmem.store.engine import create_engine

    ingest(user_id, "c", {"role": "user", "text": "Something to search."})
    tight = replace(settings, pool_size=1, pool_timeout_s=0.5, statement_timeout_ms=300, workers=0)
    search = (f"/v1/users/{user_id}/memories/search",)
    with TestClient(create_app(tight, embedder=embedder), timeout=30) as client:
        engine = client.app.state.request_engine

        async def scenario() -> tuple[httpx.Response, httpx.Response]:
            async with engine.connect() as conn:  # hold the pool's only connection
                await conn.execute(sa.text("SELECT 1"))
                exhausted = await asyncio.to_thread(client.post, *search, json={"query": "something"})
            owner = create_engine(settings.database_url or "", pool_size=1)
            try:
                async with owner.begin() as conn:  # the search then waits on a lock past its timeout
                    await conn.execute(sa.text("LOCK TABLE memories IN ACCESS EXCLUSIVE MODE"))
                    timed_out = await asyncio.to_thread(client.post, *search, json={"query": "something"})
            finally:
                await owner.dispose()
            return exhausted, timed_out

        exhausted, timed_out = client.blocking_portal.call(scenario)
        assert exhausted.status_code == 503 and exhausted.headers["retry-after"], exhausted.text
        assert timed_out.status_code == 504 and timed_out.json()["error"]["code"] == "statement_timeout"
        assert client.post(*search, json={"query": "something"}).status_code == 200  # and then all is well
