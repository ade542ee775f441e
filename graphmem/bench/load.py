"""``graphmem bench load``: concurrent clients on a realistic mix, optionally under faults.

Each client owns a user and loops over ingest (without ``wait``, retried with the same client
ids until acknowledged, as a careful client would), search, context, entity and relation
queries. At the end the queue must drain and every acknowledged message must be stored and
processed exactly once in effect. ``--faults N`` kills the server with SIGKILL and restarts
PostgreSQL, alternately, N times under the same load, and counts what was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

from graphmem.bench.locomo import flatten_turns, load_samples
from graphmem.bench.report import environment, print_header, print_result, print_table
from graphmem.bench.server import RunningServer, drain_queue, process_alive, running_server
from graphmem.bench.stats import percentile

__all__ = ["run_load"]

MIX = {"ingest": 35, "search": 35, "context": 12, "entities": 12, "relations": 6}
SERVER = {"rate_limit_per_minute": 0, "job_lease_s": 3, "job_poll_s": 0.2}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    acked: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    faulty = False  # inside a fault window, 503s and refused connections are expected
    unexpected: Counter[str] = field(default_factory=Counter)

    def record(self, op: str, status: int | str, seconds: float) -> None:
        self.statuses[op][str(status)] += 1
        if isinstance(status, int) and status < 500:
            self.latencies[op].append(seconds * 1000)
        elif status == 500 or not self.faulty:
            self.unexpected[f"{op} {status}"] += 1


async def _client(http: httpx.AsyncClient, user: str, texts: list[str], tally: Tally, stop: asyncio.Event,
                  seed: int) -> None:
    rng = random.Random(seed)
    ops, weights = list(MIX), list(MIX.values())
    sequence = 0
    while not stop.is_set():
        op = rng.choices(ops, weights)[0]
        if op == "ingest":
            sequence += 1
            body = {"messages": [
                {"role": rng.choice(["user", "assistant"]), "text": rng.choice(texts), "client_id": f"{sequence}-{k}"}
                for k in range(rng.randint(1, 4))
            ]}
            await _until_acked(http, user, body, tally, stop)
            continue
        query = " ".join(rng.choice(texts).split()[:6]) or "hello"
        request = {
            "search": ("POST", f"/v1/users/{user}/memories/search", {"json": {"query": query, "limit": 10}}),
            "context": ("GET", f"/v1/users/{user}/context", {"params": {"query": query, "max_tokens": 300}}),
            "entities": ("GET", f"/v1/users/{user}/entities", {"params": {"limit": 20}}),
            "relations": ("GET", f"/v1/users/{user}/relations", {"params": {"limit": 20}}),
        }[op]
        await _call(http, op, request, tally)


async def _call(http: httpx.AsyncClient, op: str, request: tuple[str, str, dict[str, Any]], tally: Tally) -> int | str:
    method, path, kwargs = request
    started = time.perf_counter()
    try:
        status: int | str = (await http.request(method, path, **kwargs)).status_code
    except httpx.TimeoutException:
        status = "timeout"
    except httpx.TransportError:
        status = "refused"
        await asyncio.sleep(0.2)
    tally.record(op, status, time.perf_counter() - started)
    return status


async def _until_acked(http: httpx.AsyncClient, user: str, body: dict[str, Any], tally: Tally,
                       stop: asyncio.Event) -> None:
    request = ("POST", f"/v1/users/{user}/conversations/load/messages", {"json": body})
    delay = 0.1
    while True:
        status = await _call(http, "ingest", request, tally)
        if status in (200, 201, 202):
            tally.acked[user].update(m["client_id"] for m in body["messages"])
            return
        if stop.is_set() and not tally.faulty:
            return  # the run is over and the server is up: an unacknowledged batch is the client's to drop
        await asyncio.sleep(delay)
        delay = min(2.0, delay * 2)


async def _drive(server: RunningServer, args: argparse.Namespace, texts: list[str], tally: Tally) -> float:
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=args.clients)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=args.timeout, limits=limits) as http:
        clients = [asyncio.create_task(_client(http, f"load-{n}", texts, tally, stop, seed=n))
                   for n in range(args.clients)]
        started = time.perf_counter()
        if args.faults:
            await _faults(server, args, tally)
        else:
            await asyncio.sleep(args.duration)
        stop.set()
        await asyncio.gather(*clients)
        return time.perf_counter() - started


async def _faults(server: RunningServer, args: argparse.Namespace, tally: Tally) -> None:
    for round_ in range(args.faults):
        await asyncio.sleep(args.duration / max(1, args.faults))
        tally.faulty = True
        kind = "kill -9 server" if round_ % 2 == 0 else "restart PostgreSQL"
        print(f"  fault {round_ + 1}/{args.faults}: {kind}", flush=True)
        if round_ % 2 == 0:
            await asyncio.to_thread(server.kill)
            await asyncio.to_thread(server.restart)
        else:
            await asyncio.to_thread(_restart_postgres, server)
        await asyncio.sleep(2.0)  # let retries land before 503s count as unexpected again
        tally.faulty = False


def _restart_postgres(server: RunningServer) -> None:
    """Fast-stop the server's PostgreSQL, leave it down a moment, start it again; the server
    itself keeps running and must recover without a restart."""
    from graphmem.store.embedded import EmbeddedPostgres

    pgdata = server.data_dir / "pgdata"
    pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
    while process_alive(pid):
        time.sleep(0.05)
    time.sleep(1.0)
    EmbeddedPostgres(pgdata).start_in_place()  # the running server still owns it and stops it


def _audit(server: RunningServer, acked: dict[str, set[str]]) -> dict[str, int]:
    """Lost: acknowledged but missing or unprocessed. Duplicated: a second memory for a message,
    a second entity for a name, a second copy of a relation."""
    import psycopg

    pgdata = (server.data_dir / "pgdata").resolve()
    with psycopg.connect(f"postgresql://postgres:@/graphmem?host={pgdata}") as conn:
        stored: dict[str, set[str]] = defaultdict(set)
        for user, client_id in conn.execute("SELECT user_id, client_id FROM messages WHERE conversation_id = 'load'"):
            stored[user].add(client_id)
        missing = sum(len(ids - stored[user]) for user, ids in acked.items())
        unprocessed = conn.execute(
            "SELECT count(*) FROM messages m WHERE NOT EXISTS "
            "(SELECT 1 FROM memories x WHERE x.user_id = m.user_id AND x.message_id = m.id)").fetchone()
        twins = conn.execute(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM memories GROUP BY user_id, message_id HAVING count(*) > 1) a)"
            " + (SELECT count(*) FROM (SELECT 1 FROM entity_aliases GROUP BY user_id, key HAVING count(*) > 1) b)"
            " + (SELECT count(*) FROM (SELECT 1 FROM relations GROUP BY user_id, subject_id, predicate, object_id,"
            " message_id HAVING count(*) > 1) c)").fetchone()
    return {"lost": missing + int(unprocessed[0] if unprocessed else 0),
            "duplicated": int(twins[0] if twins else 0),
            "acknowledged": sum(len(ids) for ids in acked.values())}


def run_load(args: argparse.Namespace) -> int:
    texts = [t.text for t in flatten_turns(load_samples(args.data))][:5000]
    env = environment()
    print_header("load", env, [("clients", args.clients), ("duration", f"{args.duration} s"),
                               ("faults", args.faults or "none"), ("data", args.data)])
    tally = Tally()
    with running_server(settings=SERVER) as server:
        elapsed = asyncio.run(_drive(server, args, texts, tally))
        with httpx.Client(base_url=server.base_url, timeout=60) as http:
            queue = drain_queue(http, timeout_s=600)
        audit = _audit(server, tally.acked)
    rows = []
    for op in MIX:
        ms = tally.latencies[op]
        done = sum(tally.statuses[op].values())
        rows.append([op, done, round(done / elapsed, 1), percentile(ms, 50) if ms else 0.0,
                     percentile(ms, 95) if ms else 0.0, percentile(ms, 99) if ms else 0.0,
                     " ".join(f"{k}:{v}" for k, v in sorted(tally.statuses[op].items()))])
    print_table(["endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "statuses"], rows)
    total = sum(sum(c.values()) for c in tally.statuses.values())
    print(f"throughput: {total / elapsed:.1f} requests/s over {elapsed:.1f} s; "
          f"{audit['acknowledged'] / elapsed:.1f} messages/s acknowledged")
    print(f"queue at end: {queue}; lost: {audit['lost']}, duplicated: {audit['duplicated']}, "
          f"unexpected: {dict(tally.unexpected) or 0}")
    ok = not tally.unexpected and audit["lost"] == 0 and audit["duplicated"] == 0 and queue["failed"] == 0
    print_result({**env, "benchmark": "load", "ok": ok, "elapsed_s": elapsed, "requests": total,
                  "queue": queue, **audit, "unexpected": dict(tally.unexpected),
                  "endpoints": {r[0]: {"requests": r[1], "p50_ms": r[3], "p95_ms": r[4], "p99_ms": r[5]} for r in rows}})
    return 0 if ok else 1
