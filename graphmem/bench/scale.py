"""``graphmem bench scale``: search at 1,000,000 memories across 10,000 users, over HTTP.

A real ``graphmem serve`` starts on a throwaway data directory; the bench then bulk-loads its
embedded database directly (``store.bulk``: COPY, no models on the write path; see
``scale_data`` for how texts and vectors are made) and rebuilds the secondary indexes, timing
each. Searches go through HTTP like any client's, one at a time, for random users with real
LoCoMo questions. For each vector-index strategy it reports HTTP p50/p95, the vector query
alone (as ``graphmem_app`` under row-level security, with its EXPLAIN), top-10 recall of that
query against exact search, database size and the resident memory of the server and of
PostgreSQL. ``--vector-index both`` measures the per-user exact scan first, then builds the
HNSW index and measures again, so one load yields both.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import time
from typing import Any, Sequence

import httpx
import numpy as np

from graphmem.bench.ingest import bare_embedder, warm_up_server
from graphmem.bench.locomo import flatten_questions, flatten_turns, load_samples
from graphmem.bench.report import environment, print_header, print_result, print_table
from graphmem.bench.scale_checks import K, memory, storage, vector_checks
from graphmem.bench.scale_data import NOISE, stage_payload, user_block, user_ids
from graphmem.bench.server import running_server
from graphmem.bench.stats import summarize
from graphmem.settings import Settings
from graphmem.store import bulk
from graphmem.store.database import EMBEDDED_DATABASE
from graphmem.store.embedded import EmbeddedPostgres
from graphmem.store.engine import APP_ROLE, create_engine

__all__ = ["TARGET_P95_MS", "TARGET_RSS_BYTES", "MIN_RECALL", "run_scale"]

TARGET_P95_MS = 25.0
TARGET_RSS_BYTES = 1.5 * 2**30
MIN_RECALL = 0.99
HNSW_INDEX = "memories_embedding_hnsw_idx"
# Migration 0009 dropped it from the schema; the bench builds it to show what it would (not) buy.
HNSW_DEFINITION = f"CREATE INDEX {HNSW_INDEX} ON public.memories USING hnsw (embedding vector_cosine_ops)"
ROWS_PER_COPY = 50_000


async def _load(url: str, users: list[str], per_user: int, pool: np.ndarray, texts: list[str], model: str,
                seed: int) -> dict[str, Any]:  # fmt: skip
    """Fill the database; returns seconds per step and per rebuilt index (HNSW left out)."""
    engine = create_engine(url, pool_size=1, statement_timeout_ms=0)
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {"index_s": {}}
    try:
        async with engine.begin() as conn:
            indexes = await bulk.secondary_indexes(conn, ["memories", "messages"])
            await bulk.drop_indexes(conn, [name for name, _ in indexes])
            await bulk.create_stage(conn, texts)
        started = time.perf_counter()
        step = max(1, ROWS_PER_COPY // per_user)
        async with engine.begin() as conn:
            for lo in range(0, len(users), step):
                block = user_block(users[lo:lo + step], per_user, 1 + lo * per_user, pool, rng)
                await bulk.copy_stage(conn, stage_payload(block))
        out["copy_s"] = time.perf_counter() - started
        started = time.perf_counter()
        async with engine.begin() as conn:
            await bulk.publish_stage(conn, model)
        out["insert_s"] = time.perf_counter() - started
        out["hnsw_definition"] = dict(indexes).get(HNSW_INDEX, HNSW_DEFINITION)
        for name, definition in indexes:
            if name == HNSW_INDEX:
                continue
            started = time.perf_counter()
            async with engine.begin() as conn:
                await bulk.create_index(conn, definition)
            out["index_s"][name] = time.perf_counter() - started
        out["vacuum_s"] = await _vacuum(engine)
    finally:
        await engine.dispose()
    return out


async def _vacuum(engine: Any) -> float:
    started = time.perf_counter()
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await bulk.vacuum_analyze(conn, ["users", "conversations", "messages", "memories"])
    return time.perf_counter() - started


async def _build_hnsw(url: str, definition: str) -> float:
    engine = create_engine(url, pool_size=1, statement_timeout_ms=0)
    try:
        started = time.perf_counter()
        async with engine.begin() as conn:
            await bulk.create_index(conn, definition, maintenance_work_mem="4GB")
        took = time.perf_counter() - started
        await _vacuum(engine)
        return took
    finally:
        await engine.dispose()


def _time_http(client: httpx.Client, work: Sequence[tuple[str, str]]) -> tuple[list[float], int]:
    for user, question in work[:5]:  # warm-up, not timed
        client.post(f"/v1/users/{user}/memories/search", json={"query": question, "limit": K}).raise_for_status()
    latencies, hits = [], 0
    for user, question in work:
        started = time.perf_counter()
        reply = client.post(f"/v1/users/{user}/memories/search", json={"query": question, "limit": K})
        latencies.append((time.perf_counter() - started) * 1000)
        reply.raise_for_status()
        hits += len(reply.json()["hits"])
    return latencies, hits


def _time_embeddings(embedder: Any, queries: Sequence[str]) -> dict[str, float]:
    """Milliseconds per ``embed_query(query)`` in this process, after the server has stopped."""
    for q in queries[:5]:
        embedder.embed_query(q)
    latencies = []
    for q in queries:
        started = time.perf_counter()
        embedder.embed_query(q)
        latencies.append((time.perf_counter() - started) * 1000)
    return summarize(latencies)


def _measure(name: str, client: httpx.Client, server: Any, url: str, work: Sequence[tuple[str, str]],
             recall_users: Sequence[str], recall: tuple[list[str], np.ndarray]) -> dict[str, Any]:  # fmt: skip
    http_ms, hits = _time_http(client, work)
    check = asyncio.run(vector_checks(url, recall_users, *recall, hnsw=name.startswith("hnsw")))
    print(f"{name}: HTTP p50 {summarize(http_ms)['p50']:.1f} ms, p95 {summarize(http_ms)['p95']:.1f} ms; "
          f"recall@10 mean {check['recall_mean']:.4f}, min {check['recall_min']:.2f}", flush=True)
    return {"strategy": name, "http_ms": summarize(http_ms), "mean_hits": hits / len(work), **check,
            **memory(server.process.pid, server.data_dir / "pgdata"), **asyncio.run(storage(url))}  # fmt: skip


def _report(results: Sequence[dict[str, Any]]) -> None:
    mib = 2**20
    print_table(
        ["strategy", "HTTP p50 ms", "HTTP p95 ms", "service w/o model p50", "p95", "vector SQL p50", "p95",
         "recall@10 mean", "min",
         "server RSS MiB", "PG PSS MiB", "DB MiB"],
        [[r["strategy"], r["http_ms"]["p50"], r["http_ms"]["p95"], r["service_no_model_ms"]["p50"],
          r["service_no_model_ms"]["p95"], r["vector_sql_ms"]["p50"],
          r["vector_sql_ms"]["p95"], r["recall_mean"], r["recall_min"], r["server_rss_bytes"] / mib,
          r["postgres_pss_bytes"] / mib, r["database_bytes"] / mib] for r in results],
    )  # fmt: skip
    for r in results:
        if r.get("forced_hnsw"):
            f = r["forced_hnsw"]
            print(f"HNSW forced (enable_sort = off, diagnosis only): recall@10 mean {f['recall_mean']:.3f}, "
                  f"min {f['recall_min']:.2f}, users with fewer than 10 rows {f['short_results']}, "
                  f"vector SQL p50 {f['vector_sql_ms']['p50']:.1f} ms, p95 {f['vector_sql_ms']['p95']:.1f} ms")
            print("\n".join("  " + re.sub(r"'\[[^\]]*\]'", "'[…]'", line) for line in f["plan"]))
        print(f"EXPLAIN ({r['strategy']}), as {APP_ROLE} under row-level security:")
        print("\n".join("  " + re.sub(r"'\[[^\]]*\]'", "'[…]'", line) for line in r["plan"]))
        print()


def run_scale(args: argparse.Namespace) -> int:
    if args.users < 1 or args.per_user < 1 or args.queries < 1:
        raise ValueError("--users, --per-user and --queries must be at least 1")
    samples = load_samples(args.data)
    texts = list(dict.fromkeys(t.text for t in flatten_turns(samples)))[: args.pool]
    questions = [q.question for q in flatten_questions(samples)]
    settings = Settings.from_env()
    env = environment()
    print_header("scale", env, [
        ("users", args.users), ("per user", args.per_user), ("memories", args.users * args.per_user),
        ("texts", f"{len(texts)} LoCoMo turns, real embeddings + noise of norm {NOISE}"), ("queries", args.queries),
        ("index", args.vector_index), ("model", settings.embedding_model), ("threads", settings.torch_threads),
    ])  # fmt: skip
    embedder = bare_embedder(settings)
    started = time.perf_counter()
    pool = np.asarray(embedder.embed(texts), dtype=np.float32)
    embed_s = time.perf_counter() - started
    rnd = random.Random(args.seed)
    users = user_ids(args.users)
    work = [(rnd.choice(users), rnd.choice(questions)) for _ in range(args.queries)]
    recall_users = rnd.sample(users, min(args.recall_users, len(users)))
    recall_questions = [rnd.choice(questions) for _ in recall_users]
    recall = (recall_questions, np.asarray(embedder.embed(recall_questions), dtype=np.float32))

    results: list[dict[str, Any]] = []
    with running_server() as server, httpx.Client(base_url=server.base_url, timeout=120.0) as client:
        pg = EmbeddedPostgres(server.data_dir / "pgdata")  # the server's own, already running
        url = pg.start(EMBEDDED_DATABASE)
        try:
            load = asyncio.run(_load(url, users, args.per_user, pool, texts, settings.embedding_model, args.seed))
            print(f"loaded: COPY {load['copy_s']:.1f} s, INSERT {load['insert_s']:.1f} s, indexes "
                  f"{sum(load['index_s'].values()):.1f} s, VACUUM {load['vacuum_s']:.1f} s", flush=True)
            warm_up_server(client)
            load["hnsw_s"] = None
            if args.vector_index in ("exact", "both"):
                results.append(_measure("exact (user_id btree)", client, server, url, work, recall_users, recall))
            if args.vector_index in ("hnsw", "both"):
                load["hnsw_s"] = asyncio.run(_build_hnsw(url, load["hnsw_definition"]))
                print(f"HNSW index built in {load['hnsw_s']:.1f} s", flush=True)
                results.append(_measure("hnsw + iterative scan", client, server, url, work, recall_users, recall))
        finally:
            pg.stop()  # only forgets the handle: the server owns this PostgreSQL
    embed_ms = _time_embeddings(embedder, [q for _, q in work])
    print(f"bare query embedding (the floor under any search): p50 {embed_ms['p50']:.1f} ms, "
          f"p95 {embed_ms['p95']:.1f} ms")
    print(f"embedded {len(texts)} pool texts in {embed_s:.1f} s; COPY {load['copy_s']:.1f} s, "
          f"INSERT … SELECT {load['insert_s']:.1f} s, VACUUM ANALYZE {load['vacuum_s']:.1f} s")
    print_table(["index", "build s"], [*load["index_s"].items(), (HNSW_INDEX, load["hnsw_s"] or "not built")])
    _report(results)
    ok = all(r["recall_min"] >= MIN_RECALL and r["short_results"] == 0 for r in results)
    print(f"recall@10 >= {MIN_RECALL} for every sampled user: {ok}; targets: HTTP p95 <= {TARGET_P95_MS} ms, "
          f"server RSS <= {TARGET_RSS_BYTES / 2**30:.1f} GiB")
    print_result({**env, "bench": "scale", "users": args.users, "per_user": args.per_user, "pool_texts": len(texts),
                  "noise": NOISE, "embed_pool_s": embed_s, "embed_query_ms": embed_ms, "load": load, "results": results, "ok": ok,
                  "server_exit": server.exit_code})  # fmt: skip
    return 0 if ok else 1
