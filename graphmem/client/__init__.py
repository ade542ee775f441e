"""The graphmem Python SDK: a sync and an async client over the HTTP API, typed with the
server's own msgspec structs (``graphmem.dto``). It needs only httpx and msgspec.

    from graphmem.client import GraphmemClient

    with GraphmemClient("http://127.0.0.1:8420", api_key="gm_...") as memory:
        memory.add_messages("dana", "support-1", [{"role": "user", "text": "I live in Austin."}], wait=True)
        print(memory.get_context("dana", "where do I live?").text)
"""

from graphmem.client.aio import AsyncGraphmemClient
from graphmem.client.errors import *  # noqa: F403  (every SDK exception)
from graphmem.client.errors import __all__ as _errors
from graphmem.client.structs import Context
from graphmem.client.sync import GraphmemClient

__all__ = ["GraphmemClient", "AsyncGraphmemClient", "Context", *(n for n in _errors if n != "error_from_response")]
