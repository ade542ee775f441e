"""Real ``graphmem`` processes for tests that kill, signal or restart them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["free_port", "start_serve", "start_worker", "stop"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path, **settings: object) -> dict[str, str]:
    env = {**os.environ, "GRAPHMEM_DATA_DIR": str(data_dir)}
    env.pop("GRAPHMEM_DATABASE_URL", None)
    env.update({f"GRAPHMEM_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def start_serve(data_dir: Path, port: int, **settings: object) -> subprocess.Popen[bytes]:
    """``graphmem serve`` on ``port``, once it reports ready; ``settings`` become GRAPHMEM_* vars."""
    env = _env(data_dir, port=port, **settings)
    proc = subprocess.Popen([sys.executable, "-m", "graphmem.cli.main", "serve"], env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "graphmem serve exited during start-up"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise AssertionError("graphmem serve did not become ready")


def start_worker(data_dir: Path, *args: str, **settings: object) -> subprocess.Popen[bytes]:
    """``graphmem worker``; its output goes to ``data_dir / "worker.log"``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "worker.log", "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "graphmem.cli.main", "worker", *args],
                                env=_env(data_dir, **settings), stdout=log, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes], timeout: float = 60) -> int:
    import signal

    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=timeout)
