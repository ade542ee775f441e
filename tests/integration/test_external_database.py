"""With GRAPHMEM_DATABASE_URL set, graphmem uses that server, or says clearly why it cannot."""

from __future__ import annotations

import os
import subprocess
import sys


def _migrate(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRAPHMEM_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "graphmem.cli.main", "migrate"], env=env, capture_output=True, text=True, timeout=120
    )


def test_migrate_uses_the_given_server(database_url: str) -> None:
    done = _migrate(database_url)
    assert done.returncode == 0, done.stderr
    assert "latest migration" in done.stdout


def test_unreachable_server_is_a_clear_error() -> None:
    done = _migrate("postgresql://nobody@/nodb?host=/nonexistent-socket-dir")
    assert done.returncode == 1
    assert done.stderr.startswith("graphmem: cannot prepare the database")
    assert "Traceback" not in done.stderr


def test_wrong_scheme_is_a_clear_error() -> None:
    done = _migrate("mysql://u@h/db")
    assert done.returncode == 1 and "postgresql://" in done.stderr and "Traceback" not in done.stderr
