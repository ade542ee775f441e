"""``graphmem mcp``: serve graphmem's memory to an LLM as MCP tools."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "mcp"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "mcp", help="serve memory tools over MCP (stdio or streamable HTTP) to a running graphmem server (GRAPHMEM_URL)"
    )
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio",
                        help="stdio (default) for a local client, or streamable HTTP at /mcp")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8421, help="HTTP port (default 8421)")
    parser.add_argument("--url", help="the graphmem server (GRAPHMEM_URL, default http://127.0.0.1:8420)")
    parser.add_argument("--user", help="pin every tool to this user id (GRAPHMEM_MCP_USER_ID)")
    parser.add_argument("--allow-forget", action="store_true", default=None,
                        help="offer the forget_user tool (GRAPHMEM_MCP_ALLOW_FORGET); the key must have admin scope")


def mcp(args: argparse.Namespace) -> int:
    try:
        import anyio

        from graphmem.mcp_server import McpSettings, run
    except ImportError as exc:  # the base install is the SDK alone
        print(f"graphmem mcp needs the `mcp` package ({exc}); pip install 'mcp>=2,<3'", file=sys.stderr)
        return 1
    settings = McpSettings.from_env(url=args.url, user_id=args.user, allow_forget=args.allow_forget)
    try:
        anyio.run(lambda: run(settings, args.transport, host=args.host, port=args.port))
    except KeyboardInterrupt:
        pass
    return 0
