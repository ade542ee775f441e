"""A graphmem app served by uvicorn on a free loopback port, in a background thread.

The SDK and MCP tests talk real HTTP to it: sockets, headers, status codes and encodings as a
deployed client sees them, on the session's embedded PostgreSQL and real models.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

__all__ = ["free_port", "serving"]

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any, *, startup_timeout_s: float = 120.0) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL once the lifespan has started."""
    config = uvicorn.Config(app, host=HOST, port=free_port(), lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    # uvicorn installs signal handlers only in the main thread, so this thread leaves them alone.
    thread = threading.Thread(target=server.run, name="graphmem-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the live graphmem server did not start; see the log above")
        time.sleep(0.05)
    try:
        yield f"http://{HOST}:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
