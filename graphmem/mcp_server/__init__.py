"""``graphmem mcp``: graphmem's memory as MCP tools (stdio or streamable HTTP), a thin layer
over the SDK client talking to a running graphmem server. Named ``mcp_server`` so that it does
not shadow the ``mcp`` library."""

from graphmem.mcp_server.run import run
from graphmem.mcp_server.server import build_server
from graphmem.mcp_server.settings import McpSettings

__all__ = ["McpSettings", "build_server", "run"]
