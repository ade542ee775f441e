"""Erasure deletes every trace of a user, leaves everyone else untouched, and cannot be undone
by a batch that was in flight."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Callable

import anyio
import pytest
from litestar.testing import TestClient

from graphmem.dto import IngestRequest, MessageIn
from graphmem.services.erasure import ErasureService, load_subjects
from graphmem.services.ingest import IngestService
from graphmem.services.jobs import JobRunner
from graphmem.services.pipeline import IngestBatch
from graphmem.store.engine import create_engine
from privacy_helpers import dump_user, find_anywhere, user_tables

Sql = Callable[..., list[Any]]


def _fill(client: TestClient, ingest: Callable[..., dict[str, Any]], user: str, sentinel: str) -> None:
    ingest(user, "c1",
           {"role": "user", "text": f"My name is {sentinel} Quorvath and I live in Tromsø.", "speaker": f"{sentinel}",
            "client_id": f"{sentinel}-1", "metadata": {"tag": sentinel, "nested": {"deep": [sentinel]}}},
           {"role": "user", "text": f"I work at {sentinel}corp as a welder.", "speaker": sentinel},
           {"role": "assistant", "text": f"Noted, {sentinel}. Welding at {sentinel}corp sounds hard."})
    a = client.post(f"/v1/users/{user}/entities", json={"name": f"{sentinel} Pet", "aliases": [f"{sentinel}-dog"]})
    b = client.post(f"/v1/users/{user}/entities", json={"name": f"{sentinel} Hound", "type": "CONCEPT"})
    assert a.status_code == 201 and b.status_code == 201, (a.text, b.text)
    kept, merged = a.json()["entity"]["id"], b.json()["entity"]["id"]
    fact = {"subject_id": kept, "predicate": "likes", "object_literal": f"{sentinel} treats"}
    assert client.post(f"/v1/users/{user}/relations", json=fact).status_code in (200, 201)
    assert client.post(f"/v1/users/{user}/entities/{kept}/merges", json={"merged_id": merged}).status_code == 201


def test_erasure_leaves_no_trace_and_spares_others(
    client: TestClient, ingest: Callable[..., dict[str, Any]], sql: Sql
) -> None:
    tag = uuid.uuid4().hex[:8]
    victim, other = f"erase-zoë-{tag}", f"keep-{tag}"
    sentinel = f"Zyx{tag}"
    _fill(client, ingest, victim, sentinel)
    _fill(client, ingest, other, f"Kept{tag}")
    before = dump_user(sql, other)
    assert all(before[t] for t in ("messages", "memories", "entities", "entity_aliases", "relations", "entity_merges"))
    assert find_anywhere(sql, sentinel) and find_anywhere(sql, victim)

    response = client.delete(f"/v1/users/{victim}")
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert set(receipt["counts"]) == set(user_tables(sql))
    assert receipt["counts"]["messages"] == 3 and receipt["counts"]["users"] == 1
    assert receipt["counts"]["memories"] == 3 and receipt["counts"]["entity_merges"] == 1
    assert victim not in response.text and len(receipt["subject"]) == 64

    assert find_anywhere(sql, victim) == []
    assert find_anywhere(sql, sentinel) == []
    assert dump_user(sql, other) == before
    logged = sql("SELECT subject, counts FROM erasure_log WHERE id = :i", i=receipt["erasure_id"])
    assert logged[0][0] == receipt["subject"] and logged[0][1] == receipt["counts"]

    again = client.delete(f"/v1/users/{victim}")
    assert again.status_code == 200 and set(again.json()["counts"].values()) == {0}
    assert again.json()["subject"] == receipt["subject"]
    assert client.get(f"/v1/users/{victim}").status_code == 404


def test_erasure_rejects_bad_user_ids(client: TestClient) -> None:
    assert client.delete("/v1/users/a%20b").status_code == 422


class Gate:
    """A stage that parks the batch's job until released, at prepare (before the write) or
    inside the write transaction (after the per-user lock)."""

    name = "gate"

    def __init__(self, at: str) -> None:
        self.at = at
        self.reached = anyio.Event()
        self.release = anyio.Event()

    async def _park(self, step: str) -> None:
        if step == self.at:
            self.reached.set()
            await self.release.wait()

    async def prepare(self, batch: IngestBatch) -> None:
        await self._park("prepare")

    async def write(self, conn: Any, batch: IngestBatch) -> None:
        await self._park("write")


def _race(database_url: str, user: str, at: str) -> tuple[str | None, dict[str, int]]:
    """Accept a batch, erase the user while its job is parked at ``at``, then let the job go;
    return the job's state as the waiting request saw it, and the erasure's counts."""

    async def go() -> tuple[str | None, dict[str, int]]:
        engine = create_engine(database_url, pool_size=4)
        try:
            subjects = await load_subjects(engine, None)
            gate = Gate(at)
            ingest = IngestService(engine, JobRunner(engine, engine, [gate]), subjects=subjects)
            erasure = ErasureService(engine, subjects)
            request = IngestRequest([MessageIn("user", "Resurrection attempt", client_id="late")])
            outcome: list[str | None] = []
            receipts: list[dict[str, int]] = []

            async def send() -> None:
                response = await ingest.ingest(user, "c1", request, wait=True)
                outcome.append(response.job.state if response.job else None)

            async def erase() -> None:
                receipts.append((await erasure.erase(user)).counts)

            async with anyio.create_task_group() as tg:
                tg.start_soon(send)
                await gate.reached.wait()
                tg.start_soon(erase)
                await anyio.sleep(0.5)  # the erasure either finished or waits for the batch's lock
                gate.release.set()
            return outcome[0], receipts[0]
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_a_job_that_runs_after_the_erasure_writes_nothing(
    ingest: Callable[..., dict[str, Any]], database_url: str, sql: Sql, user_id: str
) -> None:
    ingest(user_id, "c1", {"role": "user", "text": "I was here first."})
    state, counts = _race(database_url, user_id, at="prepare")
    assert state == "failed"  # the job went with the user
    assert counts["messages"] == 2 and counts["ingest_jobs"] == 2  # the accepted batch and its pending job
    assert find_anywhere(sql, user_id) == [] and find_anywhere(sql, "Resurrection") == []


def test_batch_holding_the_lock_is_erased_with_the_rest(
    ingest: Callable[..., dict[str, Any]], database_url: str, sql: Sql, user_id: str
) -> None:
    ingest(user_id, "c1", {"role": "user", "text": "I was here first."})
    state, counts = _race(database_url, user_id, at="write")
    assert state == "done"  # it committed first, and the erasure, waiting on the lock, took it too
    assert counts["messages"] == 2
    assert find_anywhere(sql, user_id) == [] and find_anywhere(sql, "Resurrection") == []


@pytest.mark.parametrize("path", ["/v1/users/nobody-{tag}"])
def test_erasing_an_unknown_user_is_a_no_op(client: TestClient, path: str) -> None:
    response = client.delete(path.format(tag=uuid.uuid4().hex))
    assert response.status_code == 200 and set(response.json()["counts"].values()) == {0}
