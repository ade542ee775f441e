"""The durable ingest queue: 202 and polling, retries and poison jobs, idempotent re-runs."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any, Callable, Iterator, Sequence

import pytest
from litestar.testing import TestClient

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.extract.fake import FakeExtractor
from graphmem.extract.types import Extraction, Utterance
from graphmem.settings import Settings
from graphmem.store.engine import ensure_database

Sql = Callable[..., list[Any]]


def _poll(client: TestClient, href: str, until: Sequence[str], timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(href).json()
        if job["state"] in until or time.monotonic() > deadline:
            return job  # type: ignore[no-any-return]
        time.sleep(0.05)


def test_without_wait_the_batch_is_accepted_then_processed(client: TestClient, user_id: str) -> None:
    response = client.post(
        f"/v1/users/{user_id}/conversations/c/messages",
        json={"messages": [{"role": "user", "text": "My parrot Kiwi speaks Portuguese.", "client_id": "p1"}]},
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["created"] == 1 and body["job"]["state"] == "queued"
    assert body["job"]["href"] == f"/v1/users/{user_id}/jobs/{body['job']['id']}"

    job = _poll(client, body["job"]["href"], ("done", "failed"))
    assert job["state"] == "done" and job["attempts"] == 1
    assert job["message_ids"] == [body["messages"][0]["message_id"]]
    hits = client.post(f"/v1/users/{user_id}/memories/search", json={"query": "parrot language"}).json()["hits"]
    assert [h["text"] for h in hits] == ["My parrot Kiwi speaks Portuguese."]

    again = client.post(
        f"/v1/users/{user_id}/conversations/c/messages",
        json={"messages": [{"role": "user", "text": "My parrot Kiwi speaks Portuguese.", "client_id": "p1"}]},
    )
    assert again.status_code == 200 and again.json()["job"] is None  # nothing new, no job


def test_another_users_job_is_not_found(client: TestClient, ingest: Callable[..., dict[str, Any]],
                                        user_id: str) -> None:
    job = ingest(user_id, "c", {"role": "user", "text": "Mine."})["job"]
    assert client.get(f"/v1/users/{user_id}/jobs/{job['id']}").json()["state"] == "done"
    assert client.get(f"/v1/users/someone-else/jobs/{job['id']}").status_code == 404


class Poisoned:
    """The real extractor, except that it raises on a marked text while ``sick`` is set."""

    def __init__(self) -> None:
        self.sick = True
        self._fake = FakeExtractor()

    def extract(self, utterances: Sequence[Utterance]) -> list[Extraction]:
        if self.sick and any("POISON" in u.text for u in utterances):
            raise RuntimeError("extractor crashed on this batch")
        return self._fake.extract(utterances)


@pytest.fixture(scope="module")
def poisoned(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[tuple[TestClient, Poisoned]]:
    # A database of its own: the shared app's workers, with the healthy extractor, would
    # otherwise claim the poison job too.
    url = settings.database_url or ""
    asyncio.run(ensure_database(url.replace("/graphmem_test?", "/postgres?", 1), "graphmem_poison"))
    extractor = Poisoned()
    fast = replace(settings, database_url=url.replace("/graphmem_test?", "/graphmem_poison?", 1),
                   job_max_attempts=3, job_backoff_s=0.05, workers=1, job_poll_s=0.05)
    with TestClient(create_app(fast, embedder=embedder, extractor=extractor)) as test_client:
        yield test_client, extractor


def test_a_poison_batch_retries_then_fails_and_an_admin_retries_it(
    poisoned: tuple[TestClient, Poisoned], user_id: str
) -> None:
    client, extractor = poisoned
    extractor.sick = True
    url = f"/v1/users/{user_id}/conversations/c/messages"
    accepted = client.post(url, json={"messages": [{"role": "user", "text": "POISON pill from Mara"}]})
    assert accepted.status_code == 202
    job = _poll(client, accepted.json()["job"]["href"], ("failed",))
    assert job["state"] == "failed" and job["attempts"] == 3
    assert job["error"] == "RuntimeError: extractor crashed on this batch"
    assert accepted.json()["created"] == 1  # the message itself is kept, only unprocessed
    search = (f"/v1/users/{user_id}/memories/search", {"query": "POISON pill"})
    assert client.post(search[0], json=search[1]).json()["hits"] == []

    failed = client.get("/v1/admin/jobs", params={"state": "failed"}).json()["jobs"]
    assert any(j["id"] == job["id"] and j["user_id"] == user_id for j in failed)
    status = client.get("/v1/status").json()
    assert status["queue"]["failed"] >= 1 and any(j["id"] == job["id"] for j in status["failed_jobs"])

    # Other users' batches are not held up by the poison one.
    other = client.post(f"/v1/users/{user_id}-b/conversations/c/messages?wait=true",
                        json={"messages": [{"role": "user", "text": "A healthy message."}]})
    assert other.status_code == 201

    extractor.sick = False
    retried = client.post(f"/v1/admin/jobs/{user_id}/{job['id']}/retry")
    assert retried.status_code == 200 and retried.json()["state"] == "queued"
    done = _poll(client, accepted.json()["job"]["href"], ("done", "failed"))
    assert done["state"] == "done" and done["error"] == job["error"]  # the last failure stays on record
    assert len(client.post(search[0], json=search[1]).json()["hits"]) == 1
    assert client.post(f"/v1/admin/jobs/{user_id}/{job['id']}/retry").status_code == 404  # only failed jobs


def test_wait_answers_202_when_the_job_fails(poisoned: tuple[TestClient, Poisoned], user_id: str) -> None:
    client, extractor = poisoned
    extractor.sick = True
    response = client.post(f"/v1/users/{user_id}/conversations/c/messages?wait=true",
                           json={"messages": [{"role": "user", "text": "POISON again"}]})
    assert response.status_code == 202 and response.json()["job"]["state"] in ("queued", "running", "failed")


def test_running_a_job_twice_leaves_the_same_rows(
    client: TestClient, ingest: Callable[..., dict[str, Any]], user_id: str, sql: Sql
) -> None:
    job = ingest(user_id, "c",
                 {"role": "user", "speaker": "Ines", "text": "I moved to Porto and I work at Farfetch."},
                 {"role": "user", "speaker": "Ines", "text": "My sister Rita lives in Braga."})["job"]
    tables = ["memories", "entities", "mentions", "relations", "entity_aliases"]

    def counts() -> dict[str, int]:
        return {t: sql(f"SELECT count(*) FROM {t} WHERE user_id = :u", u=user_id)[0][0] for t in tables}

    before = counts()
    assert before["memories"] == 2 and before["relations"] >= 1
    # As if a worker finished the job but its lease had run out and another took it over.
    sql("UPDATE ingest_jobs SET state = 'queued', attempts = 0 WHERE user_id = :u AND id = :i", u=user_id,
        i=job["id"])
    assert _poll(client, job["href"], ("done",))["state"] == "done"
    assert counts() == before


def test_a_job_whose_worker_died_is_claimed_again(
    client: TestClient, ingest: Callable[..., dict[str, Any]], user_id: str, sql: Sql
) -> None:
    ingest(user_id, "c", {"role": "user", "text": "Warm-up so the conversation exists."})
    # A dead worker's claim: running, with a lapsed lease and messages still unprocessed.
    (message_id,) = sql(
        "INSERT INTO messages (user_id, conversation_id, role, text, ts) "
        "VALUES (:u, 'c', 'user', 'Orphaned but accepted.', now()) RETURNING id", u=user_id)[0]
    (job_id,) = sql(
        "INSERT INTO ingest_jobs (user_id, conversation_id, message_ids, state, attempts, lease_until, token) "
        "VALUES (:u, 'c', ARRAY[:m]::bigint[], 'running', 1, now() - interval '1 second', gen_random_uuid()) "
        "RETURNING id", u=user_id, m=message_id)[0]
    job = _poll(client, f"/v1/users/{user_id}/jobs/{job_id}", ("done", "failed"))
    assert job["state"] == "done" and job["attempts"] == 2
    assert sql("SELECT count(*) FROM memories WHERE user_id = :u AND message_id = :m", u=user_id,
               m=message_id)[0][0] == 1
