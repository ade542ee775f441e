"""``graphmem demo``: the shipped dataset loads whole through ingest, and the tour's searches find
what it says they find."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any, Callable

import pytest
from litestar.testing import TestClient

from graphmem.cli.main import main
from graphmem.demo import SEARCHES, load_demo, run_searches
from graphmem.demo.tour import dataset_lines
from graphmem.importers.jsonl import parse_lines
from graphmem.importers.records import ImportRecord


def test_the_dataset_is_valid_and_the_size_the_docs_say() -> None:
    items = list(parse_lines(dataset_lines()))
    assert all(isinstance(i, ImportRecord) for i in items)
    records = [i for i in items if isinstance(i, ImportRecord)]
    per_user = Counter(r.user_id for r in records)
    sessions = {(r.user_id, r.conversation_id) for r in records}
    assert 150 <= len(records) <= 300 and len(per_user) == 4
    assert all(sum(1 for u, _ in sessions if u == user) >= 3 for user in per_user)
    assert len({r.message.client_id for r in records}) == len(records)


def test_demo_loads_once_and_its_searches_find_what_they_promise(
    client: TestClient, sql: Callable[..., list[Any]]
) -> None:
    prefix = f"demo-{uuid.uuid4().hex[:8]}-"
    services = client.app.state.services
    summary = client.blocking_portal.call(load_demo, services.ingest, prefix)
    assert (summary.created, summary.failed, len(summary.users), len(summary.conversations)) == (165, 0, 4, 15)
    assert sql("SELECT count(*) FROM memories WHERE user_id LIKE :p", p=prefix + "%")[0][0] == 165

    for search, response in client.blocking_portal.call(run_searches, services.search, prefix):
        assert any(search.expect in hit.text for hit in response.hits), (search.query, [h.text for h in response.hits])

    context = client.blocking_portal.call(lambda: services.context.context(
        prefix + "maya-chen", query="my replacement has not arrived", conversation_id=None, max_tokens=400,
        history=True, memories=3, recent=0))
    lives = {(f.value, f.current) for f in context.profile.get("location", [])}
    assert ("Denver", True) in lives and ("Austin", False) in lives  # she moved; Austin is the past

    again = client.blocking_portal.call(load_demo, services.ingest, prefix)
    assert (again.created, again.duplicate) == (0, 165)


def test_demo_command_runs_end_to_end(database_url: str, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRAPHMEM_DATABASE_URL", database_url)
    prefix = f"demo-{uuid.uuid4().hex[:8]}-"
    assert main(["demo", "--user-prefix", prefix]) == 0
    out = capsys.readouterr().out
    assert "messages created" in out and "Customer context" in out
    for search in SEARCHES:
        assert search.query in out
    assert "lives_in Denver" in out
