"""Search over HTTP: ranking, filters and the per-channel "why"."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from litestar.testing import TestClient

Ingest = Callable[..., dict[str, Any]]


@pytest.fixture
def seeded(ingest: Ingest, user_id: str) -> str:
    ingest(
        user_id,
        "trip",
        {"role": "user", "speaker": "Ana", "text": "We booked a cabin in Norway for July.", "timestamp": "2023-03-01T10:00:00Z", "metadata": {"topic": "travel"}},
        {"role": "assistant", "text": "Norway in July is lovely; pack rain gear.", "timestamp": "2023-03-01T10:01:00Z"},
    )
    ingest(
        user_id,
        "pets",
        {"role": "user", "speaker": "Ana", "text": "My cat Miso hates the vacuum cleaner.", "timestamp": "2023-06-01T09:00:00Z", "metadata": {"topic": "pets"}},
        {"role": "user", "speaker": "Ben", "text": "Our dog sleeps all day.", "timestamp": "2023-06-02T09:00:00Z"},
    )
    return user_id


def _search(client: TestClient, user: str, **body: Any) -> list[dict[str, Any]]:
    response = client.post(f"/v1/users/{user}/memories/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()["hits"]  # type: ignore[no-any-return]


def test_most_relevant_first_with_why(client: TestClient, seeded: str) -> None:
    hits = _search(client, seeded, query="Which pet is afraid of the vacuum?", limit=4)
    top = hits[0]
    assert top["text"].startswith("My cat Miso")
    assert top["conversation_id"] == "pets" and top["speaker"] == "Ana" and top["role"] == "user"
    assert top["timestamp"] == "2023-06-01T09:00:00Z"
    assert set(top["why"]["channels"]) == {"vector", "lexical"}
    assert top["why"]["channels"]["vector"]["rank"] == 1
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_lexical_matches_any_term_not_all(client: TestClient, seeded: str) -> None:
    hits = _search(client, seeded, query="cabin zeppelin")
    lexical = sorted((h for h in hits if "lexical" in h["why"]["channels"]), key=lambda h: h["why"]["channels"]["lexical"]["rank"])
    # The turn itself ranks first; its neighbour in the same session matches through its context.
    assert [h["text"] for h in lexical] == ["We booked a cabin in Norway for July.", "Norway in July is lovely; pack rain gear."]
    assert all(h["conversation_id"] == "trip" for h in lexical)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"conversation_id": "trip"}, {"We booked a cabin in Norway for July.", "Norway in July is lovely; pack rain gear."}),
        ({"speaker": "Ben"}, {"Our dog sleeps all day."}),
        ({"role": "assistant"}, {"Norway in July is lovely; pack rain gear."}),
        ({"since": "2023-06-01T09:00:00Z", "until": "2023-06-02T00:00:00Z"}, {"My cat Miso hates the vacuum cleaner."}),
        ({"metadata": {"topic": "travel"}}, {"We booked a cabin in Norway for July."}),
    ],
)
def test_filters(client: TestClient, seeded: str, filters: dict[str, Any], expected: set[str]) -> None:
    hits = _search(client, seeded, query="animals and holidays", limit=10, filters=filters)
    assert {h["text"] for h in hits} == expected


def test_fast_recipe_skips_the_graph(client: TestClient, seeded: str) -> None:
    body = client.post(f"/v1/users/{seeded}/memories/search", json={"query": "Ana Norway", "recipe": "fast"}).json()
    assert body["recipe"] == "fast"
    assert all(set(h["why"]["channels"]) <= {"vector", "lexical"} for h in body["hits"])
    assert all(h["why"]["path"] == [] for h in body["hits"])


def test_limit(client: TestClient, seeded: str) -> None:
    assert len(_search(client, seeded, query="anything", limit=2)) == 2
