"""``graphmem bench ingest``: sustained messages/s through HTTP and the ingest queue, next to
the bare models (``encode`` + ``nlp.pipe``) on the same batches.

The clock runs from the first POST until the workers have processed every job, so it covers
embedding, extraction, the graph writes and the queue. The bare models are the floor of ingest
cost; the ratio says how much the rest of the server adds. The two are measured one after the
other, never at once, so that they do not compete for the same cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Sequence

import httpx

from graphmem.bench.extract import bare_pipeline
from graphmem.bench.locomo import Turn, flatten_turns, load_samples
from graphmem.bench.report import environment, print_header, print_result, print_table
from graphmem.bench.server import drain_queue, running_server
from graphmem.limits import MAX_BATCH_MESSAGES, MAX_PAGE_SIZE
from graphmem.settings import Settings

__all__ = [
    "IngestRun",
    "load_turns",
    "request_batches",
    "ingest_over_http",
    "count_stored",
    "bare_embedder",
    "embed_batches",
    "warm_up_server",
    "run_ingest",
]


@dataclass(slots=True)
class IngestRun:
    requests: int
    created: int
    duplicates: int
    seconds: float


def load_turns(args: argparse.Namespace) -> list[Turn]:
    """The first ``--messages`` turns of ``--data``; fewer, with a note, if the file is shorter."""
    if args.messages < 1 or not 1 <= args.batch <= MAX_BATCH_MESSAGES:
        raise ValueError(f"--messages must be >= 1 and --batch between 1 and {MAX_BATCH_MESSAGES}")
    turns = flatten_turns(load_samples(args.data))
    if len(turns) < args.messages:
        print(f"note: {args.data} has only {len(turns)} turns; using all of them", file=sys.stderr)
    return turns[: args.messages]


def request_batches(turns: Sequence[Turn], size: int) -> list[list[Turn]]:
    """Consecutive turns of one session, at most ``size`` each: a request addresses one conversation,
    so a batch never crosses a session boundary."""
    out: list[list[Turn]] = []
    for _, group in groupby(turns, key=lambda t: (t.sample_id, t.session)):
        session = list(group)
        out.extend(session[i : i + size] for i in range(0, len(session), size))
    return out


def _path(turn: Turn) -> str:
    return f"/v1/users/{turn.sample_id}/conversations/{turn.session}/messages"


def _body(batch: Sequence[Turn]) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "other", "text": t.text, "speaker": t.speaker, "timestamp": t.timestamp.isoformat(),
             "client_id": t.dia_id}  # fmt: skip
            for t in batch
        ]
    }


def ingest_over_http(client: httpx.Client, batches: Sequence[Sequence[Turn]], senders: int = 4) -> IngestRun:
    """POST the batches from ``senders`` clients at once, without waiting (202), then wait
    until the server's workers have processed every job: sustained ingest, end to end."""
    from concurrent.futures import ThreadPoolExecutor

    bodies = [(_path(b[0]), _body(b)) for b in batches]  # built before the clock starts

    def send(item: tuple[str, dict[str, Any]]) -> tuple[int, int]:
        response = client.post(item[0], json=item[1])
        response.raise_for_status()
        return response.json()["created"], response.json()["duplicates"]

    started = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        replies = list(pool.map(send, bodies))
    drain_queue(client)
    seconds = time.perf_counter() - started
    return IngestRun(len(bodies), sum(c for c, _ in replies), sum(d for _, d in replies), seconds)


def count_stored(client: httpx.Client, turns: Sequence[Turn]) -> int:
    """Read every conversation back, page by page, and count the messages the server holds."""
    total = 0
    for sample_id, session in dict.fromkeys((t.sample_id, t.session) for t in turns):
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": MAX_PAGE_SIZE} | ({"cursor": cursor} if cursor else {})
            response = client.get(f"/v1/users/{sample_id}/conversations/{session}/messages", params=params)
            response.raise_for_status()
            page = response.json()
            total += len(page["messages"])
            if not (cursor := page["next_cursor"]):
                break
    return total


def bare_embedder(settings: Settings) -> Any:
    """The embedder configured exactly as the server's (model, encode batch size, torch threads)."""
    from graphmem.embed.sentence import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        settings.embedding_model, batch_size=settings.embedding_batch_size, threads=settings.torch_threads
    )


def embed_batches(embedder: Any, batches: Sequence[Sequence[Turn]]) -> float:
    """Seconds to embed the batches the way the ingest stage does: one ``embed`` call per request."""
    texts = [[t.text for t in b] for b in batches]
    embedder.embed(texts[0])  # warm-up, like the server's first request
    started = time.perf_counter()
    for batch in texts:
        embedder.embed(batch)
    return time.perf_counter() - started


def parse_batches(nlp: Any, batches: Sequence[Sequence[Turn]]) -> float:
    """Seconds for bare ``nlp.pipe`` over the same request batches."""
    list(nlp.pipe([t.text for t in batches[0]]))  # warm-up
    start = time.perf_counter()
    for batch in batches:
        for _doc in nlp.pipe([t.text for t in batch]):
            pass
    return time.perf_counter() - start


def warm_up_server(client: httpx.Client) -> None:
    """One query through the server's model, so that neither side pays torch's first call."""
    client.post("/v1/users/bench-warmup/memories/search", json={"query": "warm up", "limit": 1}).raise_for_status()


def run_ingest(args: argparse.Namespace) -> int:
    turns = load_turns(args)
    batches = request_batches(turns, args.batch)
    settings = Settings.from_env()
    env = environment()
    print_header(
        "ingest",
        env,
        [("data", args.data), ("messages", len(turns)), ("batch", args.batch), ("requests", len(batches)),
         ("model", settings.embedding_model), ("threads", settings.torch_threads)],
    )  # fmt: skip

    with running_server() as server, httpx.Client(base_url=server.base_url, timeout=120.0) as client:
        warm_up_server(client)
        http = ingest_over_http(client, batches)
        stored = count_stored(client, turns)
    embed_s = embed_batches(bare_embedder(settings), batches)
    parse_s = parse_batches(bare_pipeline(settings.spacy_model), batches)

    n = len(turns)
    http_rate, embed_rate, models_rate = n / http.seconds, n / embed_s, n / (embed_s + parse_s)
    print_table(
        ["path", "messages", "seconds", "messages/s"],
        [
            ["HTTP ingest (end to end)", n, http.seconds, http_rate],
            ["bare embedding", n, embed_s, embed_rate],
            ["bare nlp.pipe", n, parse_s, n / parse_s],
            ["bare models (encode + nlp.pipe)", n, embed_s + parse_s, models_rate],
        ],
    )
    print(f"HTTP / bare embedding: {http_rate / embed_rate:.3f}; HTTP / bare models: {http_rate / models_rate:.3f}   "
          f"(server startup {server.startup_s:.1f} s, mean batch {n / len(batches):.1f})")  # fmt: skip
    ok = http.created == n and stored == n
    print(f"created {http.created}, duplicates {http.duplicates}, stored {stored}, expected {n}: "
          f"{'OK' if ok else 'MISMATCH'}")  # fmt: skip
    print_result(
        env
        | {
            "bench": "ingest",
            "ok": ok,
            "messages": n,
            "batch": args.batch,
            "requests": http.requests,
            "created": http.created,
            "duplicates": http.duplicates,
            "stored": stored,
            "http_seconds": http.seconds,
            "http_msgs_per_s": http_rate,
            "embed_seconds": embed_s,
            "embed_msgs_per_s": embed_rate,
            "ratio": http_rate / embed_rate,
            "parse_seconds": parse_s,
            "models_msgs_per_s": models_rate,
            "ratio_models": http_rate / models_rate,
            "server_startup_s": server.startup_s,
            "server_exit": server.exit_code,
            "server_stopped_cleanly": server.stopped_cleanly,
        }
    )
    return 0 if ok else 1
