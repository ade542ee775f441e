"""``graphmem bench search``: search latency over HTTP, next to the bare query embedding.

Embedding the query is the one cost every search pays before it touches the database; the
ratio says how much the channels, fusion and HTTP add. As with ingest, the two are measured
one after the other, never at once.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Sequence

import httpx

from graphmem.bench.ingest import (
    bare_embedder,
    count_stored,
    ingest_over_http,
    load_turns,
    request_batches,
    warm_up_server,
)
from graphmem.bench.locomo import Question, flatten_questions, load_samples
from graphmem.bench.report import environment, print_header, print_result, print_table
from graphmem.bench.server import running_server
from graphmem.bench.stats import summarize
from graphmem.settings import Settings

__all__ = [
    "WARMUP_QUERIES",
    "SEARCH_LIMIT",
    "pick_questions",
    "time_searches",
    "time_query_embeddings",
    "run_search",
]

WARMUP_QUERIES = 5  # run, not timed, before each side's measurement
SEARCH_LIMIT = 10


def pick_questions(questions: Sequence[Question], sample_ids: set[str], count: int) -> list[Question]:
    """``count`` questions about the ingested conversations, in file order, cycling if there are fewer."""
    pool = [q for q in questions if q.sample_id in sample_ids]
    if not pool:
        raise ValueError("no questions of categories 1-4 about the ingested conversations")
    return [pool[i % len(pool)] for i in range(count)]


def time_searches(client: httpx.Client, questions: Sequence[Question]) -> tuple[list[float], int]:
    """Milliseconds per search, one request at a time, and the total number of hits returned."""
    for q in questions[:WARMUP_QUERIES]:
        _search(client, q)
    latencies: list[float] = []
    hits = 0
    for q in questions:
        started = time.perf_counter()
        reply = _search(client, q)
        latencies.append((time.perf_counter() - started) * 1000)
        hits += len(reply["hits"])
    return latencies, hits


def _search(client: httpx.Client, q: Question) -> dict[str, Any]:
    body = {"query": q.question, "limit": SEARCH_LIMIT}
    response = client.post(f"/v1/users/{q.sample_id}/memories/search", json=body)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def time_query_embeddings(embedder: Any, questions: Sequence[Question]) -> list[float]:
    """Milliseconds per ``embed_query(query)``, the call the search service makes."""
    for q in questions[:WARMUP_QUERIES]:
        embedder.embed_query(q.question)
    latencies: list[float] = []
    for q in questions:
        started = time.perf_counter()
        embedder.embed_query(q.question)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def run_search(args: argparse.Namespace) -> int:
    if args.queries < 1:
        raise ValueError("--queries must be >= 1")
    turns = load_turns(args)
    batches = request_batches(turns, args.batch)
    questions = pick_questions(
        flatten_questions(load_samples(args.data)), {t.sample_id for t in turns}, args.queries
    )
    settings = Settings.from_env()
    env = environment()
    print_header(
        "search",
        env,
        [("data", args.data), ("messages", len(turns)), ("batch", args.batch), ("queries", len(questions)),
         ("limit", SEARCH_LIMIT), ("warm-up", WARMUP_QUERIES), ("model", settings.embedding_model),
         ("threads", settings.torch_threads)],
    )  # fmt: skip

    with running_server() as server, httpx.Client(base_url=server.base_url, timeout=120.0) as client:
        warm_up_server(client)
        ingest = ingest_over_http(client, batches)
        stored = count_stored(client, turns)
        http_ms, hits = time_searches(client, questions)
    embed_ms = time_query_embeddings(bare_embedder(settings), questions)

    http, embed = summarize(http_ms), summarize(embed_ms)
    print(f"ingested {ingest.created} messages in {ingest.seconds:.1f} s "
          f"({ingest.created / ingest.seconds:.1f} messages/s); stored {stored}")  # fmt: skip
    print()
    print_table(
        ["latency (ms)", "p50", "p95", "mean", "max"],
        [
            ["HTTP search", http["p50"], http["p95"], http["mean"], http["max"]],
            ["bare query embedding", embed["p50"], embed["p95"], embed["mean"], embed["max"]],
            ["ratio HTTP / embed", http["p50"] / embed["p50"], http["p95"] / embed["p95"],
             http["mean"] / embed["mean"], ""],
        ],
    )  # fmt: skip
    ok = ingest.created == len(turns) and stored == len(turns)
    verdict = "OK" if ok else "MISMATCH"
    print(f"{len(questions)} queries, {hits / len(questions):.1f} hits each on average; "
          f"created {ingest.created}, stored {stored}, expected {len(turns)}: {verdict}")  # fmt: skip
    print_result(
        env
        | {
            "bench": "search",
            "ok": ok,
            "messages": len(turns),
            "created": ingest.created,
            "stored": stored,
            "ingest_msgs_per_s": ingest.created / ingest.seconds,
            "queries": len(questions),
            "mean_hits": hits / len(questions),
            "http_ms": http,
            "embed_ms": embed,
            "ratio_p50": http["p50"] / embed["p50"],
            "ratio_p95": http["p95"] / embed["p95"],
            "server_startup_s": server.startup_s,
            "server_exit": server.exit_code,
            "server_stopped_cleanly": server.stopped_cleanly,
        }
    )
    return 0 if ok else 1
