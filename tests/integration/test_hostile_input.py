"""Hostile input is stored verbatim or refused with a clear 4xx, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import TestClient

VERBATIM = {
    "control characters": "tab\there\x01\x02\x1b[31mred\x7f bell\x07",
    "sql": "'; DROP TABLE messages; -- \" OR 1=1; SELECT pg_sleep(10); $$ \\x00",
    "html": "<script>alert('x')</script><img src=x onerror=alert(1)> &amp; </textarea>",
    "unicode": "zoë 会话 🧠 \u202eevil\u202c \ufeff zero\u200bwidth",
    "long word": "a" * 300_000,
}


def _post_raw(client: TestClient, user: str, body: bytes) -> Any:
    return client.post(f"/v1/users/{user}/conversations/c/messages?wait=true", content=body,
                       headers={"content-type": "application/json"})


@pytest.mark.parametrize("case", sorted(VERBATIM))
def test_stored_and_returned_verbatim(client: TestClient, user_id: str, case: str) -> None:
    text = VERBATIM[case]
    response = client.post(f"/v1/users/{user_id}/conversations/c/messages?wait=true",
                           json={"messages": [{"role": "user", "text": text, "speaker": text[:200],
                                               "metadata": {"k": text[:1000]}}]})
    assert response.status_code == 201, response.text[:500]
    stored = client.get(f"/v1/users/{user_id}/conversations/c/messages").json()["messages"][0]
    assert stored["text"] == text and stored["speaker"] == text[:200] and stored["metadata"] == {"k": text[:1000]}
    search = client.post(f"/v1/users/{user_id}/memories/search", json={"query": text[:2000]})
    assert search.status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        '{"messages": [{"role": "user", "text": "lone \\ud800 surrogate"}]}',
        '{"messages": [{"role": "user", "text": "ok", "speaker": "\\udfff"}]}',
        '{"messages": [{"role": "user", "text": "ok", "metadata": {"\\ud83d": 1}}]}',
        '{"messages": [{"role": "user", "text": "nul \\u0000 byte"}]}',
        '{"messages": [{"role": "user", "text": "' + "w" * 1_000_000 + '"}]}',
        '{"messages": [{"role": "user", "text": "deep", "metadata": ' + '{"a":' * 9 + "1" + "}" * 9 + "}]}",
        '{"messages": [{"role": "user", "text": "deeper", "metadata": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}]}",
        '{"messages": [{"role": "user", "text": "list", "metadata": {"a": ' + "[" * 5000 + "]" * 5000 + "}}]}",
    ],
    ids=["lone surrogate text", "lone surrogate speaker", "surrogate key", "nul", "1 MB word", "9 levels",
         "5000 levels", "5000 nested lists"],
)
def test_refused_clearly(client: TestClient, user_id: str, raw: str) -> None:
    response = _post_raw(client, user_id, raw.encode())
    assert 400 <= response.status_code < 500, response.text[:300]
    assert response.json()["error"]["message"]
    assert client.get(f"/v1/users/{user_id}/conversations/c/messages").status_code == 404


def test_surrogates_elsewhere_are_refused(client: TestClient, user_id: str) -> None:
    body = json.dumps({"query": "x"}).replace('"x"', '"\\ud800"').encode()
    response = client.post(f"/v1/users/{user_id}/memories/search", content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    for query in ("%ED%A0%80", "%FF%FE", "a%00b"):  # an encoded surrogate, invalid UTF-8, NUL
        response = client.get(f"/v1/users/{user_id}/context?query={query}")
        assert response.status_code < 500, (query, response.text[:300])


@pytest.mark.parametrize("user", ["a%2Fb", "a%5Cb", "..", "%2E%2E%2Fetc", "a%00b", "x" * 129, "%F0%9F%A7%A0-zo%C3%AB"])
def test_odd_user_ids(client: TestClient, user: str) -> None:
    for method, path, body in (
        ("POST", f"/v1/users/{user}/conversations/c/messages?wait=true", {"messages": [{"role": "user", "text": "hi"}]}),
        ("GET", f"/v1/users/{user}", None),
        ("DELETE", f"/v1/users/{user}", None),
        ("GET", f"/v1/users/{user}/export", None),
    ):
        response = client.request(method, path, json=body)
        assert response.status_code < 500, (method, path, response.text[:300])
