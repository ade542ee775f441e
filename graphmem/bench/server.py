"""A real ``graphmem serve`` in a subprocess, on a free loopback port with a throwaway data dir.

The benchmarks measure the server as it ships: its own process, its own embedded PostgreSQL,
HTTP in between. Whatever happens (errors, Ctrl-C, SIGTERM), the server is stopped with
SIGTERM so that its lifespan stops PostgreSQL, and the directory is deleted.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Iterator

import httpx

__all__ = ["RunningServer", "ServerError", "running_server", "drain_queue", "process_alive"]

HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """The server did not start, or died while the benchmark was running."""


@dataclass(slots=True)
class RunningServer:
    base_url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    startup_s: float = 0.0
    exit_code: int | None = None  # set once stopped
    command: tuple[str, ...] = ()
    env: dict[str, str] | None = None

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown, the embedded PostgreSQL left orphaned."""
        self.process.kill()
        self.process.wait()

    def restart(self, timeout_s: float = 180.0) -> None:
        """Start the server again on the same data directory and port (after ``kill``)."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                            start_new_session=True)
        _wait_ready(self, timeout_s)

    @property
    def stopped_cleanly(self) -> bool:
        # uvicorn re-raises the SIGTERM it handled once shutdown completes, so -15 is a clean exit.
        return self.exit_code in (0, -signal.SIGTERM)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _wait_ready(server: RunningServer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=server.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise ServerError(f"server exited with {server.process.returncode}:\n{server.log_tail()}")
            try:
                if client.get("/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.2)
    raise ServerError(f"server not ready after {timeout_s:.0f} s:\n{server.log_tail()}")


def process_alive(pid: int) -> bool:
    """Running, and not a zombie (an orphan reparented to an init that does not reap stays one)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _stop_orphan_postgres(pgdata: Path, timeout_s: float = 30.0) -> None:
    """Only after a crash or a kill: the postmaster outlives the server, so stop it here
    (SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate one)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return
    for sig in (signal.SIGINT, signal.SIGQUIT):
        if not process_alive(pid):
            return
        print(f"bench: stopping leftover PostgreSQL (pid {pid}) with {sig.name}", file=sys.stderr)
        os.kill(pid, sig)
        deadline = time.monotonic() + timeout_s
        while process_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)


def _stop(server: RunningServer, timeout_s: float) -> None:
    proc = server.process
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            print(f"bench: server ignored SIGTERM for {timeout_s:.0f} s; killing it", file=sys.stderr)
            proc.kill()
            proc.wait()
    server.exit_code = proc.returncode
    if not server.stopped_cleanly:
        print(f"bench: server exited with {server.exit_code}:\n{server.log_tail()}", file=sys.stderr)
    _stop_orphan_postgres(server.data_dir / "pgdata")


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def running_server(
    *, startup_timeout_s: float = 180.0, stop_timeout_s: float = 60.0, settings: dict[str, object] | None = None
) -> Iterator[RunningServer]:
    """Start ``graphmem serve`` and yield once ``GET /ready`` answers 200; ``settings`` become
    ``GRAPHMEM_*`` variables of the server."""
    root = Path(tempfile.mkdtemp(prefix="graphmem-bench-"))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "GRAPHMEM_DATABASE_URL"}  # always embedded
    env["PYTHONUNBUFFERED"] = "1"  # so that the log tail shown on failure is complete
    env.update({f"GRAPHMEM_{k.upper()}": str(v) for k, v in (settings or {}).items()})
    cmd = [sys.executable, "-m", "graphmem.cli.main", "serve", "--host", HOST, "--port", str(port),
           "--data-dir", str(root / "data")]  # fmt: skip
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_on_sigterm)
    server: RunningServer | None = None
    try:
        with open(root / "server.log", "wb") as log:
            started = time.monotonic()
            # Its own session: Ctrl-C reaches only the bench, which then stops the server in order.
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        server = RunningServer(f"http://{HOST}:{port}", root / "data", root / "server.log", proc,
                               command=tuple(cmd), env=env)
        _wait_ready(server, startup_timeout_s)
        server.startup_s = time.monotonic() - started
        yield server
    finally:
        try:
            if server is not None:
                _stop(server, stop_timeout_s)
        finally:
            shutil.rmtree(root, ignore_errors=True)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def drain_queue(client: Any, timeout_s: float = 3600.0) -> dict[str, int]:
    """Wait until the ingest queue has nothing queued or running; fail on failed jobs. A server
    still recovering (503, refused connection) is waited for too."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            response = client.get("/v1/status")
            queue = response.json()["queue"] if response.status_code == 200 else None
        except httpx.TransportError:
            queue = None
        if queue is not None and queue["failed"]:
            raise RuntimeError(f"{queue['failed']} ingest jobs failed; see GET /v1/admin/jobs")
        if queue is not None and queue["queued"] + queue["running"] == 0:
            return queue  # type: ignore[no-any-return]
        if time.monotonic() > deadline:
            raise TimeoutError(f"the ingest queue did not drain: {queue}")
        time.sleep(0.5)
