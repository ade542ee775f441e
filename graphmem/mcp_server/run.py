"""Run the MCP server on a transport, with one SDK client for its whole life."""

from __future__ import annotations

from typing import Literal

from graphmem.client import AsyncGraphmemClient
from graphmem.mcp_server.server import build_server
from graphmem.mcp_server.settings import McpSettings

__all__ = ["Transport", "run"]

Transport = Literal["stdio", "http"]


async def run(settings: McpSettings, transport: Transport = "stdio", *, host: str = "127.0.0.1",
              port: int = 8421) -> None:
    """Serve until stdin closes (stdio) or the process is stopped (http, at ``/mcp``)."""
    async with AsyncGraphmemClient(settings.url, api_key=settings.api_key, timeout=settings.timeout_s,
                                   fail_open=settings.fail_open) as client:
        server = build_server(client, settings)
        if transport == "stdio":
            await server.run_stdio_async()
        else:
            await server.run_streamable_http_async(host=host, port=port)
