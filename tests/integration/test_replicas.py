"""API replicas are stateless: two servers and two separate workers share one PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pytest

from graphmem.store.embedded import EmbeddedPostgres
from graphmem.store.engine import ensure_database
from processes import free_port, start_serve, start_worker, stop


@pytest.mark.slow
def test_two_api_replicas_and_two_workers_share_one_database(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg" / "pgdata")
    url = pg.start("postgres")
    asyncio.run(ensure_database(url, "graphmem"))
    url = url.replace("/postgres?", "/graphmem?", 1)
    shared = {"database_url": url, "workers": 0, "job_poll_s": 0.05, "rate_limit_per_minute": 0}
    ports = [free_port(), free_port()]
    servers = [start_serve(tmp_path / f"api{n}", port, **shared) for n, port in enumerate(ports)]
    workers = [start_worker(tmp_path / f"w{n}", **shared) for n in range(2)]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        jobs = []
        for i in range(24):  # alternate replicas; neither runs workers, so the two workers must
            body = {"messages": [{"role": "user", "speaker": "Vera", "client_id": f"m{i}",
                                  "text": f"Note {i}: I renewed the warranty for my dishwasher model X{i}."}]}
            r = httpx.post(f"{bases[i % 2]}/v1/users/vera/conversations/c/messages", json=body, timeout=30)
            assert r.status_code == 202, r.text
            jobs.append(r.json()["job"])
        deadline = time.monotonic() + 120
        for job in jobs:  # each replica answers for jobs the other accepted
            while True:
                state = httpx.get(f"{bases[1]}{job['href']}", timeout=30).json()["state"]
                if state == "done" or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert state == "done"
        found = [httpx.post(f"{b}/v1/users/vera/memories/search", json={"query": "dishwasher warranty", "limit": 30},
                            timeout=30).json()["hits"] for b in bases]
        assert len(found[0]) == len(found[1]) == 24
        assert [h["memory_id"] for h in found[0]] == [h["memory_id"] for h in found[1]]
    finally:
        for proc in servers:
            stop(proc)
        for proc in workers:
            stop(proc)
        pg.stop()
    processed = []
    for n, proc in enumerate(workers):
        assert proc.returncode == 0
        log = (tmp_path / f"w{n}" / "worker.log").read_text()
        processed.append(int(re.findall(r"graphmem worker: (\d+) jobs processed", log)[-1]))
    assert sum(processed) >= 24 and min(processed) > 0, processed  # both took a share (and maintenance)
