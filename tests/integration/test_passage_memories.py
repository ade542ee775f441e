"""Long messages are also indexed as passages; a passage hit is credited to its message."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterator

import pytest
from litestar.testing import TestClient

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.settings import Settings

Sql = Callable[..., list[Any]]

FILLER = " ".join(f"Step {i}: check the cable, restart the modem and wait a minute." for i in range(40))
DEEP = "Finally, the warranty for the Zephyr 9 blender covers the motor for seven years."


@pytest.fixture(scope="module")
def client(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[TestClient]:
    with TestClient(create_app(replace(settings, passage_chars=1000), embedder=embedder)) as test_client:
        yield test_client


def test_a_fact_deep_in_a_long_message_is_found_once(client: TestClient, user_id: str, sql: Sql) -> None:
    long_text = f"{FILLER} {DEEP}"
    posted = client.post(f"/v1/users/{user_id}/conversations/c/messages?wait=true", json={"messages": [
        {"role": "assistant", "text": long_text, "client_id": "long"},
        {"role": "user", "text": "Thanks, that helps with my internet.", "client_id": "short"}]}).json()
    message_id = posted["messages"][0]["message_id"]
    rows = sql("SELECT parent_id IS NULL, span_start, span_end FROM memories WHERE user_id = :u AND message_id = :m "
               "ORDER BY id", u=user_id, m=message_id)
    parts = [r for r in rows if not r[0]]
    assert len(rows) - len(parts) == 1 and len(parts) >= 3  # one whole, several passages
    assert parts[-1][2] == len(long_text)

    hits = client.post(f"/v1/users/{user_id}/memories/search",
                       json={"query": "how long is the blender motor warranty", "limit": 10,
                             "context_turns": 1}).json()["hits"]
    assert hits[0]["message_id"] == message_id and hits[0]["text"] == long_text  # the message, not a passage
    assert [h["message_id"] for h in hits].count(message_id) == 1
    assert [t["text"] for t in hits[0]["context"]] == ["Thanks, that helps with my internet."]

    # Deleting the message removes its passages too.
    assert client.delete(f"/v1/users/{user_id}/messages/{message_id}").status_code == 200
    assert sql("SELECT count(*) FROM memories WHERE user_id = :u AND message_id = :m", u=user_id,
               m=message_id)[0][0] == 0
