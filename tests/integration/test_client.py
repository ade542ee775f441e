"""The Python SDK against a real graphmem server over HTTP (uvicorn on a loopback port)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import HOST, serving

from graphmem.app import create_app
from graphmem.client import (
    AsyncGraphmemClient,
    AuthenticationError,
    BadRequest,
    Context,
    GraphmemClient,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServerError,
    TransportError,
)
from graphmem.client.surface import Surface
from graphmem.dto import EntityCreate, MessageIn, RelationCreate, SearchFilters
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.services.keys import KeyService
from graphmem.settings import Settings
from graphmem.store.engine import create_engine, ensure_database

HEAVY = ("torch", "spacy", "sqlalchemy", "litestar", "uvicorn", "psycopg", "numpy", "sentence_transformers", "mcp")


@pytest.fixture(scope="module")
def live_url(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    with serving(create_app(settings, embedder=embedder)) as url:
        yield url


@pytest.fixture
def memory(live_url: str) -> Iterator[GraphmemClient]:
    with GraphmemClient(live_url, timeout=60) as client:
        yield client


def test_the_client_imports_without_the_server_stack() -> None:
    code = "import json, sys, graphmem.client; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert "httpx" in loaded and "msgspec" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_conversation_round_trip(memory: GraphmemClient, user_id: str) -> None:
    said = memory.add_messages(user_id, "support-1", [
        {"role": "user", "text": "My order arrived broken. I live in Austin.", "speaker": "Dana", "client_id": "m1"},
        MessageIn(role="assistant", text="Sorry to hear that, Dana!", client_id="m2"),
    ], wait=True)
    assert (said.created, said.duplicates) == (2, 0)
    assert said.job is not None and said.job.state == "done"
    again = memory.add_messages(user_id, "support-1", [{"role": "user", "text": "changed", "client_id": "m1"}])
    assert (again.created, again.duplicates, again.messages[0].status) == (0, 1, "duplicate")

    hits = memory.search(user_id, "where does the customer live?", limit=5,
                         filters=SearchFilters(conversation_id="support-1")).hits
    assert hits[0].text == "My order arrived broken. I live in Austin." and hits[0].why.channels
    context = memory.get_context(user_id, "order broken", conversation_id="support-1", max_tokens=300)
    assert isinstance(context, Context) and not context.degraded
    assert "Austin" in context.text and context.tokens.used <= 300
    assert [turn.client_id for turn in context.recent] == ["m1", "m2"]

    austin = memory.find_entities(user_id, "austin").entities
    assert [e.name for e in austin] == ["Austin"]
    facts = memory.find_relations(user_id, predicates=["lives_in"]).relations
    assert [(f.predicate, f.object.name if f.object else None) for f in facts] == [("lives_in", "Austin")]
    detail = memory.get_relation(user_id, facts[0].id)
    assert detail.provenance is not None and "Austin" in (detail.provenance.evidence or "")
    assert memory.list_messages(user_id, "support-1", limit=1).next_cursor is not None


def test_graph_corrections_and_erasure(memory: GraphmemClient, user_id: str) -> None:
    memory.add_messages(user_id, "c", [{"role": "user", "text": "I work at Globex."}], wait=True)
    made = memory.create_entity(user_id, EntityCreate(name="Blue Kettle", type="PRODUCT", aliases=["the kettle"]))
    assert made.entity.key == "blue kettle" and "the kettle" in made.aliases
    me = memory.get_context(user_id).user
    assert me is not None
    fact = memory.create_relation(user_id, RelationCreate(subject_id=me.id, predicate="owns", object_id=made.entity.id))
    assert fact.source == "manual" and fact.object is not None and fact.object.name == "Blue Kettle"
    ended = memory.invalidate_relation(user_id, fact.id)
    assert ended.valid_to is not None
    assert memory.delete_relation(user_id, fact.id) is None
    with pytest.raises(NotFound):
        memory.get_relation(user_id, fact.id)

    exported = memory.export_user(user_id)
    assert exported.user_id == user_id and exported.counts["messages"] == 1 and exported.counts["entities"] >= 2
    receipt = memory.erase_user(user_id)
    assert receipt.counts["messages"] == 1 and user_id not in receipt.subject
    with pytest.raises(NotFound) as gone:
        memory.get_user(user_id)
    assert gone.value.status == 404 and gone.value.code == "not_found"


def test_ids_with_url_characters_reach_the_server_intact(memory: GraphmemClient) -> None:
    user, conversation = f"ana?x=1#frag%20é-{uuid.uuid4().hex[:6]}", "c&d=1"
    memory.add_messages(user, conversation, [{"role": "user", "text": "I adopted a cat named Miso."}], wait=True)
    assert memory.get_user(user).user_id == user
    assert memory.list_messages(user, conversation).messages[0].conversation_id == conversation
    memory.erase_user(user)


def test_errors_carry_the_servers_code_and_message(memory: GraphmemClient, user_id: str) -> None:
    with pytest.raises(NotFound) as missing:
        memory.get_entity(user_id, 987_654_321)
    assert missing.value.code == "not_found" and missing.value.message
    with pytest.raises(InvalidInput) as too_many:
        memory.search(user_id, "anything", limit=1000)
    assert too_many.value.status == 422 and too_many.value.code == "limit_exceeded"
    with pytest.raises(BadRequest) as bad:
        memory.search(user_id, "anything", recipe="slowest")  # type: ignore[arg-type]
    assert bad.value.code == "invalid_request" and bad.value.details
    with pytest.raises(NotFound):
        memory.job(user_id, 987_654_321)


def test_the_async_client_follows_a_queued_batch(live_url: str, user_id: str) -> None:
    async def run() -> None:
        async with AsyncGraphmemClient(live_url, timeout=60) as memory:
            accepted = await memory.add_messages(user_id, "c1", [{"role": "user", "text": "My dog Rex loves the beach."}])
            assert accepted.created == 1 and accepted.job is not None
            job = await memory.wait_for_job(user_id, accepted.job.id, timeout=60)
            assert job.state == "done" and job.message_ids == [accepted.messages[0].message_id]
            hits = (await memory.search(user_id, "dog at the beach")).hits
            assert hits and "Rex" in hits[0].text
            context, page = await asyncio.gather(memory.get_context(user_id, "beach"), memory.find_entities(user_id))
            assert "Rex" in context.text and any("Rex" in e.name for e in page.entities)

    asyncio.run(run())


def _silent_port() -> tuple[socket.socket, int]:
    """A port that accepts connections and never answers: every request times out."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((HOST, 0))
    listener.listen(8)
    return listener, int(listener.getsockname()[1])


def test_fail_open_context_when_the_server_is_down_or_slow() -> None:
    listener, silent = _silent_port()
    closed = socket.socket()
    closed.bind((HOST, 0))
    refused = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    try:
        for port in (refused, silent):
            with GraphmemClient(f"http://{HOST}:{port}", timeout=0.5, fail_open=True) as memory:
                context = memory.get_context("dana", "order", max_tokens=200)
                assert context.degraded and context.text == "" and context.tokens.max_tokens == 200
                with pytest.raises(TransportError):  # only the context fails open
                    memory.search("dana", "order")
            with GraphmemClient(f"http://{HOST}:{port}", timeout=0.5) as strict, pytest.raises(TransportError):
                strict.get_context("dana")
    finally:
        listener.close()


def test_fail_open_context_on_a_5xx() -> None:
    body = {"error": {"code": "database_unavailable", "message": "the database is not reachable; retry later"}}

    def unavailable(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json=body, headers={"Retry-After": "5"})

    async def run() -> None:
        async with AsyncGraphmemClient(transport=httpx.MockTransport(unavailable), fail_open=True) as memory:
            assert (await memory.get_context("dana")).degraded
        async with AsyncGraphmemClient(transport=httpx.MockTransport(unavailable)) as strict:
            with pytest.raises(ServerError) as raised:
                await strict.get_context("dana")
            assert raised.value.code == "database_unavailable" and raised.value.retry_after == 5.0

    asyncio.run(run())


@pytest.fixture(scope="module")
def keyed_server(database_url: str, embedder: SentenceTransformerEmbedder,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A server on its own database with a read and an admin key."""
    name = f"sdk_keys_{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_database(database_url.replace("/graphmem_test?", "/postgres?", 1), name))
    url = database_url.replace("/graphmem_test?", f"/{name}?", 1)
    settings = Settings(database_url=url, data_dir=tmp_path_factory.mktemp("keyed"), rate_limit_per_minute=0)

    async def make_keys() -> dict[str, str]:
        engine = create_engine(url, pool_size=1)
        try:
            service = KeyService(engine, open_when_keyless=False)
            return {scope: (await service.create(f"sdk {scope}", [scope]))[0] for scope in ("read", "admin")}
        finally:
            await engine.dispose()

    with serving(create_app(settings, embedder=embedder)) as base_url:  # migrates the new database
        yield base_url, asyncio.run(make_keys())


def test_api_keys_go_as_bearer_tokens(keyed_server: tuple[str, dict[str, str]]) -> None:
    url, keys = keyed_server
    with GraphmemClient(url) as anonymous, pytest.raises(AuthenticationError) as refused:
        anonymous.search("u", "anything")
    assert refused.value.status == 401 and refused.value.code == "unauthorized"
    with GraphmemClient(url, api_key=keys["read"]) as reader:
        assert reader.search("u", "anything").hits == []
        with pytest.raises(PermissionDenied) as forbidden:
            reader.add_messages("u", "c", [{"role": "user", "text": "hello"}])
        assert forbidden.value.code == "forbidden"
    with GraphmemClient(url, api_key=keys["admin"]) as admin:
        admin.add_messages("u", "c", [{"role": "user", "text": "hello"}], wait=True)
        assert admin.erase_user("u").counts["messages"] == 1


def test_both_clients_expose_the_same_documented_surface() -> None:
    operations = [name for name in vars(Surface) if not name.startswith("_")]
    assert len(operations) >= 30
    with GraphmemClient() as sync_client:
        for name in operations:
            sync, aio = getattr(sync_client, name), getattr(AsyncGraphmemClient, name)
            assert sync.__doc__ and sync.__doc__ == aio.__doc__, name
    readme = (Path(__file__).resolve().parents[2] / "docs" / "sdk.md").read_text()
    missing = [name for name in operations if f"`{name}`" not in readme]
    assert not missing, f"docs/sdk.md does not mention {missing}"
