"""Request logs: one JSON line per request with its id, route template, status and duration,
and nothing a user wrote (message text, query values, user ids) at INFO."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import uuid
from typing import Any, Iterator

import pytest
from litestar.testing import TestClient

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.settings import Settings

INGEST_ROUTE = "/v1/users/{user_id}/conversations/{conversation_id}/messages"
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


class LoggedApp:
    def __init__(self, client: TestClient, stream: io.StringIO) -> None:
        self.client = client
        self._stream = stream

    def text(self) -> str:
        return self._stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text().splitlines()]  # every line is JSON

    def request_line(self, request_id: str) -> dict[str, Any]:
        found = [line for line in self.lines() if line.get("request_id") == request_id]
        assert len(found) == 1, found
        return found[0]


@pytest.fixture(scope="module")
def logged(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[LoggedApp]:
    stream = io.StringIO()
    with TestClient(create_app(settings, embedder=embedder, log_stream=stream)) as client:
        yield LoggedApp(client, stream)


def test_one_line_per_request_with_id_route_status_and_duration(logged: LoggedApp) -> None:
    user, conversation = f"user-{uuid.uuid4().hex[:12]}", f"conv-{uuid.uuid4().hex[:8]}"
    secret = f"Zorblax{uuid.uuid4().hex[:6]}"  # appears only in what the user wrote
    response = logged.client.post(
        f"/v1/users/{user}/conversations/{conversation}/messages?wait=true",
        json={"messages": [{"role": "user", "text": f"My neighbour {secret} lives in Lyon."}]},
    )
    assert response.status_code in (200, 201), response.text
    rid = response.headers["x-request-id"]
    assert GENERATED_ID.fullmatch(rid)
    line = logged.request_line(rid)
    assert line["event"] == "request" and line["level"] == "info" and line["logger"] == "graphmem.request"
    assert (line["method"], line["route"], line["status"]) == ("POST", INGEST_ROUTE, response.status_code)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["timestamp"].endswith("Z")

    context = logged.client.get(f"/v1/users/{user}/context", params={"query": f"where does {secret} live"})
    assert context.status_code == 200
    line = logged.request_line(context.headers["x-request-id"])
    assert (line["method"], line["route"], line["status"]) == ("GET", "/v1/users/{user_id}/context", 200)

    out = logged.text()
    assert secret not in out and "Lyon" not in out  # neither the body nor query values
    assert user not in out and conversation not in out  # nor the path's ids: only the template


def test_a_sane_incoming_request_id_is_kept_and_any_other_replaced(logged: LoggedApp) -> None:
    kept = logged.client.get("/v1/status", headers={"X-Request-ID": "trace-42.a:b_C"})
    assert kept.headers["x-request-id"] == "trace-42.a:b_C"
    assert logged.request_line("trace-42.a:b_C")["route"] == "/v1/status"
    for bad in ("has space", "x" * 200, "-leading-dash", 'quote"inside', "tab\tinside"):
        response = logged.client.get("/v1/status", headers={"X-Request-ID": bad})
        rid = response.headers["x-request-id"]
        assert rid != bad and GENERATED_ID.fullmatch(rid), bad
        assert logged.request_line(rid)["status"] == 200
    assert "has space" not in logged.text()


def test_errors_are_logged_with_their_status_and_probes_stay_quiet(logged: LoggedApp) -> None:
    missing = logged.client.get(f"/v1/users/nobody-{uuid.uuid4().hex[:8]}")
    assert missing.status_code == 404
    line = logged.request_line(missing.headers["x-request-id"])
    assert (line["route"], line["status"]) == ("/v1/users/{user_id}", 404)
    probe = logged.client.get("/health")
    assert probe.status_code == 200 and probe.headers["x-request-id"]
    assert not [x for x in logged.lines() if x.get("request_id") == probe.headers["x-request-id"]]  # DEBUG only
    unknown = logged.client.get("/no/such/route")  # no route: no log line, but still an id
    assert unknown.status_code == 404 and GENERATED_ID.fullmatch(unknown.headers["x-request-id"])


def test_a_rate_limited_request_is_logged_as_429_with_its_id(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    stream = io.StringIO()
    limited = dataclasses.replace(settings, rate_limit_per_minute=1)
    with TestClient(create_app(limited, embedder=embedder, log_stream=stream)) as client:
        assert client.get("/v1/status").status_code == 200
        refused = client.get("/v1/status", headers={"X-Request-ID": "limited-1"})
    assert refused.status_code == 429 and refused.headers["x-request-id"] == "limited-1"
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert [(x["route"], x["status"]) for x in lines if x.get("request_id") == "limited-1"] == [("/v1/status", 429)]
