"""``graphmem bench retrieval``: turn-level recall on a LoCoMo-layout file, through the real
ingest pipeline, with baselines and an ablation of the default recipe in the same run."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import replace
from itertools import groupby
from pathlib import Path
from typing import Any

from graphmem.bench.locomo import Question, Turn, flatten_questions, flatten_turns, load_samples
from graphmem.bench.metrics import ndcg_at, recall_at, repair_evidence
from graphmem.bench.report import environment, print_header, print_result, print_table
from graphmem.bench.server import drain_queue
from graphmem.bench.stats import percentile
from graphmem.retrieve.config import Channel, Fusion, RetrievalConfig, recipe
from graphmem.settings import Settings

__all__ = ["run_retrieval", "systems"]

KS = (1, 5, 10, 20)
ROLES = {"user": "user", "assistant": "assistant"}


def systems(ablation: bool) -> dict[str, RetrievalConfig]:
    """Baselines, the default recipe, and the default with one part removed at a time."""
    default = recipe(None)
    plain = RetrievalConfig(
        lexical_document="turn",
        adaptive_lexical_tokens=None,
        long_memory_penalty=0.0,
        graph_weight=0.0,
        entity_boost=0.0,
        speaker_boost=0.0,
        time_boost=0.0,
        session_lambda=0.0,
        speaker_focus=False,
    )
    out = {
        "BM25": replace(plain, channels=(Channel.LEXICAL,)),
        "dense": replace(plain, channels=(Channel.VECTOR,)),
        "RRF(BM25, dense)": replace(plain, channels=(Channel.VECTOR, Channel.LEXICAL), fusion=Fusion.RRF),
        "default": default,
    }
    if ablation:
        without_graph = tuple(c for c in default.channels if c is not Channel.GRAPH)
        out |= {
            "- graph (channel and speaker boost)": replace(default, channels=without_graph, speaker_boost=0.0),
            "- graph channel": replace(default, channels=without_graph),
            "- speaker boost": replace(default, speaker_boost=0.0),
            "- speaker focus (vector)": replace(default, speaker_focus=False),
            "- time boost": replace(default, time_boost=0.0),
            "- context window": replace(default, lexical_document="turn"),
            "- adaptive context window": replace(default, context_max_median=None),
            "- session rerank": replace(default, session_lambda=0.0),
            "- adaptive lexical weight": replace(default, adaptive_lexical_tokens=None),
            "- long-memory penalty": replace(default, long_memory_penalty=0.0),
            "- lexical": replace(default, channels=tuple(c for c in default.channels if c is not Channel.LEXICAL)),
            "- vector": replace(default, channels=tuple(c for c in default.channels if c is not Channel.VECTOR)),
            "RRF instead of z-score": replace(default, fusion=Fusion.RRF),
        }
    return out


def _user(turn_or_question: Turn | Question) -> str:
    return f"bench-{turn_or_question.sample_id}"


def _ingest(client: Any, turns: list[Turn]) -> float:
    """Post every turn; in a reused data directory the stored ones come back as duplicates."""
    start = time.perf_counter()
    for (user, session), group in groupby(turns, key=lambda t: (_user(t), t.session)):
        group = list(group)
        path = f"/v1/users/{user}/conversations/{session}/messages?wait=true"
        for i in range(0, len(group), 64):
            body = {
                "messages": [
                    {
                        "role": ROLES.get(t.speaker, "other"),
                        "speaker": None if t.speaker in ROLES else t.speaker,
                        "text": t.text,
                        "timestamp": t.timestamp.isoformat(),
                        "client_id": t.dia_id,
                    }
                    for t in group[i : i + 64]
                ]
            }
            response = client.post(path, json=body)
            response.raise_for_status()
    drain_queue(client)  # a batch that outlived the wait is still queued: search only once all are done
    return time.perf_counter() - start


def _evaluate(client: Any, services: Any, questions: list[tuple[Question, list[str]]], config: RetrievalConfig) -> dict[str, Any]:
    from graphmem.dto import SearchRequest

    rows: list[tuple[int, dict[str, float]]] = []
    latencies: list[float] = []
    for q, evidence in questions:
        start = time.perf_counter()
        result = client.blocking_portal.call(services.search.search, _user(q), SearchRequest(query=q.question, limit=max(KS)), config)
        latencies.append((time.perf_counter() - start) * 1000)
        ranked = [h.client_id or "" for h in result.hits]
        scores = {f"R@{k}": recall_at(ranked, evidence, k) for k in KS} | {"NDCG@10": ndcg_at(ranked, evidence, 10)}
        rows.append((q.category, scores))
    summary: dict[str, Any] = {m: sum(s[m] for _, s in rows) / len(rows) for m in rows[0][1]}
    for category in sorted({c for c, _ in rows}):
        picked = [s["R@10"] for c, s in rows if c == category]
        summary[f"cat{category} R@10"] = sum(picked) / len(picked)
    summary |= {"p50 ms": percentile(latencies, 50), "p95 ms": percentile(latencies, 95)}
    return summary


def run_retrieval(args: argparse.Namespace) -> int:
    import logging

    from litestar.testing import TestClient

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per ingest request otherwise
    from graphmem.app import create_app

    samples = load_samples(args.data)
    turns = flatten_turns(samples)
    known = {(t.sample_id, t.dia_id) for t in turns}
    questions = []
    for q in flatten_questions(samples):
        evidence = repair_evidence(q.evidence, {d for s, d in known if s == q.sample_id})
        if evidence:
            questions.append((q, evidence))
    questions = questions[: args.questions] if args.questions else questions
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="graphmem-retrieval-"))
    settings = replace(Settings.from_env(), database_url=None, data_dir=data_dir)
    env = environment()
    print_header("retrieval", env, [("data", args.data), ("turns", len(turns)), ("questions", len(questions)), ("data dir", data_dir)])
    try:
        app = create_app(settings)
        with TestClient(app, timeout=600) as client:
            ingest_s = _ingest(client, turns)
            print(f"ingested {len(turns)} turns in {ingest_s:.1f} s", flush=True)
            results = {}
            for name, config in systems(not args.no_ablation).items():
                results[name] = _evaluate(client, app.state.services, questions, config)
                print(f"  {name}: R@10 {results[name]['R@10']:.3f}", flush=True)
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    metrics = list(next(iter(results.values())))
    print_table(["system", *metrics], [[name, *(r[m] for m in metrics)] for name, r in results.items()])
    print_result(env | {"bench": "retrieval", "data": args.data, "questions": len(questions), "results": results})
    return 0
