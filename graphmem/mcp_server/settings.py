"""Settings of ``graphmem mcp``, read once from the environment into a frozen object.

They describe a *client* of a running graphmem server, so they live here and not in
``graphmem.settings`` (which configures the server).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from graphmem.client.core import DEFAULT_URL

__all__ = ["McpSettings"]

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class McpSettings:
    url: str = DEFAULT_URL  # GRAPHMEM_URL: the graphmem server to talk to
    api_key: str | None = None  # GRAPHMEM_API_KEY: sent as a Bearer token
    user_id: str | None = None  # GRAPHMEM_MCP_USER_ID: pin every tool to this user
    conversation_id: str = "mcp"  # GRAPHMEM_MCP_CONVERSATION_ID: where `remember` stores by default
    allow_forget: bool = False  # GRAPHMEM_MCP_ALLOW_FORGET: offer the `forget_user` tool at all
    timeout_s: float = 30.0  # GRAPHMEM_MCP_TIMEOUT_S: per request; `remember` waits for extraction
    fail_open: bool = True  # GRAPHMEM_MCP_FAIL_OPEN: `get_context` answers "no memory" when the server is down

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> McpSettings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        names = {"url": "GRAPHMEM_URL", "api_key": "GRAPHMEM_API_KEY"}
        for name in ("url", "api_key", "user_id", "conversation_id", "allow_forget", "timeout_s", "fail_open"):
            raw = env.get(names.get(name, f"GRAPHMEM_MCP_{name.upper()}"))
            if not raw:
                continue
            if name in ("allow_forget", "fail_open"):
                values[name] = raw.strip().lower() in _TRUE
            elif name == "timeout_s":
                values[name] = float(raw)
            else:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
