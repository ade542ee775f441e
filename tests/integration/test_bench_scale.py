"""``graphmem bench scale``, tiny (20 users x 50 memories): bulk load, both vector-index strategies,
HTTP searches against a real server subprocess, exact recall, sizes and memory figures."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from graphmem.bench.scale_data import stage_payload, user_block, user_ids


def test_user_block_rows_are_unit_vectors_near_their_text() -> None:
    pool = np.eye(4, dtype=np.float32)
    block = user_block(user_ids(3), 5, 100, pool, np.random.default_rng(0))
    assert block.ids.tolist() == list(range(100, 115))
    assert [u.decode() for u in block.users[::5]] == ["scale-000000", "scale-000001", "scale-000002"]
    assert np.allclose(np.linalg.norm(block.vectors, axis=1), 1.0, atol=1e-5)
    assert (block.vectors[np.arange(15), block.pids] > 0.9).all()  # noise is small next to the text's vector
    payload = stage_payload(block)
    assert payload.startswith(b"PGCOPY\n\xff\r\n\x00") and payload.endswith(b"\xff\xff")
    record = 2 + (4 + 12) + (4 + 8) + (4 + 4) + (4 + 4 + 4 * 4) + (4 + 8)
    assert len(payload) == 19 + 15 * record + 2


def test_bench_scale_tiny() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "graphmem.cli.main", "bench", "scale", "--users", "20", "--per-user", "50",
         "--queries", "30", "--pool", "150", "--recall-users", "10"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert result["ok"] and result["users"] == 20 and result["per_user"] == 50
    assert result["load"]["hnsw_s"] > 0 and "memories_user_ts_idx" in result["load"]["index_s"]
    exact, hnsw = result["results"]
    for r in (exact, hnsw):
        assert r["recall_min"] >= 0.99 and r["short_results"] == 0
        assert r["http_ms"]["p95"] > 0 and r["mean_hits"] == 10
        assert r["server_rss_bytes"] > 0 and r["database_bytes"] > 0
    assert "memories_embedding_hnsw_idx" not in exact["memories_index_bytes"]
    assert "memories_embedding_hnsw_idx" in hnsw["memories_index_bytes"]
    assert any("memories_user_ts_idx" in line for line in exact["plan"])  # a per-user scan, not a seq scan
