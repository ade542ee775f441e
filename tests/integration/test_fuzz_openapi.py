"""A bounded schemathesis run against the served OpenAPI document: no request it generates
may get a server error. Erasure and import are left out: they are destructive (erasure) or
need a whole export document (import), and have their own tests."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from graphmem.app import create_app
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.settings import Settings

SKIP = {("DELETE", "/v1/users/{user_id}"), ("POST", "/v1/users/{user_id}/import")}
EXAMPLES = 6  # per operation; the whole run stays well under a minute


def test_no_server_errors(settings: Settings, embedder: SentenceTransformerEmbedder) -> None:
    # An app of its own: schemathesis runs the app's lifespan, which must not be the shared one's.
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(settings, embedder=embedder))
    failures: list[str] = []
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue

        @hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")

        run()
        checked += 1
    assert checked >= 20
    assert failures == []
