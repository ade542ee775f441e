"""``graphmem mcp`` driven by the ``mcp`` package's own client, against a live graphmem server:
over stdio (a ``graphmem mcp`` subprocess), over streamable HTTP, and in-process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from live_server import HOST, free_port, serving
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp_types import CallToolResult

from graphmem.app import create_app
from graphmem.client import AsyncGraphmemClient
from graphmem.embed.sentence import SentenceTransformerEmbedder
from graphmem.mcp_server import McpSettings, build_server
from graphmem.settings import Settings

TOOLS = {"remember", "search_memory", "get_context", "find_entities", "get_relations"}


@pytest.fixture(scope="module")
def live_url(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    with serving(create_app(settings, embedder=embedder)) as url:
        yield url


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def _ok(client: Client, tool: str, **arguments: Any) -> CallToolResult:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, _text(result)
    return result


def test_stdio_tools_remember_and_recall(live_url: str, user_id: str) -> None:
    env = {**os.environ, "GRAPHMEM_URL": live_url}
    env.pop("GRAPHMEM_MCP_ALLOW_FORGET", None)
    command = StdioServerParameters(command=sys.executable, args=["-m", "graphmem.cli.main", "mcp"], env=env)

    async def run() -> None:
        async with Client(command, read_timeout_seconds=120) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            assert set(tools) == TOOLS  # forget_user only with --allow-forget
            assert all(len(tool.description or "") > 80 for tool in tools.values())

            said = [{"role": "user", "text": "I moved to Lisbon last month and I work at Globex.", "speaker": "Ana"},
                    {"role": "assistant", "text": "Welcome to Lisbon, Ana!"}]
            stored = await _ok(client, "remember", messages=said, conversation_id="chat-1", user_id=user_id)
            assert stored.structured_content is not None and stored.structured_content["created"] == 2
            assert "Stored 2 new message(s)" in _text(stored)

            found = await _ok(client, "search_memory", query="where does Ana live?", user_id=user_id)
            assert "Lisbon" in _text(found).splitlines()[1]
            context = await _ok(client, "get_context", query="new city", conversation_id="chat-1", user_id=user_id)
            assert "Lisbon" in _text(context) and context.structured_content["degraded"] is False
            entities = await _ok(client, "find_entities", name="lisbn", user_id=user_id)  # a typo, fuzzy
            assert "Lisbon (GPE)" in _text(entities)
            facts = await _ok(client, "get_relations", predicate="works_at", user_id=user_id)
            assert "works_at Globex" in _text(facts)
            missing = await client.call_tool("search_memory", {"query": "anything"})
            assert missing.is_error and "user_id is required" in _text(missing)

    asyncio.run(run())


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else "exited"
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"graphmem mcp did not listen on {port}")


def test_streamable_http_and_the_admin_only_forget_tool(live_url: str, user_id: str) -> None:
    port = free_port()
    env = {**os.environ, "GRAPHMEM_URL": live_url, "GRAPHMEM_MCP_ALLOW_FORGET": "1"}
    process = subprocess.Popen([sys.executable, "-m", "graphmem.cli.main", "mcp", "--transport", "http",
                                "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    async def run() -> None:
        async with Client(f"http://{HOST}:{port}/mcp", read_timeout_seconds=120) as client:
            assert {tool.name for tool in (await client.list_tools()).tools} == TOOLS | {"forget_user"}
            await _ok(client, "remember", messages=[{"text": "My cat Miso is twelve."}], user_id=user_id)
            refused = await client.call_tool("forget_user", {"confirm": False, "user_id": user_id})
            assert refused.is_error and "nothing erased" in _text(refused)
            erased = await _ok(client, "forget_user", confirm=True, user_id=user_id)
            assert erased.structured_content is not None and erased.structured_content["counts"]["messages"] == 1
            after = await _ok(client, "get_context", query="cat", user_id=user_id)
            assert _text(after) == "Nothing is known about this user yet."

    try:
        _wait_for_port(port, process)
        asyncio.run(run())
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_pinned_user_and_a_server_that_is_down(live_url: str) -> None:
    closed = socket.socket()
    closed.bind((HOST, 0))
    down = f"http://{HOST}:{closed.getsockname()[1]}"
    closed.close()

    async def run() -> None:
        async with AsyncGraphmemClient(live_url) as memory:
            pinned = build_server(memory, McpSettings(url=live_url, user_id="pinned-user"))
            async with Client(pinned) as client:
                await _ok(client, "remember", messages=[{"text": "I prefer email over phone calls."}])
                hits = await _ok(client, "search_memory", query="how to contact me")
                assert hits.structured_content is not None
                assert "email" in hits.structured_content["hits"][0]["text"]
                other = await client.call_tool("search_memory", {"query": "email", "user_id": "someone-else"})
                assert other.is_error and "pinned" in _text(other)
            await memory.erase_user("pinned-user")
        async with AsyncGraphmemClient(down, timeout=1, fail_open=True) as memory:
            async with Client(build_server(memory, McpSettings(url=down))) as client:
                context = await _ok(client, "get_context", user_id="u")
                assert "Memory is unavailable" in _text(context)
                failed = await client.call_tool("search_memory", {"query": "x", "user_id": "u"})
                assert failed.is_error and "graphmem: POST /v1/users/u/memories/search: ConnectError" in _text(failed)

    asyncio.run(run())
