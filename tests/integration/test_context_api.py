"""The customer context: profile, memories, entities and recent turns, rendered within a token budget."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from litestar.testing import TestClient

from graphmem.context.tokens import count_tokens

Ingest = Callable[..., dict[str, Any]]


def _user(text: str, ts: str) -> dict[str, Any]:
    return {"role": "user", "text": text, "timestamp": ts}


def _agent(text: str, ts: str) -> dict[str, Any]:
    return {"role": "assistant", "text": text, "timestamp": ts}


def _support_history(ingest: Ingest, user: str) -> None:
    """Four support sessions over nine months; the customer moves in July."""
    ingest(
        user,
        "support-jan",
        _user("Hi, my name is Maria Lopez.", "2024-01-10T10:00:00Z"),
        _agent("Welcome Maria! How can I help?", "2024-01-10T10:00:05Z"),
        _user("I live in Denver and I work at Globex as a nurse.", "2024-01-10T10:01:00Z"),
        _user("I prefer email over phone calls.", "2024-01-10T10:02:00Z"),
        _user("I love green tea.", "2024-01-10T10:03:00Z"),
    )
    ingest(
        user,
        "support-mar",
        _user("I ordered a standing desk from your store.", "2024-03-02T15:00:00Z"),
        _user("The standing desk arrived with a cracked leg.", "2024-03-02T15:01:00Z"),
        _agent("I'm sorry about that. We can take it back.", "2024-03-02T15:02:00Z"),
        _user("I returned the standing desk and I want a refund.", "2024-03-05T09:00:00Z"),
        _user("I'm allergic to latex.", "2024-03-05T09:01:00Z"),
    )
    ingest(
        user,
        "support-jul",
        _user("I moved from Denver to Seattle.", "2024-07-01T12:00:00Z"),
        _user("Can you ship the replacement desk to my new address?", "2024-07-01T12:01:00Z"),
        _agent("Of course, I've noted it.", "2024-07-01T12:02:00Z"),
    )
    ingest(
        user,
        "support-sep",
        _user("Hi again, the replacement desk has not arrived yet.", "2024-09-15T08:00:00Z"),
        _agent("Let me check that for you.", "2024-09-15T08:00:30Z"),
    )


def _values(profile: dict[str, list[dict[str, Any]]], topic: str, *, current: bool = True) -> set[tuple[str, str]]:
    return {(f["predicate"], f["value"]) for f in profile.get(topic, []) if f["current"] == current}


def test_a_support_agent_gets_current_facts_and_no_stale_ones(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _support_history(ingest, user_id)
    response = client.get(
        f"/v1/users/{user_id}/context",
        params={"query": "Where should we ship the replacement standing desk?", "conversation_id": "support-sep", "max_tokens": 600},
    )
    assert response.status_code == 200, response.text
    ctx = response.json()
    assert ctx["user"]["name"] == "Maria Lopez"
    profile = ctx["profile"]
    assert _values(profile, "identity") == {("name", "Maria Lopez")}
    assert _values(profile, "location") == {("lives_in", "Seattle")}  # moved: only the new city is current
    assert all(f["current"] for topic in profile.values() for f in topic)
    assert {("works_at", "Globex"), ("works_as", "nurse")} <= _values(profile, "job")
    assert {("prefers", "email"), ("likes", "green tea")} <= _values(profile, "preferences")
    assert {("ordered", "standing desk"), ("returned", "standing desk")} <= _values(profile, "purchases")
    assert _values(profile, "allergies") == {("allergic_to", "latex")}

    texts = [m["text"] for m in ctx["memories"]]
    assert any("standing desk" in t for t in texts[:3]), texts
    assert all(m["why"]["channels"] for m in ctx["memories"])
    desk = next(e for e in ctx["entities"] if e["entity"]["name"] == "standing desk")
    assert {f["predicate"] for f in desk["facts"]} >= {"ordered", "returned"}
    assert all(ctx["user"]["id"] in (f["subject"]["id"], (f["object"] or {}).get("id")) for f in desk["facts"])
    assert [m["text"] for m in ctx["recent"]] == ["Hi again, the replacement desk has not arrived yet.", "Let me check that for you."]

    text = ctx["text"]
    assert "lives in: Seattle" in text and "lives in: Denver" not in text and "Maria Lopez" in text
    assert "standing desk" in text and "Let me check that for you." in text
    assert text.count("the replacement desk has not arrived yet") == 1
    assert ctx["tokens"]["used"] == count_tokens(text) <= ctx["tokens"]["max_tokens"] == 600

    past = client.get(f"/v1/users/{user_id}/context", params={"include_history": "true"}).json()["profile"]
    assert _values(past, "location", current=False) == {("lives_in", "Denver")}
    assert _values(past, "location") == {("lives_in", "Seattle")}


@pytest.mark.parametrize("budget", [1, 12, 40, 90, 250, 4000])
def test_text_never_exceeds_the_token_budget(client: TestClient, ingest: Ingest, user_id: str, budget: int) -> None:
    _support_history(ingest, user_id)
    ingest(user_id, "support-sep", _user("I love " + "very " * 400 + "long messages.", "2024-09-15T08:01:00Z"))
    ctx = client.get(
        f"/v1/users/{user_id}/context",
        params={"query": "desk refund", "conversation_id": "support-sep", "max_tokens": budget},
    ).json()
    assert count_tokens(ctx["text"]) == ctx["tokens"]["used"] <= budget
    assert ctx["tokens"]["method"].startswith("approx")
    if budget >= 40:
        assert ctx["text"].startswith("What we know about the customer:")
    if budget == 4000:
        assert "…" in ctx["text"]  # the long message was clipped to its line budget


def test_without_a_query_the_profile_and_notable_memories(client: TestClient, ingest: Ingest, user_id: str) -> None:
    _support_history(ingest, user_id)
    ctx = client.get(f"/v1/users/{user_id}/context", params={"memories": 3}).json()
    assert _values(ctx["profile"], "location") == {("lives_in", "Seattle")}
    assert ctx["recent"] == []
    assert len(ctx["memories"]) == 3
    assert all(m["why"]["fusion"] == "notable" for m in ctx["memories"])
    facts = [m["why"]["channels"]["facts"]["score"] for m in ctx["memories"]]
    assert facts == sorted(facts, reverse=True) and facts[0] >= 3  # "I live in Denver and I work at Globex as a nurse."
    assert [m["why"]["channels"]["facts"]["rank"] for m in ctx["memories"]] == [1, 2, 3]


def test_the_user_is_the_named_speaker_of_their_own_turns(client: TestClient, ingest: Ingest, user_id: str) -> None:
    ingest(
        user_id,
        "group",
        {"role": "user", "speaker": "Ana", "text": "I live in Lisbon.", "timestamp": "2024-01-01T10:00:00Z"},
        {"role": "other", "speaker": "Bruno", "text": "I live in Porto.", "timestamp": "2024-01-01T10:01:00Z"},
        {"role": "assistant", "text": "I live in the cloud.", "timestamp": "2024-01-01T10:02:00Z"},
    )
    ctx = client.get(f"/v1/users/{user_id}/context").json()
    assert ctx["user"]["name"] == "Ana"
    assert _values(ctx["profile"], "location") == {("lives_in", "Lisbon")}


def test_unknown_users_and_other_users_conversations_give_an_empty_context(client: TestClient, ingest: Ingest, user_id: str) -> None:
    other = f"{user_id}-b"
    _support_history(ingest, other)
    ctx = client.get(f"/v1/users/{user_id}/context", params={"query": "desk", "conversation_id": "support-sep"}).json()
    assert ctx["user"] is None and ctx["profile"] == {} and ctx["memories"] == [] and ctx["recent"] == []
    assert ctx["entities"] == [] and ctx["text"] == ""
    for bad, status in (({"max_tokens": 0}, 422), ({"recent": 101}, 422), ({"query": ""}, 422), ({"conversation_id": "a b"}, 422), ({"query": " "}, 422)):
        response = client.get(f"/v1/users/{user_id}/context", params=bad)
        assert response.status_code == status, (bad, response.text)
