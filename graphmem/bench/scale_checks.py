"""What ``graphmem bench scale`` checks against the loaded database, beside HTTP latency.

- The vector query (``store.memories.vector_ranking``, which the search service runs, as ``graphmem_app``
  under row-level security): top-k recall against exact search over the user's stored vectors,
  its latency and its plan; optionally the same with the planner pushed onto the HNSW index.
- The whole search service call with a fake embedder: what a search costs beyond the model.
- Database and index sizes; resident memory of the server and of PostgreSQL.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import psutil
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.bench.stats import summarize
from graphmem.dto import SearchRequest
from graphmem.embed.fake import FakeEmbedder
from graphmem.services.search import SearchService
from graphmem.store import bulk
from graphmem.store.engine import APP_ROLE, create_engine
from graphmem.store.memories import MemoryFilter, vector_search
from graphmem.store.privacy import scope_to_user

__all__ = ["K", "vector_checks", "storage", "memory"]

K = 10


async def _recall(app: AsyncEngine, owner: AsyncEngine, users: Sequence[str], queries: np.ndarray,
                  force_hnsw: bool) -> dict[str, Any]:  # fmt: skip
    recalls, latencies, short = [], [], 0
    plan: list[str] = []
    for user, q in zip(users, queries):
        async with owner.connect() as conn:
            ids, vectors = await bulk.user_vectors(conn, user)
        truth = {ids[i] for i in np.argsort(-(vectors @ q), kind="stable")[:K]}
        async with app.begin() as conn:
            await scope_to_user(conn, user)
            if force_hnsw:
                await bulk.prefer_vector_index(conn)
            started = time.perf_counter()
            got = await vector_search(conn, user, q, MemoryFilter(), K)
            latencies.append((time.perf_counter() - started) * 1000)
            if not plan:
                plan = await bulk.explain(conn, bulk.vector_query(user, q, K))
        short += len(got) < min(K, len(ids))
        recalls.append(len(truth & {i for i, _ in got}) / max(1, min(K, len(ids))))
    return {"recall_mean": float(np.mean(recalls)), "recall_min": float(np.min(recalls)), "short_results": short,
            "vector_sql_ms": summarize(latencies), "plan": plan}  # fmt: skip


async def vector_checks(url: str, users: Sequence[str], questions: Sequence[str], queries: np.ndarray,
                        hnsw: bool = False) -> dict[str, Any]:  # fmt: skip
    """Recall, latency and plan of the vector query; the service call without the model; with
    ``hnsw``, the same recall check with the planner pushed onto the HNSW index (diagnosis only)."""
    app = create_engine(url, pool_size=2, role=APP_ROLE)
    owner = create_engine(url, pool_size=1)
    service = SearchService(app, FakeEmbedder())
    service_ms = []
    try:
        for user, question in zip(users, questions):
            started = time.perf_counter()
            await service.search(user, SearchRequest(query=question, limit=K))
            service_ms.append((time.perf_counter() - started) * 1000)
        result = await _recall(app, owner, users, queries, force_hnsw=False)
        forced = await _recall(app, owner, users, queries, force_hnsw=True) if hnsw else None
    finally:
        await app.dispose()
        await owner.dispose()
    return {**result, "service_no_model_ms": summarize(service_ms), "forced_hnsw": forced}


async def storage(url: str) -> dict[str, Any]:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await bulk.storage(conn)
    finally:
        await engine.dispose()


def memory(server_pid: int, pgdata: Path) -> dict[str, int]:
    """RSS of the server process; PSS summed over PostgreSQL's processes (shared buffers once)."""
    out = {"server_rss_bytes": psutil.Process(server_pid).memory_info().rss}
    try:
        postmaster = psutil.Process(int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0]))
        total = 0
        for proc in [postmaster, *postmaster.children(recursive=True)]:
            try:
                total += proc.memory_full_info().pss
            except psutil.Error:  # a backend that exited meanwhile
                continue
        out["postgres_pss_bytes"] = total
    except (OSError, ValueError, psutil.Error):
        out["postgres_pss_bytes"] = -1
    return out
