"""``graphmem bench erasure``: how long erasing one large user takes.

It fills a fresh embedded database through the store functions (a bulk path, no models):
one user with ``--messages`` messages, a memory with a random unit embedding for each, and
entities, aliases, mentions and relations; plus a small second user. Then it times the
erasure service call, checks that nothing of the user is left and that the other user is
intact, and compares the time with the target (1 s for 10,000 messages).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncEngine

from graphmem.bench.report import environment, print_header, print_result, print_table
from graphmem.services.erasure import ErasureService, load_subjects
from graphmem.settings import Settings
from graphmem.store import graph as graph_store
from graphmem.store import messages as message_store
from graphmem.store.database import open_database
from graphmem.store.memories import insert_memories
from graphmem.store.portability import user_row_counts
from graphmem.store.privacy import user_tables
from graphmem.store.tables import EMBEDDING_DIM, memories, messages
from graphmem.store.users import ensure_conversation

__all__ = ["run_erasure", "fill_user"]

TARGET_S = 1.0
CHUNK = 1_000


async def fill_user(engine: AsyncEngine, user_id: str, n: int, seed: int = 0) -> None:
    """Bulk-insert ``n`` messages and memories, n/20 entities, n mentions and n/5 relations."""
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    async with engine.begin() as conn:
        await ensure_conversation(conn, user_id, "bench")
        entity_ids = list((await graph_store.create_entities(
            conn, user_id, [{"key": f"thing {i}", "name": f"Thing {i}", "type": "CONCEPT"} for i in range(max(1, n // 20))]
        )).values())
        for lo in range(0, n, CHUNK):
            size = min(CHUNK, n - lo)
            ids = await message_store.allocate_ids(conn, messages, size)
            mids = await message_store.allocate_ids(conn, memories, size)
            vectors = rng.standard_normal((size, EMBEDDING_DIM)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            texts = [f"Message {lo + i} about thing {(lo + i) % len(entity_ids)} and a parcel" for i in range(size)]
            times = [start + timedelta(minutes=lo + i) for i in range(size)]
            await message_store.insert_messages(conn, user_id, [
                {"id": i, "conversation_id": "bench", "role": "user", "text": t, "ts": ts}
                for i, t, ts in zip(ids, texts, times)
            ])
            await insert_memories(conn, user_id, [
                {"id": m, "message_id": i, "conversation_id": "bench", "text": t, "embedding": v, "ts": ts}
                for m, i, t, v, ts in zip(mids, ids, texts, vectors, times)
            ])
            await graph_store.insert_mentions(conn, user_id, [
                {"entity_id": entity_ids[(lo + k) % len(entity_ids)], "memory_id": m, "message_id": i}
                for k, (m, i) in enumerate(zip(mids, ids))
            ])
            await graph_store.insert_relations(conn, user_id, [
                {"subject_id": entity_ids[(lo + k) % len(entity_ids)], "predicate": "relates_to",
                 "object_id": entity_ids[(lo + k + 1) % len(entity_ids)], "message_id": ids[k]}
                for k in range(0, size, 5)
            ])


async def _bench(n: int, data_dir: Path) -> dict[str, Any]:
    db = await open_database(Settings(data_dir=data_dir))
    try:
        t0 = time.perf_counter()
        await fill_user(db.engine, "bench-user", n)
        await fill_user(db.engine, "bystander", 100, seed=1)
        fill_s = time.perf_counter() - t0
        async with db.engine.connect() as conn:
            tables = await user_tables(conn)
            before = await user_row_counts(conn, tables, "bench-user")
            bystander = await user_row_counts(conn, tables, "bystander")
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")
        erasure = ErasureService(db.engine, await load_subjects(db.engine, None))
        t0 = time.perf_counter()
        receipt = await erasure.erase("bench-user")
        erase_s = time.perf_counter() - t0
        async with db.engine.connect() as conn:
            left = await user_row_counts(conn, tables, "bench-user")
            kept = await user_row_counts(conn, tables, "bystander")
        return {"fill_s": fill_s, "erase_s": erase_s, "in_transaction_ms": receipt.duration_ms, "rows": before,
                "deleted": receipt.counts, "left": sum(left.values()), "bystander_intact": kept == bystander}
    finally:
        await db.close()


def run_erasure(args: argparse.Namespace) -> int:
    n = int(args.messages)
    if n < 1:
        raise ValueError("--messages must be at least 1")
    env = environment()
    print_header("erasure", env, [("messages", n), ("target", f"<= {TARGET_S} s for 10,000 messages")])
    with tempfile.TemporaryDirectory(prefix="graphmem-bench-erasure-") as tmp:
        result = asyncio.run(_bench(n, Path(tmp)))
    print_table(["table", "rows", "deleted"], [(t, result["rows"][t], result["deleted"][t]) for t in result["rows"]])
    print_table(["step", "seconds"], [("fill (bulk insert)", result["fill_s"]),
                                      ("erase (service call)", result["erase_s"])])
    ok = result["left"] == 0 and result["bystander_intact"] and result["rows"] == result["deleted"]
    within = result["erase_s"] <= TARGET_S * max(1.0, n / 10_000)
    print(f"erased {n:,} messages in {result['erase_s']:.3f} s; nothing left: {result['left'] == 0}; "
          f"other user intact: {result['bystander_intact']}; within target: {within}")
    print_result({**env, "bench": "erasure", "messages": n, **result})
    return 0 if ok and within else 1
