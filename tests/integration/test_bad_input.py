"""Bad input gets a 4xx in the one error shape, and a rejected batch writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from graphmem.limits import MAX_BATCH_MESSAGES, MAX_TEXT_CHARS


def _post(client: TestClient, user: str, body: Any, conversation: str = "c") -> Any:
    return client.post(f"/v1/users/{user}/conversations/{conversation}/messages?wait=true", json=body)


def _count(client: TestClient, user: str, conversation: str = "c") -> int:
    response = client.get(f"/v1/users/{user}/conversations/{conversation}/messages", params={"limit": 500})
    return 0 if response.status_code == 404 else len(response.json()["messages"])


def _assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return error  # type: ignore[no-any-return]


GOOD = {"role": "user", "text": "fine"}

BAD_BATCHES = {
    "empty text": ({"messages": [GOOD, {"role": "user", "text": ""}]}, 422),
    "blank text": ({"messages": [GOOD, {"role": "user", "text": "   \n"}]}, 422),
    "text too long": ({"messages": [GOOD, {"role": "user", "text": "x" * (MAX_TEXT_CHARS + 1)}]}, 422),
    "batch too large": ({"messages": [GOOD] * (MAX_BATCH_MESSAGES + 1)}, 422),
    "empty batch": ({"messages": []}, 422),
    "unknown field": ({"messages": [GOOD, {"role": "user", "text": "x", "colour": "red"}]}, 400),
    "unknown top-level field": ({"messages": [GOOD], "extra": 1}, 400),
    "wrong type": ({"messages": [GOOD, {"role": "user", "text": 42}]}, 400),
    "bad role": ({"messages": [GOOD, {"role": "robot", "text": "x"}]}, 400),
    "bad timestamp": ({"messages": [GOOD, {"role": "user", "text": "x", "timestamp": "yesterday"}]}, 400),
    "NUL in text": ({"messages": [GOOD, {"role": "user", "text": "a\u0000b"}]}, 422),
    "NUL in speaker": ({"messages": [GOOD, {"role": "user", "text": "a", "speaker": "\u0000"}]}, 422),
    "NUL in metadata": ({"messages": [GOOD, {"role": "user", "text": "a", "metadata": {"k": "\u0000"}}]}, 422),
    "duplicate client id in batch": (
        {"messages": [{**GOOD, "client_id": "same"}, {**GOOD, "client_id": "same"}]},
        422,
    ),
    "not an object": ([GOOD], 400),
}


@pytest.mark.parametrize("case", sorted(BAD_BATCHES))
def test_bad_batch_is_rejected_whole(client: TestClient, user_id: str, case: str) -> None:
    body, status = BAD_BATCHES[case]
    _assert_error(_post(client, user_id, body), status)
    assert _count(client, user_id) == 0


def test_malformed_json(client: TestClient, user_id: str) -> None:
    response = client.post(
        f"/v1/users/{user_id}/conversations/c/messages?wait=true",
        content=b'{"messages": [',
        headers={"content-type": "application/json"},
    )
    _assert_error(response, 400)


@pytest.mark.parametrize("bad", ["has space", "x" * 129, "back\\slash", "percent%20space", "del%7Fchar"])
def test_invalid_ids(client: TestClient, bad: str) -> None:
    error = _assert_error(_post(client, bad, {"messages": [GOOD]}), 422)
    assert error["details"]["field"] == "user_id"
    error = _assert_error(_post(client, "ok-user", {"messages": [GOOD]}, conversation=bad), 422)
    assert error["details"]["field"] == "conversation_id"


def test_unicode_ids_are_stored_verbatim(client: TestClient) -> None:
    user = "zoë@example.com"
    assert _post(client, user, {"messages": [GOOD]}, conversation="会话").status_code == 201
    assert _count(client, user, "会话") == 1


def test_body_over_the_limit_is_413(client: TestClient, user_id: str) -> None:
    huge = {"messages": [{"role": "user", "text": "y" * (9 * 1024 * 1024)}]}  # over the 8 MiB default
    _assert_error(_post(client, user_id, huge), 413)
    assert _count(client, user_id) == 0


def test_bad_search_requests(client: TestClient, user_id: str) -> None:
    url = f"/v1/users/{user_id}/memories/search"
    _assert_error(client.post(url, json={"query": ""}), 422)
    _assert_error(client.post(url, json={"query": " "}), 422)
    assert _assert_error(client.post(url, json={"query": "q", "limit": 0}), 422)["code"] == "limit_exceeded"
    assert _assert_error(client.post(url, json={"query": "q", "limit": 101}), 422)["code"] == "limit_exceeded"
    _assert_error(client.post(url, json={"query": "q", "recipe": "nope"}), 400)
    _assert_error(client.post(url, json={"query": "q", "filters": {"colour": 1}}), 400)
    _assert_error(client.post(url, json={"query": "a\u0000"}), 422)


def test_bad_paging_requests(client: TestClient, user_id: str) -> None:
    _post(client, user_id, {"messages": [GOOD]})
    url = f"/v1/users/{user_id}/conversations/c/messages?wait=true"
    _assert_error(client.get(url, params={"limit": 0}), 422)
    _assert_error(client.get(url, params={"limit": 501}), 422)
    _assert_error(client.get(url, params={"cursor": "not-a-cursor"}), 422)


def test_unknown_route_uses_the_error_shape(client: TestClient) -> None:
    _assert_error(client.get("/v1/nothing-here"), 404)
    _assert_error(client.delete("/health"), 405)
