"""A query that names a participant searches, in the vector channel, that participant's own words
(their own vector, without date and speaker) with the name taken out of the query."""

from __future__ import annotations

from typing import Any, Callable

from litestar.testing import TestClient

Ingest = Callable[..., dict[str, Any]]
Sql = Callable[..., list[Any]]


def _turn(speaker: str | None, text: str, minute: int, role: str = "user") -> dict[str, Any]:
    turn = {"role": role, "text": text, "timestamp": f"2024-05-01T10:{minute:02d}:00Z"}
    return turn | ({"speaker": speaker} if speaker else {})


def _vector_speakers(client: TestClient, user: str, query: str) -> set[str | None]:
    response = client.post(f"/v1/users/{user}/memories/search", json={"query": query, "limit": 20})
    assert response.status_code == 200, response.text
    return {h["speaker"] for h in response.json()["hits"] if "vector" in h["why"]["channels"]}


def test_vector_channel_reads_the_named_speakers_own_words(client: TestClient, ingest: Ingest, sql: Sql, user_id: str) -> None:
    ingest(
        user_id, "c",
        _turn("Ana", "I go swimming every morning before work.", 0),
        _turn("Ben", "Ana, you should try yoga, it helps me relax.", 1),
        _turn("Ana", "Painting on Sundays keeps me calm.", 2),
        _turn(None, "Noted: both of you like quiet hobbies.", 3, role="assistant"),
    )
    own = sql("SELECT m.text_embedding IS NOT NULL FROM memories m JOIN messages g ON g.user_id = m.user_id "
              "AND g.id = m.message_id WHERE m.user_id = :u ORDER BY g.speaker NULLS FIRST", u=user_id)
    assert [r[0] for r in own] == [False, True, True, True]  # a role alone names nobody
    assert _vector_speakers(client, user_id, "What does Ana do to relax?") == {"Ana"}
    assert _vector_speakers(client, user_id, "What does everyone do to relax?") == {"Ana", "Ben", None}

    # A speaker who joins after the user's speakers were cached is still recognised at once.
    assert _vector_speakers(client, user_id, "What does Zoe do to relax?") == {"Ana", "Ben", None}
    ingest(user_id, "c", _turn("Zoe", "Knitting relaxes me.", 4))
    assert _vector_speakers(client, user_id, "What does Zoe do to relax?") == {"Zoe"}
    assert _vector_speakers(client, user_id, "What do Zoe and Ana do to relax?") == {"Zoe", "Ana"}


def test_a_speaker_or_role_filter_turns_the_focus_off(client: TestClient, ingest: Ingest, user_id: str) -> None:
    ingest(
        user_id, "c",
        _turn("Ana", "I go swimming every morning before work.", 0),
        _turn("Ben", "Ana, you should try yoga, it helps me relax.", 1),
    )
    body = {"query": "What does Ana do to relax?", "limit": 5, "filters": {"speaker": "Ben"}}
    hits = client.post(f"/v1/users/{user_id}/memories/search", json=body).json()["hits"]
    assert [(h["speaker"], "vector" in h["why"]["channels"]) for h in hits] == [("Ben", True)]  # not an empty channel
